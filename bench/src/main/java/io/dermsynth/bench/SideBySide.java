package io.dermsynth.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The bare DJL loop and the Spark Transformer doing the same work, timed in alternating rounds so that
 * load from other processes falls on both alike; each side returns how many items it processed. Prints
 * a {@code throughput_round} line per round; the summary is the mean rates and the median ratio.
 */
final class SideBySide {

  record Summary(int rounds, double bare, double transformer, double medianRatio, double min, double max) {}

  private SideBySide() {}

  static Summary run(int rounds, String unit, LongSupplier bare, LongSupplier transformer) {
    double[] ratios = new double[rounds];
    double bareSum = 0;
    double sparkSum = 0;
    for (int r = 0; r < rounds; r++) {
      double b = rate(bare);
      double s = rate(transformer);
      ratios[r] = s / b;
      bareSum += b;
      sparkSum += s;
      System.out.printf(Locale.ROOT, "throughput_round %d bare_%s_per_s=%.2f transformer_%s_per_s=%.2f ratio=%.3f%n",
          r, unit, b, unit, s, ratios[r]);
    }
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    return new Summary(rounds, bareSum / rounds, sparkSum / rounds, sorted[rounds / 2], sorted[0],
        sorted[rounds - 1]);
  }

  private static double rate(LongSupplier work) {
    long t0 = System.nanoTime();
    long n = work.getAsLong();
    return n / ((System.nanoTime() - t0) / 1e9);
  }
}
