package io.dermsynth.jobs.review.page;

import io.dermsynth.jobs.review.ReviewSample;
import io.dermsynth.jobs.review.ReviewDirection;
import io.dermsynth.jobs.review.ReviewSettings;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;

import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.gan.GanWeights;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.LatentCodec;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.udf.SqlFunctions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Stage 6, review: loads an inverter, the directions of its generator and a few train-split inversions,
 * and starts the review page. The session is a run: its `runs` row is written once the page is up, and
 * every decision made on the page carries its run_id.
 */
public final class ReviewJob {

  /** What the session started with. */
  public record Result(String runId, String model, String generatorVersion, int directions, int samples,
      String address) implements JobResult {
    @Override
    public String summary() {
      return "review page at " + address + ": " + directions + " directions of " + generatorVersion + ", "
          + samples + " sample latents";
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", model);
      m.put("generator_version", generatorVersion);
      m.put("directions", String.valueOf(directions));
      m.put("samples", String.valueOf(samples));
      m.put("address", address);
      return m;
    }
  }

  private ReviewJob() {}

  /**
   * Starts the page; the caller closes the returned server. {@code modelArg} overrides review.model.
   */
  public static ReviewServer start(JobContext ctx, String modelArg, ReviewSettings settings) throws Exception {
    ReviewServer[] server = new ReviewServer[1];
    Runs.record(ctx, "review", runId -> {
      server[0] = open(ctx, modelArg, settings, runId);
      return new Result(runId, server[0].model(), server[0].generatorVersion(), server[0].directionCount(),
          server[0].sampleCount(), server[0].url().replaceFirst("\\?token=.*", ""));
    });
    return server[0];
  }

  private static ReviewServer open(JobContext ctx, String modelArg, ReviewSettings settings, String runId)
      throws Exception {
    String model = Runs.modelPath(ctx, modelArg, ctx.settings().config().getString("review.model"), "train-inverter");
    Inverter inv = Inverter.load(ModelStore.store(ctx.spark(), model), ModelStore.device(ctx.settings(), "review.device"));
    try {
      String generatorVersion = GanWeights.contentVersion(inv.generator().namedParameters());
      List<ReviewDirection> directions = directions(ctx, generatorVersion);
      List<ReviewSample> samples = samples(ctx, inv, settings.samples());
      EditStrips strips = new EditStrips(inv, samples, settings);
      ReviewServer server = new ReviewServer(ctx, settings, model, generatorVersion, runId, directions, strips)
          .start();
      strips.renderAllInBackground(directions);
      return server;
    } catch (Exception | Error e) {
      inv.close();
      throw e;
    }
  }

  /** The directions of the generator, by rank. */
  static List<ReviewDirection> directions(JobContext ctx, String generatorVersion) {
    if (!ctx.tables().exists(Tables.DIRECTIONS)) {
      throw new IllegalStateException("no directions yet: run `dermsynth factorize` first");
    }
    List<Row> rows = ctx.tables().read(Tables.DIRECTIONS).where(col("generator_version").equalTo(generatorVersion))
        .select("direction_id", "rank", "eigenvalue", "w_std", "vector", "w_indices", "layers", "layer_selection")
        .orderBy("rank").collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("no directions of generator " + generatorVersion + " (the inverter's): run "
          + "`dermsynth factorize` on this inverter");
    }
    return rows.stream().map(r -> new ReviewDirection(r.getString(0), r.getInt(1), r.getDouble(2), r.getDouble(3),
        SqlFunctions.floats(r.getList(4)), SqlFunctions.ints(r.getList(5)), r.getList(6),
        r.getString(7))).toList();
  }

  /**
   * {@code n} train-split inversions of this inverter: one per class in turn, rarest class first, each
   * class's images in a fixed pseudo-random order (SHA-256 of the id), so the page shows every class
   * and the same images every time.
   */
  static List<ReviewSample> samples(JobContext ctx, Inverter inv, int n) {
    if (!ctx.tables().exists(Tables.LATENTS)) {
      throw new IllegalStateException("no latents yet: run `dermsynth invert` first");
    }
    var latents = ctx.tables().read(Tables.LATENTS)
        .where(col("inverter_version").equalTo(inv.version()).and(col("split").equalTo("train")));
    var classes = Window.partitionBy("dx");
    List<Row> rows = latents
        .withColumn("k", row_number().over(classes.orderBy(sha2(col("image_id"), 256))))
        .withColumn("class_n", count("*").over(classes))
        .orderBy(col("k"), col("class_n"), col("dx")).limit(n)
        .join(ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src_id"), col("png")),
            col("image_id").equalTo(col("src_id")))
        .orderBy(col("k"), col("class_n"), col("dx"))
        .select("image_id", "dx", "w_plus", "offsets", "offset_layers", "png").collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("no train-split latents of inverter " + inv.version() + ": run `dermsynth "
          + "invert` with this inverter");
    }
    return rows.stream().map(r -> new ReviewSample(r.getString(0), r.getString(1), LatentCodec.decode(r.getAs(2)),
        EditRenderer.offsets(inv, r.isNullAt(3) ? null : r.getAs(3), r.isNullAt(4) ? null : r.getList(4)),
        r.getAs(5))).toList();
  }
}
