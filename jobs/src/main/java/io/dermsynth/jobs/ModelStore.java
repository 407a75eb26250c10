package io.dermsynth.jobs;

import ai.djl.Device;
import io.dermsynth.core.classify.ClassifierModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.spark.sql.SparkSession;

/** Models as folders on a Hadoop file system (local, s3a://, dbfs:/), loaded by URI. */
public final class ModelStore {

  private ModelStore() {}

  public static String classifierDir(Settings settings, String runId) {
    String base = settings.config().getString("classifier.models");
    return (base.isEmpty() ? settings.warehouse() + "/models" : base) + "/classifier/" + runId;
  }

  public static void save(SparkSession spark, ClassifierModel model, String dir) throws IOException {
    try (OutputStream out = HadoopFiles.create(spark, dir + "/" + ClassifierModel.WEIGHTS)) {
      model.writeWeights(out);
    }
    // The manifest last: a folder with a manifest is a complete model.
    try (OutputStream out = HadoopFiles.create(spark, dir + "/" + ClassifierModel.MANIFEST)) {
      model.writeManifest(out);
    }
  }

  public static ClassifierModel loadClassifier(SparkSession spark, String dir, Device device)
      throws IOException {
    try (InputStream manifest = HadoopFiles.open(spark, dir + "/" + ClassifierModel.MANIFEST);
        InputStream weights = HadoopFiles.open(spark, dir + "/" + ClassifierModel.WEIGHTS)) {
      return ClassifierModel.load(manifest, weights, device);
    }
  }
}
