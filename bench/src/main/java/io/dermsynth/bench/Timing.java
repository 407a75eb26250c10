package io.dermsynth.bench;

import ai.djl.pytorch.jni.JniUtils;
import io.dermsynth.core.ProcessMemory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Warm-up, then each measured run timed on its own: the median is the figure, min and max the spread.
 * The line format is the one bench/peer prints, so bench/peer/ratios.py can pair them.
 */
final class Timing {

  private Timing() {}

  /** Times {@code run}, which processes {@code items} images per call (a batch, or an epoch); returns the median. */
  static double report(String what, String preset, int batch, int items, int warmup, int iters, Runnable run) {
    for (int i = 0; i < warmup; i++) {
      run.run();
    }
    double[] s = new double[iters];
    for (int i = 0; i < iters; i++) {
      long t0 = System.nanoTime();
      run.run();
      s[i] = (System.nanoTime() - t0) / 1e9;
    }
    return report(what, preset, batch, items, s);
  }

  /** Prints the line for runs already timed (seconds per run, {@code items} images each); returns the median. */
  static double report(String what, String preset, int batch, int items, double[] seconds) {
    double[] s = seconds.clone();
    int iters = s.length;
    Arrays.sort(s);
    double median = iters % 2 == 1 ? s[iters / 2] : (s[iters / 2 - 1] + s[iters / 2]) / 2;
    System.out.printf(Locale.ROOT,
        "%s preset=%s batch=%d threads=%d runs=%d median_s=%.3f min_s=%.3f max_s=%.3f img_per_s=%.2f "
            + "peak_rss_mib=%d%n",
        what, preset, batch, JniUtils.getNumThreads(), iters, median, s[0], s[iters - 1], items / median,
        ProcessMemory.peakRssMiB());
    return median;
  }
}
