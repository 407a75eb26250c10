package io.dermsynth.jobs.review;

import static org.apache.spark.sql.functions.col;

import io.dermsynth.core.BadInputException;
import io.dermsynth.jobs.augment.AugmentSettings;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * `review-decide`: a decision on one direction without the page — for Databricks, where the warehouse is
 * in a Volume and no page runs beside it, and for scheduled runs. The form is checked by {@link ReviewForm}
 * and written by {@link DirectionReviews#record}, as the page does, so both write the same row.
 */
public final class ReviewDecision {

  /** The decision recorded. */
  public record Result(String runId, DirectionReviews.Review review) implements JobResult {
    @Override
    public String summary() {
      DirectionReviews.Review r = review;
      return r.decision() + " " + r.directionId() + (r.name() == null ? "" : " '" + r.name() + "'")
          + (r.alphaMin() == null ? "" : String.format(Locale.ROOT, ", α %s … %s %s", r.alphaMin(), r.alphaMax(),
          r.alphaUnit())) + " by " + r.reviewer() + " → direction_reviews";
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("direction_id", review.directionId());
      m.put("decision", review.decision());
      m.put("generator_version", review.generatorVersion());
      return m;
    }
  }

  private ReviewDecision() {}

  /** @param fields the form's fields as the page posts them (decision, name, alpha_min, alpha_max, note, reviewer) */
  public static Result run(JobContext ctx, String directionId, Map<String, List<String>> fields) throws Exception {
    return Runs.record(ctx, "review-decide", runId -> {
      ReviewForm form;
      try {
        form = ReviewForm.parse(fields);
      } catch (ReviewForm.Invalid e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      String generatorVersion = generatorOf(ctx, directionId);
      return new Result(runId, DirectionReviews.record(ctx, directionId, generatorVersion, form, runId,
          AugmentSettings.of(ctx.settings()).alphaUnit()));
    });
  }

  private static String generatorOf(JobContext ctx, String directionId) throws BadInputException {
    if (!ctx.tables().exists(Tables.DIRECTIONS)) {
      throw new BadInputException("no directions yet: run `dermsynth factorize` first");
    }
    List<Row> rows = ctx.tables().read(Tables.DIRECTIONS).where(col("direction_id").equalTo(directionId))
        .select("generator_version").limit(1).collectAsList();
    if (rows.isEmpty()) {
      throw new BadInputException("no direction '" + directionId + "' in " + ctx.tables().where(Tables.DIRECTIONS)
          + " (see: dermsynth sql \"SELECT direction_id, rank, generator_version FROM directions\")");
    }
    return rows.get(0).getString(0);
  }

  /** The fields of a decision as the page posts them, from the command line's options. */
  public static Map<String, List<String>> fields(String decision, String name, String alphaMin, String alphaMax,
      String note, String reviewer) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("decision", List.of(decision));
    put(f, "name", name);
    put(f, "alpha_min", alphaMin);
    put(f, "alpha_max", alphaMax);
    put(f, "note", note);
    put(f, "reviewer", reviewer);
    return f;
  }

  private static void put(Map<String, List<String>> f, String key, String value) {
    if (value != null) {
      f.put(key, List.of(value));
    }
  }
}
