package io.dermsynth.udf;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A column transformer backed by a model folder (any Hadoop URI) that the executors load once each
 * ({@link ModelCache}) and run in batches.
 *
 * @param <T> the concrete transformer, so that setters chain
 */
abstract class ModelTransformer<T extends ModelTransformer<T>> extends ColumnTransformer<T> {

  private static final long serialVersionUID = 1L;

  private final Param<String> modelPath;
  private final IntParam batchSize;
  private final Param<String> batchCol;
  private final DoubleParam taskGpus;

  ModelTransformer(String uid, String inputDoc, String inputDefault, String outputDoc, String outputDefault,
      String modelDoc, int defaultBatch) {
    super(uid, inputDoc, inputDefault, outputDoc, outputDefault);
    modelPath = new Param<>(this, "modelPath", modelDoc);
    batchSize = new IntParam(this, "batchSize", "images per forward pass", ParamValidators.gtEq(1));
    setDefault(batchSize, defaultBatch);
    batchCol = new Param<>(this, "batchCol", "rows with equal values of this column form the batches (at most "
        + "batchSize each), so a batch is the same whatever else the partition holds; empty: consecutive rows");
    setDefault(batchCol, "");
    taskGpus = new DoubleParam(this, "taskGpus", "GPUs each task of this transformer's stage asks Spark for, by a "
        + "stage-level ResourceProfile, so only model stages wait for GPUs (0: none; the session's default "
        + "profile applies)", ParamValidators.gtEq(0));
    setDefault(taskGpus, 0.0);
  }

  public DoubleParam taskGpus() {
    return taskGpus;
  }

  public T setTaskGpus(double v) {
    set(taskGpus, v);
    return self();
  }

  /**
   * The rows of {@code dataset} through {@code partition}, in a stage whose tasks each hold {@link
   * #taskGpus} GPUs when it is above 0 (a task ResourceProfile on the RDD: Spark 3.4+ schedules it on the
   * executors of the default profile, without dynamic allocation, on standalone, YARN and Kubernetes).
   */
  Dataset<Row> mapPartitions(Dataset<?> dataset, MapPartitionsFunction<Row, Row> partition, StructType out) {
    Dataset<Row> rows = dataset.toDF();
    double gpus = (Double) $(taskGpus);
    if (gpus == 0) {
      return rows.mapPartitions(partition, Encoders.row(out));
    }
    SparkSession spark = dataset.sparkSession();
    int cpus = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
    // One profile object per application and request: two model transformers chained in one stage
    // (augment's edit, then its score) must carry the same profile, or Spark refuses the stage.
    ResourceProfile profile = PROFILES.computeIfAbsent(spark.sparkContext().applicationId() + "/" + cpus + "/" + gpus,
        k -> new ResourceProfileBuilder().require(new TaskResourceRequests().cpus(cpus).resource("gpu", gpus)).build());
    return spark.createDataFrame(rows.javaRDD().mapPartitions(partition::call).withResources(profile), out);
  }

  private static final java.util.Map<String, ResourceProfile> PROFILES = new java.util.concurrent.ConcurrentHashMap<>();

  public Param<String> modelPath() {
    return modelPath;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public T setModelPath(String v) {
    set(modelPath, v);
    return self();
  }

  public T setBatchSize(int v) {
    set(batchSize, v);
    return self();
  }

  public Param<String> batchCol() {
    return batchCol;
  }

  /**
   * Batches by this column's value: libtorch's CPU kernels round differently for different batch
   * shapes, so an output is bit-for-bit reproducible only when its batch is (tested by augment's
   * fault tests).
   */
  public T setBatchCol(String v) {
    set(batchCol, v);
    return self();
  }

  /** The model folder, which must be set. */
  String requiredModelPath() {
    if (!isDefined(modelPath)) {
      throw new IllegalArgumentException("modelPath is not set");
    }
    return $(modelPath);
  }

  int batch() {
    return (Integer) $(batchSize);
  }

  /** The index of the batch column in {@code schema}, or −1 when batches are consecutive rows. */
  int batchKey(org.apache.spark.sql.types.StructType schema) {
    String c = $(batchCol);
    if (c.isEmpty()) {
      return -1;
    }
    if (!java.util.List.of(schema.fieldNames()).contains(c)) {
      throw new IllegalArgumentException("batchCol '" + c + "' not found; columns: " + String.join(", ",
          schema.fieldNames()));
    }
    return schema.fieldIndex(c);
  }
}
