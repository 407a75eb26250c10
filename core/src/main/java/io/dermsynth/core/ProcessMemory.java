package io.dermsynth.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's resident set size (heap + native: libtorch, Spark off-heap), for leak checks in logs. */
public final class ProcessMemory {

  private ProcessMemory() {}

  /** VmRSS in MiB from /proc (Linux); -1 where that is not available. */
  public static long rssMiB() {
    return statusMiB("VmRSS:");
  }

  /** VmHWM, the peak resident set size so far, in MiB; -1 where that is not available. */
  public static long peakRssMiB() {
    return statusMiB("VmHWM:");
  }

  private static long statusMiB(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux: the figure is informative only.
    }
    return -1;
  }
}
