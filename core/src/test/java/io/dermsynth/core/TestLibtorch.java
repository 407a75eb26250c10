package io.dermsynth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TestLibtorch {

  @Test
  void theDefaultBuildRecordsTheCpuFlavourAndLeavesDjlAlone() {
    var p = Libtorch.build();
    assertEquals("cpu", p.getProperty("flavor"));
    assertEquals("2.7.1", p.getProperty("version"));
    Libtorch.configure();
    assertNull(System.getProperty("PYTORCH_FLAVOR"));
    assertNull(System.getProperty("PYTORCH_VERSION"));
  }
}
