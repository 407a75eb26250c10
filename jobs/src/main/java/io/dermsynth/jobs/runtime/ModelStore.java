package io.dermsynth.jobs.runtime;

import io.dermsynth.jobs.settings.Settings;
import ai.djl.Device;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.CheckpointStore;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;

/** Models as folders on a Hadoop file system (local, s3a://, dbfs:/), loaded by URI. */
public final class ModelStore {

  private ModelStore() {}

  /** The configured driver device (`classifier.device`), checked against what the engine has. */
  public static Device device(Settings settings) {
    return device(settings, "classifier.device");
  }

  /**
   * The driver device that config key names, checked against what the engine has; loads libtorch with
   * its convolutions checked on this CPU first.
   */
  public static Device device(Settings settings, String key) {
    ai.djl.engine.Engine engine = io.dermsynth.core.Libtorch.load();
    String name = settings.config().getString(key).trim();
    Device d;
    try {
      d = Device.fromName(name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " must be cpu, gpu or gpu:N, got '" + name + "'");
    }
    if (d.isGpu()) {
      // "gpu" alone is the first GPU (DJL may give it id -1, which no count check catches).
      int id = Math.max(0, d.getDeviceId());
      int count = engine.getGpuCount();
      if (id >= count) {
        throw new IllegalArgumentException(key + " is " + name + " but libtorch sees " + count + " GPU(s)");
      }
      ai.djl.pytorch.jni.JniUtils.setBenchmarkCuDNN(!settings.config().getBoolean("deterministic"));
      return Device.gpu(id);
    }
    return d;
  }

  public static String classifierDir(Settings settings, String runId) {
    return modelDir(settings, "classifier", runId);
  }

  /** {@code <section.models or warehouse/models>/<section>/<run_id>}. */
  public static String modelDir(Settings settings, String section, String runId) {
    String base = settings.config().getString(section + ".models");
    return (base.isEmpty() ? settings.warehouse() + "/models" : base) + "/" + section + "/" + runId;
  }

  /**
   * A folder on a Hadoop file system (local, s3a://, dbfs:/) — a model, a run's checkpoints, the
   * warehouse's run records and reports: the one storage adaptor, on the driver as on executors.
   */
  public static CheckpointStore store(SparkSession spark, String dir) {
    return new io.dermsynth.udf.HadoopStore(spark.sparkContext().hadoopConfiguration(), dir);
  }

  /** A file by URI as a stream (weights a user names, e.g. Inception's); missing is an error naming it. */
  public static java.io.InputStream openFile(SparkSession spark, String uri) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
    return store(spark, parent(p)).open(p.getName());
  }

  /** Writes a whole file by URI, replacing any old one (written beside, then renamed). */
  public static void writeFile(SparkSession spark, String uri, byte[] bytes) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
    store(spark, parent(p)).write(p.getName(), bytes);
  }

  private static String parent(org.apache.hadoop.fs.Path p) {
    return p.getParent() == null ? "." : p.getParent().toString();
  }

  public static ClassifierModel loadClassifier(SparkSession spark, String dir, Device device)
      throws IOException {
    return ClassifierModel.load(store(spark, dir), device);
  }
}
