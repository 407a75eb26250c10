package io.dermsynth.udf;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * The device a task should use: the GPU Spark assigned to it ({@code spark.task.resource.gpu.amount}),
 * when the engine sees GPUs; the CPU otherwise (no GPU assigned, or a CPU-only libtorch).
 */
public final class TaskDevice {

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
  public static Device forTask() {
    Engine engine = Engine.getInstance();  // loads libtorch before the JNI call
    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    String gpu = assignedGpu();
    if (gpu != null && engine.getGpuCount() > 0) {
      return Device.gpu(Integer.parseInt(gpu));
    }
    return Device.cpu();
  }
}
