package io.dermsynth.udf;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The device a task should use: the GPU Spark assigned to it ({@code spark.task.resource.gpu.amount}),
 * when the engine sees GPUs; the CPU otherwise (no GPU assigned, or a CPU-only libtorch).
 */
public final class TaskDevice {

  /**
   * Where a partition ran, as the transformers report it per row: the executor, the GPU address Spark
   * gave the task (null without GPU scheduling) and the device the model ran on.
   */
  public record Placement(String executorId, String taskGpu, Device device) {

    /** The struct fields a transformer's output carries for this. */
    public static final StructField[] FIELDS = {
        DataTypes.createStructField("executor_id", DataTypes.StringType, false),
        DataTypes.createStructField("task_gpu", DataTypes.StringType, true),
        DataTypes.createStructField("device", DataTypes.StringType, false)};

    /** {@code type} with {@link #FIELDS} appended. */
    public static StructType addTo(StructType type) {
      for (StructField f : FIELDS) {
        type = type.add(f);
      }
      return type;
    }

    /** A row of {@code values} followed by this placement's (for a type made by {@link #addTo}). */
    public Row row(Object... values) {
      Object[] all = java.util.Arrays.copyOf(values, values.length + FIELDS.length);
      all[values.length] = executorId;
      all[values.length + 1] = taskGpu;
      all[values.length + 2] = device.toString();
      return RowFactory.create(all);
    }
  }

  private TaskDevice() {}

  /** The GPU address Spark gave this task, or null. */
  public static String assignedGpu() {
    TaskContext tc = TaskContext.get();
    if (tc == null) {
      return null;
    }
    scala.Option<ResourceInformation> gpu = tc.resources().get("gpu");
    return gpu.isDefined() && gpu.get().addresses().length > 0 ? gpu.get().addresses()[0] : null;
  }

  /**
   * The device for this task's model, on a thread set up for inference: libtorch's grad mode is
   * thread-local and on in every new thread (DJL turns it off only in the thread that loads the
   * engine), so without this a Spark task thread would record autograd graphs for any model whose
   * parameters are trainable.
   */
  public static Placement forTask() {
    Engine engine = io.dermsynth.core.Libtorch.load();  // the build's libtorch, checked, before the JNI call
    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    String gpu = assignedGpu();
    SparkEnv env = SparkEnv.get();
    return new Placement(env == null ? "driver" : env.executorId(), gpu, choose(gpu, engine.getGpuCount()));
  }

  /**
   * The GPU at Spark's address when the engine has GPUs (addresses are CUDA ordinals, as the discovery
   * script reports them), the CPU when it has none or no GPU was assigned.
   */
  static Device choose(String address, int gpuCount) {
    if (address == null || gpuCount == 0) {
      return Device.cpu();
    }
    int ordinal;
    try {
      ordinal = Integer.parseInt(address.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Spark assigned GPU address '" + address + "', which is not a CUDA "
          + "ordinal: the GPU discovery script must report ordinals (0, 1, ...)", e);
    }
    if (ordinal < 0 || ordinal >= gpuCount) {
      throw new IllegalStateException("Spark assigned GPU " + ordinal + " but libtorch sees " + gpuCount
          + " GPU(s): check CUDA_VISIBLE_DEVICES against the discovery script");
    }
    return Device.gpu(ordinal);
  }
}
