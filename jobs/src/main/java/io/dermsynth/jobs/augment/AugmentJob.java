package io.dermsynth.jobs.augment;

import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.dermsynth.jobs.ingest.IngestJob;
import io.dermsynth.jobs.review.DirectionReviews;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.KeepWithoutError;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Settings;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.jobs.runtime.TaskDevices;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.typesafe.config.Config;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.classify.SyntheticAllocation;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.gan.GanWeights;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.udf.DirectionEditor;
import io.dermsynth.udf.LesionClassifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
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
  private static final List<String> DIRECTION_SOURCES = List.of("approved", "all_top_k");
  private static final List<String> BALANCE = java.util.Arrays.stream(SyntheticAllocation.Policy.values())
      .map(SyntheticAllocation.Policy::id).toList();
  private static final List<String> RENDERS = java.util.Arrays.stream(EditRenderer.Render.values())
      .map(EditRenderer.Render::id).toList();
  private static final List<String> ALPHA_UNITS = List.of("w_std", "raw");

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
    Config c = ctx.settings().config().getConfig("augment");
    String source = oneOf(c, "directions", DIRECTION_SOURCES);
    String balance = oneOf(c, "balance", BALANCE);
    EditRenderer.Render render = EditRenderer.Render.parse(oneOf(c, "render", RENDERS));
    // The edit moves W by alpha × w_std (or alpha) along the unit direction; synthetic keeps alpha.
    String alphaUnit = oneOf(c, "alpha_unit", ALPHA_UNITS);
    Column step = alphaUnit.equals("w_std") ? col("alpha").multiply(col("w_std")) : col("alpha");
    String model = Runs.modelPath(ctx, modelArg, c.getString("model"), "train-inverter");
    String inverterVersion = Inverter.newestManifest(ModelStore.store(ctx.spark(), model)).version();
    String generatorVersion;
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      generatorVersion = GanWeights.contentVersion(
          GanModels.loadGenerator(ModelStore.store(ctx.spark(), model), m).generator().namedParameters());
    }
    String classifier = Runs.modelPath(ctx, null, c.getString("classifier"), "train-classifier");
    List<String> classes = new Gson().fromJson(new String(ModelStore.store(ctx.spark(), classifier)
        .readRequired(ClassifierModel.MANIFEST), StandardCharsets.UTF_8), ClassifierModel.Manifest.class).classes();

    Dataset<Row> latents = ctx.tables().read(Tables.LATENTS)
        .where(col("inverter_version").equalTo(inverterVersion).and(col("split").equalTo("train")));
    Dataset<Row> sourceKeys = latents.select(col("image_id"), col("lesion_id"), col("dx"),
        col("method").as("inversion_method"));
    LeakageGuard.requireTrainLesions(ctx, sourceKeys, "augment sources");
    Dataset<Row> directions = directions(ctx, c, source, generatorVersion);
    int nDirections = (int) directions.count();
    Dataset<Row> alphas = ctx.spark().createDataFrame(c.getDoubleList("alphas").stream()
        .map(a -> org.apache.spark.sql.RowFactory.create(a)).toList(),
        new org.apache.spark.sql.types.StructType().add("alpha", "double"));
    // The plan is keys only: a latent's offsets are up to MBs (590 KB at small64), so heavy columns are
    // joined in per chunk, for the rows of that chunk alone, after the plan is cut.
    // An approved direction is used only at the alphas of its reviewed range.
    // α = 0 is the same image along every direction: one row per source, with its first direction.
    int firstRank = directions.agg(org.apache.spark.sql.functions.min("rank")).first().getInt(0);
    // The generator render's ids are those of the runs before renders had a choice, so reruns stay
    // idempotent; other renders add their name. A source inverted by another method than HyperStyle (the
    // default) adds the method, so a source refined by optimisation after a run is rendered anew (null
    // parts are skipped by concat_ws: HyperStyle sources keep the ids they had).
    Column method = when(col("inversion_method").notEqual("hyperstyle"), col("inversion_method"));
    Column idParts = render == EditRenderer.Render.GENERATOR
        ? concat_ws("|", col("image_id"), lit(inverterVersion), col("direction_id"), col("alpha").cast("string"),
            method)
        : concat_ws("|", col("image_id"), lit(inverterVersion), col("direction_id"), col("alpha").cast("string"),
            lit(render.id()), method);
    Dataset<Row> plan = sourceKeys.crossJoin(directions.select("direction_id", "rank", "alpha_min", "alpha_max"))
        .crossJoin(alphas)
        .where(col("alpha_min").isNull().or(col("alpha").between(col("alpha_min"), col("alpha_max"))))
        .where(col("alpha").notEqual(0).or(col("rank").equalTo(firstRank)))
        .drop("alpha_min", "alpha_max", "rank")
        .withColumn("synth_id", concat(lit("syn-"), substring(sha2(idParts, 256), 1, 24)));
    plan = target(ctx, plan, c.getInt("target"), SyntheticAllocation.Policy.parse(balance), c.getDouble("cap"));
    // Render batches fixed by the plan alone (consecutive synth_ids), so that an image is rendered in
    // the same batch by every run: libtorch's output depends on the batch, and a resumed or retried run
    // must write the same bytes. Chunks and partitions take whole batches. The plan is keys only, so the
    // one-partition window that numbers it is cheap.
    plan = plan.withColumn("render_batch", floor(row_number().over(Window.orderBy("synth_id")).minus(1)
        .divide(c.getInt("batch_size"))));
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
    int chunks = (int) Math.max(1, Math.ceil(remaining / (double) c.getInt("chunk_rows")));
    Dataset<Row> heavy = latents.select(col("image_id").as("lat_id"), col("w_plus"), col("offsets"),
        col("offset_layers"));
    Dataset<Row> sources = ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src_id"), col("png"));
    Dataset<Row> vectors = directions.drop("alpha_min", "alpha_max", "rank").withColumnRenamed("direction_id", "dir_id");
    double threshold = c.getDouble("lpips_threshold");
    Column classNames = org.apache.spark.sql.functions.array(classes.stream().map(org.apache.spark.sql.functions::lit)
        .toArray(Column[]::new));
    long added = 0;
    // Failed edits leave the chunk on the executors and come back through an accumulator (few rows): each
    // becomes a quarantine row (stage augment) instead of vanishing; a rerun tries them again.
    CollectionAccumulator<Row> failures = ctx.spark().sparkContext().collectionAccumulator("augment failures");
    for (int k = 0; k < chunks && remaining > 0; k++) {
      // Broadcast the chunk's keys: the latents and images tables stream past them, no shuffle of blobs.
      Dataset<Row> keys = broadcast(todo.where(pmod(xxhash64(col("render_batch")), lit(chunks)).equalTo(k)));
      Dataset<Row> chunk = keys.join(heavy, col("image_id").equalTo(col("lat_id"))).drop("lat_id")
          .join(broadcast(vectors), col("direction_id").equalTo(col("dir_id"))).drop("dir_id")
          .join(sources, col("image_id").equalTo(col("src_id"))).drop("src_id")
          .withColumn("w_alpha", step)
          .repartition(c.getInt("partitions"), col("render_batch"))
          .sortWithinPartitions("render_batch", "synth_id");
      Dataset<Row> edited = new DirectionEditor().setModelPath(model).setBatchSize(c.getInt("batch_size"))
          .setRender(render.id())
          .setBatchCol("render_batch").setSourceCol("png").setAlphaCol("w_alpha").setOutputCol("edit")
          .transform(chunk)
          .drop("png", "w_plus", "offsets", "offset_layers", "vector", "w_indices", "w_std", "w_alpha");
      Dataset<Row> good = edited.filter(new KeepWithoutError(edited.schema(), "edit", DirectionEditor.OUTPUT_TYPE,
          "synth_id", "augment", runId, failures, null))
          .withColumn("synthetic_png", col("edit.png"));
      Dataset<Row> scored = new LesionClassifier().setModelPath(classifier).setBatchSize(c.getInt("batch_size"))
          .setBatchCol("render_batch").setInputCol("synthetic_png").setOutputCol("probability")
          .setPredictionCol("predicted_dx")
          .transform(good);
      Dataset<Row> rows = scored.select(col("synth_id"), col("image_id"), col("lesion_id"), col("dx"),
          col("direction_id"), col("alpha"), lit(alphaUnit).as("alpha_unit"),
          lit(generatorVersion).as("generator_version"),
          lit(inverterVersion).as("inverter_version"), lit(model).as("inverter_path"),
          lit(render.id()).as("render"), col("inversion_method"), col("synthetic_png").as("png"),
          col("edit.lpips").as("lpips"),
          col("edit.lpips").leq(threshold).as("lpips_ok"), col("edit.lpips_recon").as("lpips_recon"),
          element_at(col("probability"), array_position(classNames, col("dx")).cast("int")).as("label_probability"),
          col("predicted_dx").equalTo(col("dx")).as("label_kept"), col("predicted_dx"),
          lit(classifier).as("classifier_path"), lit(source).as("direction_source"), lit(runId).as("run_id"),
          col("edit.executor_id").as("executor_id"), col("edit.task_gpu").as("task_gpu"),
          col("edit.device").as("device"), current_timestamp().as("created_at"));
      added += ctx.tables().insertNew(Tables.SYNTHETIC, rows, "synth_id");
      LOG.info("augment {}: chunk {}/{} committed, {} rows so far", runId, k + 1, chunks, added);
    }
    todo.unpersist();
    long failed = quarantine(ctx, failures.value());
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
        IngestJob.QUARANTINE_SCHEMA).withColumn("quarantined_at", current_timestamp());
    ctx.tables().insertNew(Tables.QUARANTINE, bad, "source", "reason_code");
    return bySynthId.size();
  }

  private static Column concat(Column... cols) {
    return org.apache.spark.sql.functions.concat(cols);
  }

  private static String oneOf(Config c, String key, List<String> allowed) {
    return Settings.oneOf(c, "augment", key, allowed);
  }

  /** The directions to apply, of the generator the latents were inverted into. */
  private static Dataset<Row> directions(JobContext ctx, Config c, String source, String generatorVersion) {
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
      chosen = all.where(col("rank").lt(c.getInt("top_k")))
          .withColumn("alpha_min", lit(null).cast("double")).withColumn("alpha_max", lit(null).cast("double"));
    } else {
      if (!ctx.tables().exists(Tables.DIRECTION_REVIEWS)) {
        throw new IllegalStateException("no direction_reviews yet: approve directions on the review page "
            + "(`dermsynth review`), or set augment.directions = all_top_k for an unattended run (recorded in the "
            + "run row)");
      }
      Dataset<Row> approved = DirectionReviews.currentlyApproved(ctx).withColumnRenamed("direction_id", "ok");
      chosen = all.join(approved, col("direction_id").equalTo(col("ok"))).drop("ok");
      // An alpha range means nothing in another unit: ±2 w_std applied as raw alphas is another edit.
      String unit = c.getString("alpha_unit");
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
      throw new IllegalStateException("no " + source + " directions for generator " + generatorVersion);
    }
    return chosen;
  }

  /**
   * Keeps {@code target} of the planned rows (all when 0), spread over classes by {@code policy} with
   * the classes' train latents as their sizes (capped: synthetic at most {@code cap} of a class's draws).
   * Within a class, the rows with the smallest synth_id are kept, so the choice is deterministic and a
   * resumed run plans the same rows.
   */
  static Dataset<Row> target(JobContext ctx, Dataset<Row> plan, int target, SyntheticAllocation.Policy policy,
      double cap) {
    if (target <= 0) {
      return plan;
    }
    Map<String, Long> available = new TreeMap<>();
    Map<String, Long> sourcesPerClass = new TreeMap<>();
    plan.groupBy("dx").agg(org.apache.spark.sql.functions.count("*"),
        org.apache.spark.sql.functions.countDistinct("image_id")).collectAsList().forEach(r -> {
          available.put(r.getString(0), r.getLong(1));
          sourcesPerClass.put(r.getString(0), r.getLong(2));
        });
    return keepQuotas(ctx, plan, SyntheticAllocation.quotas(policy, sourcesPerClass, available, target, cap, 1));
  }

  /** The first {@code quota.get(dx)} rows of each class in synth_id order. */
  public static Dataset<Row> keepQuotas(JobContext ctx, Dataset<Row> rows, Map<String, Long> quota) {
    List<Row> q = new ArrayList<>();
    quota.forEach((dx, n) -> q.add(org.apache.spark.sql.RowFactory.create(dx, n)));
    Dataset<Row> quotas = ctx.spark().createDataFrame(q, new org.apache.spark.sql.types.StructType()
        .add("quota_dx", "string").add("quota", "long"));
    return rows.withColumn("class_rank", row_number().over(Window.partitionBy("dx").orderBy("synth_id")))
        .join(quotas, col("dx").equalTo(col("quota_dx")))
        .where(col("class_rank").leq(col("quota"))).drop("class_rank", "quota_dx", "quota");
  }
}
