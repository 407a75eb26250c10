package io.dermsynth.jobs.augment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import io.dermsynth.jobs.review.DirectionReviews;
import io.dermsynth.jobs.review.WaitingForReview;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.TableCatalog;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.jobs.runtime.TaskDevices;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.gan.GanWeights;
import io.dermsynth.core.invert.Inverter;
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
 * Stage 7, augment: train-split latents × directions × alphas → edited images in Delta `synthetic`, each
 * with its lineage (source image, lesion, inherited dx, direction, alpha, generator and inverter
 * versions, run), LPIPS to its source image and whether that is within the threshold (the paper's 0.2),
 * and label consistency (the classifier's probability of the inherited dx, and whether dx is still its
 * arg-max).
 *
 * <p>Directions are the approved ones of `direction_reviews`, or, for unattended runs that say so in
 * their run row, the top K of `directions`. A target size spreads edits over classes (inverse
 * frequency: rare classes get more). synth_id is a hash of (source, inverter, direction, alpha), the
 * rows are written in chunks, each one Delta MERGE on synth_id: a rerun writes nothing, and a run that
 * died midway resumes with the chunks it had not committed.
 */
public final class AugmentJob {

  private static final Logger LOG = LoggerFactory.getLogger(AugmentJob.class);

  /** What augmentation wrote. */
  public record Result(String runId, String model, String directionSource, int directions, long planned,
      long alreadyDone, long rowsAdded, long editsFailed, int chunks, Map<String, Long> plannedByClass,
      String taskDevices, double seconds) implements JobResult {
    @Override
    public String summary() {
      return String.format(Locale.ROOT, "%d rows added (by class %s), %d failed edits to quarantine, %s images/s",
          rowsAdded, plannedByClass, editsFailed, imagesPerSecond());
    }

    private String imagesPerSecond() {
      return String.format(Locale.ROOT, "%.2f", rowsAdded / Math.max(seconds, 1e-9));
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", model);
      m.put("direction_source", directionSource);
      m.put("directions", String.valueOf(directions));
      m.put("planned", String.valueOf(planned));
      m.put("already_done", String.valueOf(alreadyDone));
      m.put("rows_added", String.valueOf(rowsAdded));
      m.put("edits_failed", String.valueOf(editsFailed));
      m.put("chunks", String.valueOf(chunks));
      m.put("planned_by_class", plannedByClass.toString());
      m.put("task_devices", taskDevices);
      m.put("images_per_s", imagesPerSecond());
      return m;
    }
  }

  private AugmentJob() {}

  public static Result run(JobContext ctx, String modelArg) throws Exception {
    return Runs.record(ctx, "augment", runId -> augment(ctx, runId, modelArg));
  }

  private static Result augment(JobContext ctx, String runId, String modelArg) throws Exception {
    long t0 = System.nanoTime();
    AugmentSettings c = AugmentSettings.of(ctx.settings());
    String source = c.source();
    String model = Runs.modelPath(ctx, modelArg, c.model(), "train-inverter");
    String inverterVersion = Inverter.newestManifest(ModelStore.store(ctx.spark(), model)).version();
    String generatorVersion;
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      generatorVersion = GanWeights.contentVersion(
          GanModels.loadGenerator(ModelStore.store(ctx.spark(), model), m).generator().namedParameters());
    }
    Dataset<Row> latents = ctx.tables().read(Tables.LATENTS)
        .where(col("inverter_version").equalTo(inverterVersion).and(col("split").equalTo("train")));
    Dataset<Row> sourceKeys = latents.select(col("image_id"), col("lesion_id"), col("dx"),
        col("method").as("inversion_method"));
    LeakageGuard.requireTrainLesions(ctx, sourceKeys, "augment sources");
    Dataset<Row> directions = directions(ctx, c, source, generatorVersion);
    int nDirections = (int) directions.count();
    Dataset<Row> plan = EditPlan.of(ctx, c, sourceKeys, directions, inverterVersion);
    Map<String, Long> byClass = new TreeMap<>();
    plan.groupBy("dx").count().collectAsList().forEach(r -> byClass.put(r.getString(0), r.getLong(1)));
    long planned = byClass.values().stream().mapToLong(Long::longValue).sum();
    Dataset<Row> todo = plan;
    if (ctx.tables().exists(Tables.SYNTHETIC)) {
      Dataset<Row> done = ctx.tables().read(Tables.SYNTHETIC).select(col("synth_id").as("done_id"));
      todo = plan.join(done, col("synth_id").equalTo(col("done_id")), "left_anti");
    }
    todo = todo.persist(StorageLevel.MEMORY_AND_DISK());
    long remaining = todo.count();
    int chunks = (int) Math.max(1, Math.ceil(remaining / (double) c.chunkRows()));
    EditChunks edits = new EditChunks(ctx, c, runId, model, generatorVersion, inverterVersion, latents, directions);
    long added = 0;
    for (int k = 0; k < chunks && remaining > 0; k++) {
      // Whole render batches per chunk: the latents and images tables stream past the chunk's keys.
      added += ctx.tables().insertNew(Tables.SYNTHETIC,
          edits.rows(todo.where(pmod(xxhash64(col("render_batch")), lit(chunks)).equalTo(k))), "synth_id");
      LOG.info("augment {}: chunk {}/{} committed, {} rows so far", runId, k + 1, chunks, added);
    }
    todo.unpersist();
    long failed = quarantine(ctx, edits.failures());
    String devices = added == 0 ? "" : TaskDevices.summary(
        ctx.tables().read(Tables.SYNTHETIC).where(col("run_id").equalTo(runId)), "");
    double seconds = (System.nanoTime() - t0) / 1e9;
    LOG.info("augment {}: {} planned ({} by class), {} done before, {} added, {} failed edits quarantined, from "
        + "{} {} directions in {} s; executor:gpu>device:rows {}", runId, planned, byClass, planned - remaining, added,
        failed, nDirections, source, String.format("%.0f", seconds), devices);
    return new Result(runId, model, source, nDirections, planned, planned - remaining, added, failed, chunks, byClass,
        devices, seconds);
  }

  /** Writes the failed edits (one row per synth_id: a task retry may report one twice); their count. */
  private static long quarantine(JobContext ctx, List<Row> failures) throws java.io.IOException {
    Map<String, Row> bySynthId = new TreeMap<>();
    failures.forEach(r -> bySynthId.putIfAbsent(r.getString(0), r));
    if (bySynthId.isEmpty()) {
      return 0;
    }
    Dataset<Row> bad = ctx.spark().createDataFrame(new java.util.ArrayList<>(bySynthId.values()),
        TableCatalog.schemaWithout(Tables.QUARANTINE, "quarantined_at")).withColumn("quarantined_at", current_timestamp());
    ctx.tables().insertNew(Tables.QUARANTINE, bad, "source", "reason_code");
    return bySynthId.size();
  }

  /** The directions to apply, of the generator the latents were inverted into. */
  private static Dataset<Row> directions(JobContext ctx, AugmentSettings c, String source, String generatorVersion) {
    if (!ctx.tables().exists(Tables.DIRECTIONS)) {
      throw new IllegalStateException("no directions yet: run `dermsynth factorize` first");
    }
    Dataset<Row> all = ctx.tables().read(Tables.DIRECTIONS).where(col("generator_version").equalTo(generatorVersion));
    if (all.isEmpty()) {
      List<String> versions = ctx.tables().read(Tables.DIRECTIONS).select("generator_version").distinct()
          .collectAsList().stream().map(r -> r.getString(0)).toList();
      throw new IllegalStateException("no directions of generator " + generatorVersion + " (the inverter's); "
          + "directions exist for " + versions + ": run `dermsynth factorize` on this inverter");
    }
    Dataset<Row> chosen;
    if (source.equals("all_top_k")) {
      chosen = all.where(col("rank").lt(c.topK()))
          .withColumn("alpha_min", lit(null).cast("double")).withColumn("alpha_max", lit(null).cast("double"));
    } else {
      if (!ctx.tables().exists(Tables.DIRECTION_REVIEWS)) {
        throw new WaitingForReview("no direction_reviews yet: approve directions on the review page "
            + "(`dermsynth review`) or with `dermsynth review-decide`, or set augment.directions = all_top_k for an "
            + "unattended run (recorded in the run row)");
      }
      Dataset<Row> approved = DirectionReviews.currentlyApproved(ctx).withColumnRenamed("direction_id", "ok");
      chosen = all.join(approved, col("direction_id").equalTo(col("ok"))).drop("ok");
      // An alpha range means nothing in another unit: ±2 w_std applied as raw alphas is another edit.
      String unit = c.alphaUnit();
      List<String> otherUnit = chosen.where(col("alpha_unit").isNotNull().and(col("alpha_unit").notEqual(unit)))
          .select(org.apache.spark.sql.functions.concat(col("direction_id"), lit(" ("), col("alpha_unit"), lit(")")))
          .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
      if (!otherUnit.isEmpty()) {
        throw new IllegalArgumentException("augment.alpha_unit = '" + unit + "', but " + otherUnit.size()
            + " approved direction(s) had their alpha range reviewed in another unit: " + otherUnit + "; set "
            + "augment.alpha_unit to that unit, or review them again");
      }
    }
    chosen = chosen.select("direction_id", "rank", "vector", "w_indices", "w_std", "alpha_min", "alpha_max");
    if (chosen.isEmpty()) {
      String none = "no " + source + " directions for generator " + generatorVersion;
      throw source.equals("approved") ? new WaitingForReview(none + ": approve one on the review page or with "
          + "`dermsynth review-decide`") : new IllegalStateException(none);
    }
    return chosen;
  }
}
