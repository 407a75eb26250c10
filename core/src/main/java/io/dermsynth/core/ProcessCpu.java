package io.dermsynth.core;

import java.lang.management.ManagementFactory;

/**
 * CPU time of this JVM, every thread together: Spark's task threads and libtorch's OpenMP workers, which
 * a per-thread clock (Spark's executorCpuTime) does not see. For the cost of runs and ticks (CPU-hours).
 */
public final class ProcessCpu {

  private ProcessCpu() {}

  /** Nanoseconds of CPU this process has used, or −1 where the JVM cannot say. */
  public static long nanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Seconds of CPU between two {@link #nanos} readings, or null where either is unknown. */
  public static Double seconds(long from, long to) {
    return from < 0 || to < 0 ? null : (to - from) / 1e9;
  }
}
