package io.dermsynth.udf;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

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

  ModelTransformer(String uid, String inputDoc, String inputDefault, String outputDoc, String outputDefault,
      String modelDoc, int defaultBatch) {
    super(uid, inputDoc, inputDefault, outputDoc, outputDefault);
    modelPath = new Param<>(this, "modelPath", modelDoc);
    batchSize = new IntParam(this, "batchSize", "images per forward pass", ParamValidators.gtEq(1));
    setDefault(batchSize, defaultBatch);
    batchCol = new Param<>(this, "batchCol", "rows with equal values of this column form the batches (at most "
        + "batchSize each), so a batch is the same whatever else the partition holds; empty: consecutive rows");
    setDefault(batchCol, "");
  }

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
