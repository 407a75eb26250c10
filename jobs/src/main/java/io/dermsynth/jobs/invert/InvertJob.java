package io.dermsynth.jobs.invert;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.SparkSessions;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.jobs.runtime.TaskDevices;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.udf.LatentInverter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 4, invert: every image of `images` (all splits; the split is carried over) not yet inverted by
 * this inverter version → Delta `latents`, keyed by (image_id, inverter_version), so a rerun adds
 * nothing. Inversion runs on the executors through {@link LatentInverter} (one model per executor
 * JVM); an image whose stored PNG does not decode goes to `quarantine` (stage "invert") instead.
 */
public final class InvertJob {

  private static final Logger LOG = LoggerFactory.getLogger(InvertJob.class);

  /** What inversion wrote. */
  public record Result(String runId, String model, String version, String method, long candidates,
      long rowsAdded, long rowsReplaced, long quarantined, double meanL2, double meanLpips,
      Map<String, Integer> modelLoads,
      String taskDevices) implements JobResult {
    @Override
    public String summary() {
      return String.format(Locale.ROOT, "%d rows added%s, %d quarantined, mean L2 %.5f, LPIPS %.4f", rowsAdded,
          rowsReplaced == 0 ? "" : ", " + rowsReplaced + " replaced", quarantined, meanL2, meanLpips);
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", model);
      m.put("inverter_version", version);
      m.put("method", method);
      m.put("candidates", String.valueOf(candidates));
      m.put("rows_added", String.valueOf(rowsAdded));
      m.put("rows_replaced", String.valueOf(rowsReplaced));
      m.put("quarantined", String.valueOf(quarantined));
      m.put("mean_l2", String.format(Locale.ROOT, "%.6f", meanL2));
      m.put("mean_lpips", String.format(Locale.ROOT, "%.6f", meanLpips));
      StringBuilder loads = new StringBuilder();
      modelLoads.forEach((e, n) -> loads.append(loads.isEmpty() ? "" : ",").append(e).append(':').append(n));
      m.put("model_loads", loads.toString());
      m.put("task_devices", taskDevices);
      return m;
    }
  }

  private InvertJob() {}

  public static Result run(JobContext ctx, String modelArg) throws Exception {
    return Runs.record(ctx, "invert", runId -> invert(ctx, runId, modelArg));
  }

  static final String SECTION = "invert";
  static final String MODEL = "model";
  static final String METHOD = "method";
  static final String OPT_STEPS = "opt_steps";
  static final String WHERE = "where";
  static final String BATCH_SIZE = "batch_size";
  static final String PARTITIONS = "partitions";

  /**
   * The images in partitions and an order that depend only on which image_ids are to be inverted: a
   * batch's neighbours change the last bits of its latents (libtorch picks kernels and splits work by
   * batch shape), and `images`' files hold their rows in whatever order ingest's tasks finished, so a
   * round-robin repartition of them made two runs of the same chain batch differently.
   */
  static Dataset<Row> inBatchOrder(Dataset<Row> images, int partitions) {
    return images.repartition(partitions, col("image_id")).sortWithinPartitions("image_id");
  }

  private static Result invert(JobContext ctx, String runId, String modelArg) throws Exception {
    ConfigReader c = ConfigReader.of(ctx.settings(), SECTION);
    String model = Runs.modelPath(ctx, modelArg, c.string(MODEL), "train-inverter");
    String method = c.choice(METHOD, Inverter.Method.class).name().toLowerCase(Locale.ROOT);
    String version = Inverter.newestManifest(ModelStore.store(ctx.spark(), model)).version();
    // Methods from coarse to fine (reconstruction error, bench/RESULTS.md "Inversion"): an image already
    // inverted by this inverter is skipped unless its row's method is coarser than this run's, which then
    // replaces it (the optimisation refinement of sources that were inverted by HyperStyle).
    Inverter.Method requested = Inverter.Method.valueOf(method.toUpperCase(Locale.ROOT));
    List<String> coarser = java.util.Arrays.stream(Inverter.Method.values())
        .filter(m -> m.ordinal() < requested.ordinal()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList();
    boolean latentsExist = ctx.tables().exists(Tables.LATENTS);
    Dataset<Row> images = toInvert(ctx, c, version, coarser, latentsExist);
    long candidates = images.count();
    Dataset<Row> inverted = new LatentInverter().setModelPath(model).setMethod(method)
        .setOptSteps(c.intOrAuto(OPT_STEPS, 0).orElse(LatentInverter.INVERTERS_OPT_STEPS))
        .setBatchSize(c.atLeast(BATCH_SIZE, 1)).setInputCol("png").setOutputCol("latent")
        .setTaskGpus(SparkSessions.modelTaskGpus(ctx.settings(), ctx.spark()))
        .transform(inBatchOrder(images, c.atLeast(PARTITIONS, 1)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // Everything read from `inverted` is read before the write: `images` excludes what `latents` holds,
      // so a re-evaluation after the write (a cache miss) would find nothing to invert.
      inverted.count();
      long quarantined = quarantineFailed(ctx, runId, inverted);
      Row stats = inverted.where(col("latent.error_code").isNull())
          .agg(org.apache.spark.sql.functions.avg("latent.l2"), org.apache.spark.sql.functions.avg("latent.lpips"))
          .first();
      Map<String, Integer> loads = modelLoads(inverted);
      String devices = TaskDevices.summary(inverted, "latent.");
      String replace = coarser.isEmpty() ? "false"
          : "t.method IN (" + String.join(", ", coarser.stream().map(m -> "'" + m + "'").toList()) + ")";
      Tables.Upserted written = candidates == 0 && latentsExist ? new Tables.Upserted(0, 0)
          : ctx.tables().upsert(Tables.LATENTS, latentRows(inverted, model, runId), replace, "image_id",
              "inverter_version");
      double l2 = stats.isNullAt(0) ? Double.NaN : stats.getDouble(0);
      double lp = stats.isNullAt(1) ? Double.NaN : stats.getDouble(1);
      LOG.info("invert {}: {} images to invert with {} ({}), {} rows added to latents, {} replaced (a coarser "
          + "method's), {} quarantined, mean L2 {}, LPIPS {}, model loads per executor {}, "
          + "executor:gpu>device:rows {}", runId, candidates, version, method, written.inserted(),
          written.replaced(), quarantined, l2, lp, loads, devices);
      return new Result(runId, model, version, method, candidates, written.inserted(), written.replaced(),
          quarantined, l2, lp, loads, devices);
    } finally {
      inverted.unpersist();
    }
  }

  /** The images (invert.where) this inverter has not inverted yet, or only by a coarser method. */
  private static Dataset<Row> toInvert(JobContext ctx, ConfigReader c, String version, List<String> coarser,
      boolean latentsExist) {
    Dataset<Row> images = ctx.tables().read(Tables.IMAGES)
        .select("image_id", "lesion_id", "dx", "split", "source_path", "png");
    if (!c.string(WHERE).isBlank()) {
      images = images.where(c.string(WHERE));
    }
    if (latentsExist) {
      Dataset<Row> done = ctx.tables().read(Tables.LATENTS).where(col("inverter_version").equalTo(version)
          .and(col("method").isin(coarser.toArray()).unary_$bang())).select("image_id");
      images = images.join(done, images.col("image_id").equalTo(done.col("image_id")), "left_anti");
    }
    return images;
  }

  /** The `latents` rows of the images that inverted. */
  private static Dataset<Row> latentRows(Dataset<Row> inverted, String model, String runId) {
    return inverted.where(col("latent.error_code").isNull()).select(
        col("image_id"), col("lesion_id"), col("dx"), col("split"),
        col("latent.inverter_version").as("inverter_version"), col("latent.method").as("method"),
        col("latent.w_plus").as("w_plus"), col("latent.num_ws").as("num_ws"), col("latent.w_dim").as("w_dim"),
        col("latent.offsets").as("offsets"), col("latent.offset_layers").as("offset_layers"),
        col("latent.l2").as("l2"), col("latent.lpips").as("lpips"),
        lit(model).as("inverter_path"), lit(runId).as("run_id"), current_timestamp().as("created_at"));
  }

  /** The images that did not invert, to quarantine (stage invert); their count. */
  private static long quarantineFailed(JobContext ctx, String runId, Dataset<Row> inverted) throws Exception {
    Dataset<Row> bad = inverted.where(col("latent.error_code").isNotNull()).select(
        col("source_path").as("source"), col("image_id"), col("latent.error_code").as("reason_code"),
        col("latent.error_message").as("message"), lit("invert").as("stage"), lit(runId).as("run_id"),
        current_timestamp().as("quarantined_at"));
    long quarantined = bad.count();
    if (quarantined > 0) {
      ctx.tables().insertNew(Tables.QUARANTINE, bad, "source", "reason_code");
    }
    return quarantined;
  }

  /** How many times each executor loaded the inverter (once, whatever number of its tasks used it). */
  private static Map<String, Integer> modelLoads(Dataset<Row> inverted) {
    Map<String, Integer> loads = new TreeMap<>();
    for (Row r : inverted.groupBy(col("latent.executor_id")).agg(org.apache.spark.sql.functions.max(
        "latent.model_loads")).collectAsList()) {
      loads.put(r.getString(0), r.getInt(1));
    }
    return loads;
  }

}
