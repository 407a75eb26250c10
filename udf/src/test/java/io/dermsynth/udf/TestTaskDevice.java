package io.dermsynth.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class TestTaskDevice {

  @Test
  void theDeviceFollowsTheAddressSparkAssigned() {
    assertEquals(Device.gpu(1), TaskDevice.choose("1", 2));
    assertEquals(Device.gpu(0), TaskDevice.choose(" 0 ", 1));
    // No GPU assigned, or a CPU-only libtorch: the CPU.
    assertEquals(Device.cpu(), TaskDevice.choose(null, 4));
    assertEquals(Device.cpu(), TaskDevice.choose("1", 0));
  }

  @Test
  void anAddressLibtorchCannotSeeIsAClearError() {
    String beyond = assertThrows(IllegalStateException.class, () -> TaskDevice.choose("2", 2)).getMessage();
    assertTrue(beyond.contains("GPU 2") && beyond.contains("2 GPU(s)") && beyond.contains("CUDA_VISIBLE_DEVICES"),
        beyond);
    String name = assertThrows(IllegalStateException.class, () -> TaskDevice.choose("GPU-5f2a", 1)).getMessage();
    assertTrue(name.contains("'GPU-5f2a'") && name.contains("ordinal"), name);
  }
}
