package io.dermsynth.core;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Every test JVM (this module's, and those of the modules that use core's test jar) checks libtorch's
 * convolutions before its first test, as every job does before its first network ({@link
 * ConvolutionCheck}): tests run on the kernels the jobs would run on.
 */
public final class CheckedKernels implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    Libtorch.load();
  }
}
