package io.dermsynth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /**
   * Whatever this CPU is, the convolutions the jobs run on after the check agree with float64 (on the
   * AMD EPYC where oneDNN's did not, 0.13–0.48 relative error and NaN before the check turned it off).
   */
  @Test
  void theConvolutionsInUseAgreeWithFloat64() {
    var verdict = ConvolutionCheck.ensure();
    double now = ConvolutionCheck.worstError();
    assertTrue(now <= ConvolutionCheck.TOLERANCE, "relative error " + now + " after " + verdict);
    assertTrue(now < 1e-5, "relative error " + now + ": more than float32 rounding");
  }
}
