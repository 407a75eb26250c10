package io.dermsynth.udf;

import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.classify.ClassifierTrainer;
import io.dermsynth.core.classify.ImageTensors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scores lesion images with a trained classifier on the executors: PNG bytes in, class probabilities
 * ({@code array<double>}, in the model's class order) and the predicted class name out. The model is
 * loaded once per executor JVM ({@link ModelCache}) from any Hadoop URI, rows are scored in batches,
 * and a task uses the GPU Spark assigned to it when there is one.
 *
 * <pre>{@code
 * new LesionClassifier().setModelPath("s3a://bucket/models/classifier/RUN").setInputCol("png")
 *     .setOutputCol("probability").setPredictionCol("prediction").transform(images);
 * }</pre>
 */
public final class LesionClassifier extends ModelTransformer<LesionClassifier> {

  private static final long serialVersionUID = 1L;

  private final Param<String> predictionCol;

  public LesionClassifier() {
    this("lesionClassifier_" + UUID.randomUUID().toString().substring(0, 12));
  }

  public LesionClassifier(String uid) {
    super(uid, "binary column with the PNG image", "png",
        "array<double> column of class probabilities", "probability",
        "folder of a trained classifier (any Hadoop URI)", 64);
    predictionCol = new Param<>(this, "predictionCol", "string column with the arg-max class");
    setDefault(predictionCol, "prediction");
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public LesionClassifier setPredictionCol(String v) {
    set(predictionCol, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    checkColumns(schema, DataTypes.BinaryType, "the PNG bytes");
    requiredModelPath();
    return schema.add($(outputCol()), DataTypes.createArrayType(DataTypes.DoubleType), false)
        .add($(predictionCol), DataTypes.StringType, false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    return mapPartitions(dataset, new ScorePartition(HadoopConf.broadcast(dataset.sparkSession()),
        requiredModelPath(), dataset.schema().fieldIndex($(inputCol())), batch(),
        batchKey(dataset.schema())), out);
  }

  /** Loads (or reuses) the model on the executor and scores the partition batch by batch. */
  private record ScorePartition(Broadcast<Map<String, String>> conf, String modelPath, int inputIndex,
      int batchSize, int batchKey) implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      ai.djl.Device device = TaskDevice.forTask().device();
      ClassifierModel model = ModelCache.get(modelPath, device.toString(), () -> load(device));
      int size = model.manifest().imageSize();
      List<String> classes = model.manifest().classes();
      return new BatchedRows(rows, batchSize, batchKey, batch -> {
        List<float[]> pixels = new ArrayList<>(batch.size());
        for (Row r : batch) {
          try {
            pixels.add(ImageTensors.decode((byte[]) r.get(inputIndex), size));
          } catch (IOException e) {
            throw new IllegalArgumentException("row " + r + " holds no decodable PNG", e);
          }
        }
        double[][] p;
        // One model per executor: tasks running side by side take turns on it.
        synchronized (model) {
          p = model.predictProba(pixels, batchSize);
        }
        List<Object[]> out = new ArrayList<>(batch.size());
        for (double[] row : p) {
          out.add(new Object[] {row, classes.get(ClassifierTrainer.argmax(row))});
        }
        return out;
      });
    }

    private ClassifierModel load(ai.djl.Device device) throws IOException {
      return ClassifierModel.load(new HadoopStore(HadoopConf.of(conf), modelPath), device);
    }
  }
}
