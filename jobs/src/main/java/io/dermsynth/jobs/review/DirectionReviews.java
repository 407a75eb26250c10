package io.dermsynth.jobs.review;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.TableCatalog;
import io.dermsynth.jobs.runtime.Tables;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;

/**
 * The Delta table `direction_reviews`: a person's decisions on SeFa directions, append-only. A
 * direction's current decision is its latest row (by decided_at); earlier rows are its history. The
 * review page writes it; augment reads the approved directions and their alpha ranges.
 */
public final class DirectionReviews {

  public static final String APPROVED = "approved";
  public static final String REJECTED = "rejected";
  public static final List<String> DECISIONS = List.of(APPROVED, REJECTED);

  /**
   * One decision. For an approval, alphaMin ≤ alpha ≤ alphaMax are the edit strengths the direction may
   * be used with, in {@code alphaUnit} (augment.alpha_unit when it was made: w_std or raw); a rejection
   * has no range.
   */
  public record Review(String directionId, String decision, String name, Double alphaMin, Double alphaMax,
      String note, String reviewer, Instant decidedAt, String generatorVersion, String runId, String alphaUnit) {

    Row row() {
      return RowFactory.create(directionId, decision, name, alphaMin, alphaMax, note, reviewer,
          Timestamp.from(decidedAt), generatorVersion, runId, alphaUnit);
    }

    static Review of(Row r) {
      return new Review(r.getString(0), r.getString(1), r.getString(2), (Double) r.get(3), (Double) r.get(4),
          r.getString(5), r.getString(6), r.getTimestamp(7).toInstant(), r.getString(8), r.getString(9),
          r.getString(10));
    }
  }

  private DirectionReviews() {}

  /** Appends one decision (creating the table on the first; adding alpha_unit to an older table). */
  public static void append(JobContext ctx, Review review) {
    ctx.tables().appendEvolving(Tables.DIRECTION_REVIEWS,
        ctx.spark().createDataFrame(List.of(review.row()), TableCatalog.schema(Tables.DIRECTION_REVIEWS)));
  }


  /**
   * Records a checked form as a decision on one direction, now: the one way a decision is written, by
   * the page and by `review-decide`.
   *
   * @param alphaUnit the unit of the form's alpha range (augment.alpha_unit)
   */
  public static Review record(JobContext ctx, String directionId, String generatorVersion, ReviewForm form,
      String runId, String alphaUnit) {
    Review r = new Review(directionId, form.decision(), form.name(), form.alphaMin(), form.alphaMax(), form.note(),
        form.reviewer(), Instant.now(), generatorVersion, runId, alphaUnit);
    append(ctx, r);
    return r;
  }

  /** Each decided direction's latest decision: (direction_id, decision, alpha_min, alpha_max, alpha_unit). */
  public static Dataset<Row> latest(JobContext ctx) {
    return ctx.tables().read(Tables.DIRECTION_REVIEWS)
        .withColumn("n", row_number().over(Window.partitionBy("direction_id").orderBy(col("decided_at").desc())))
        .where(col("n").equalTo(1)).select("direction_id", "decision", "alpha_min", "alpha_max", "alpha_unit");
  }

  /** Every decision on directions of one generator, newest first; empty when there is no table yet. */
  public static List<Review> history(JobContext ctx, String generatorVersion) {
    if (!ctx.tables().exists(Tables.DIRECTION_REVIEWS)) {
      return List.of();
    }
    return ctx.tables().read(Tables.DIRECTION_REVIEWS).where(col("generator_version").equalTo(generatorVersion))
        .select(TableCatalog.columns(Tables.DIRECTION_REVIEWS).stream().map(org.apache.spark.sql.functions::col)
            .toArray(org.apache.spark.sql.Column[]::new))
        .orderBy(col("decided_at").desc()).collectAsList().stream().map(Review::of).toList();
  }

  /**
   * The directions whose latest decision is approved, with their alpha ranges: (direction_id, alpha_min,
   * alpha_max, alpha_unit).
   */
  public static Dataset<Row> currentlyApproved(JobContext ctx) {
    return latest(ctx).where(col("decision").equalTo(APPROVED)).drop("decision");
  }
}
