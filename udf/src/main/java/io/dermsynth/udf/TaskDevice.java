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

  public static Device forTask() {
    String gpu = assignedGpu();
    if (gpu != null && Engine.getInstance().getGpuCount() > 0) {
      return Device.gpu(Integer.parseInt(gpu));
    }
    return Device.cpu();
  }
}
