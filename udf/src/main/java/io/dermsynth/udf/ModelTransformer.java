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

  ModelTransformer(String uid, String inputDoc, String inputDefault, String outputDoc, String outputDefault,
      String modelDoc, int defaultBatch) {
    super(uid, inputDoc, inputDefault, outputDoc, outputDefault);
    modelPath = new Param<>(this, "modelPath", modelDoc);
    batchSize = new IntParam(this, "batchSize", "images per forward pass", ParamValidators.gtEq(1));
    setDefault(batchSize, defaultBatch);
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
}
