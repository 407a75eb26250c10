package io.dermsynth.jobs.augment;

import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.KeepWithoutError;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.udf.DirectionEditor;
import io.dermsynth.udf.LesionClassifier;
import io.dermsynth.jobs.runtime.Tables;
import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;

/**
 * One chunk of the {@link EditPlan} made into `synthetic` rows on the executors: the chunk's keys
 * broadcast, the heavy columns (W+, offsets, the source PNG, the direction's vector) joined in, the
 * edit rendered ({@link DirectionEditor}), LPIPS to the source and the label judge's verdict ({@link
 * LesionClassifier}), and the row with its lineage. Failed edits leave the chunk on the executors and
 * come back through an accumulator ({@link #failures()}), to be quarantined instead of vanishing.
 */
final class EditChunks {

  private final AugmentSettings c;
  private final String runId;
  private final String model;
  private final String classifier;
  private final String generatorVersion;
  private final String inverterVersion;
  private final Column classNames;
  private final Dataset<Row> heavy;
  private final Dataset<Row> images;
  private final Dataset<Row> vectors;
  private final CollectionAccumulator<Row> failures;
  private final double taskGpus;

  EditChunks(JobContext ctx, AugmentSettings c, String runId, String model, String generatorVersion,
      String inverterVersion, Dataset<Row> latents, Dataset<Row> directions) throws IOException {
    this.c = c;
    this.runId = runId;
    this.model = model;
    this.classifier = Runs.modelPath(ctx, null, c.classifier(), "train-classifier");
    this.generatorVersion = generatorVersion;
    this.inverterVersion = inverterVersion;
    List<String> classes = ClassifierModel.manifest(ModelStore.store(ctx.spark(), classifier)).classes();
    this.classNames = org.apache.spark.sql.functions.array(classes.stream().map(org.apache.spark.sql.functions::lit)
        .toArray(Column[]::new));
    this.heavy = latents.select(col("image_id").as("lat_id"), col("w_plus"), col("offsets"), col("offset_layers"));
    this.images = ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src_id"), col("png"));
    this.vectors = directions.drop("alpha_min", "alpha_max", "rank").withColumnRenamed("direction_id", "dir_id");
    this.failures = ctx.spark().sparkContext().collectionAccumulator("augment failures");
    this.taskGpus = io.dermsynth.jobs.runtime.SparkSessions.modelTaskGpus(ctx.settings(), ctx.spark());
  }

  /** The `synthetic` rows of the plan rows {@code keys} (whole render batches). */
  Dataset<Row> rows(Dataset<Row> keys) {
    // The edit moves W by alpha × w_std (or alpha) along the unit direction; synthetic keeps alpha.
    Column step = c.alphaUnit().equals("w_std") ? col("alpha").multiply(col("w_std")) : col("alpha");
    // Broadcast the chunk's keys: the latents and images tables stream past them, no shuffle of blobs.
    Dataset<Row> chunk = broadcast(keys).join(heavy, col("image_id").equalTo(col("lat_id"))).drop("lat_id")
        .join(broadcast(vectors), col("direction_id").equalTo(col("dir_id"))).drop("dir_id")
        .join(images, col("image_id").equalTo(col("src_id"))).drop("src_id")
        .withColumn("w_alpha", step)
        .repartition(c.partitions(), col("render_batch"))
        .sortWithinPartitions("render_batch", "synth_id");
    Dataset<Row> edited = new DirectionEditor().setModelPath(model).setBatchSize(c.batchSize())
        .setTaskGpus(taskGpus)
        .setRender(c.render().id())
        .setBatchCol("render_batch").setSourceCol("png").setAlphaCol("w_alpha").setOutputCol("edit")
        .transform(chunk)
        .drop("png", "w_plus", "offsets", "offset_layers", "vector", "w_indices", "w_std", "w_alpha");
    Dataset<Row> good = edited.filter(new KeepWithoutError(edited.schema(), "edit", DirectionEditor.OUTPUT_TYPE,
        "synth_id", "augment", runId, failures, null))
        .withColumn("synthetic_png", col("edit.png"));
    Dataset<Row> scored = new LesionClassifier().setModelPath(classifier).setBatchSize(c.batchSize())
        .setTaskGpus(taskGpus)
        .setBatchCol("render_batch").setInputCol("synthetic_png").setOutputCol("probability")
        .setPredictionCol("predicted_dx")
        .transform(good);
    return scored.select(col("synth_id"), col("image_id"), col("lesion_id"), col("dx"),
        col("direction_id"), col("alpha"), lit(c.alphaUnit()).as("alpha_unit"),
        lit(generatorVersion).as("generator_version"),
        lit(inverterVersion).as("inverter_version"), lit(model).as("inverter_path"),
        lit(c.render().id()).as("render"), col("inversion_method"), col("synthetic_png").as("png"),
        col("edit.lpips").as("lpips"),
        col("edit.lpips").leq(c.lpipsThreshold()).as("lpips_ok"), col("edit.lpips_recon").as("lpips_recon"),
        element_at(col("probability"), array_position(classNames, col("dx")).cast("int")).as("label_probability"),
        col("predicted_dx").equalTo(col("dx")).as("label_kept"), col("predicted_dx"),
        lit(classifier).as("classifier_path"), lit(c.source()).as("direction_source"), lit(runId).as("run_id"),
        col("edit.executor_id").as("executor_id"), col("edit.task_gpu").as("task_gpu"),
        col("edit.device").as("device"), current_timestamp().as("created_at"));
  }

  /** The edits that failed so far (synth_id, then the quarantine row's fields). */
  List<Row> failures() {
    return failures.value();
  }
}
