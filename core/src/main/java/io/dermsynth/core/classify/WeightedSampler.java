package io.dermsynth.core.classify;

import java.util.SplittableRandom;

/**
 * Weighted oversampling for class imbalance: each sample is drawn with probability ∝ 1 / (size of its
 * class), so every class is drawn about equally often; an epoch is as many draws, with replacement,
 * as there are samples.
 */
public final class WeightedSampler {

  private final double[] cumulative;
  private final double[] classWeight;

  /** @param labels class of every sample, in [0, classes) */
  public WeightedSampler(int[] labels, int classes) {
    this.classWeight = classWeights(labels, classes);
    cumulative = new double[labels.length];
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      sum += classWeight[labels[i]];
      cumulative[i] = sum;
    }
  }

  /**
   * 1 / count per class, scaled so that the weights average 1 over the samples (so a weighted loss
   * keeps the scale of the unweighted one); 0 for absent classes.
   */
  public static double[] classWeights(int[] labels, int classes) {
    long[] count = new long[classes];
    for (int y : labels) {
      count[y]++;
    }
    int present = 0;
    for (long c : count) {
      present += c > 0 ? 1 : 0;
    }
    double[] w = new double[classes];
    for (int k = 0; k < classes; k++) {
      w[k] = count[k] == 0 ? 0 : (double) labels.length / (present * (double) count[k]);
    }
    return w;
  }

  public double[] classWeights() {
    return classWeight.clone();
  }

  /** {@code n} sample indices drawn with replacement. */
  public int[] draw(int n, SplittableRandom rnd) {
    int[] out = new int[n];
    double total = cumulative[cumulative.length - 1];
    for (int i = 0; i < n; i++) {
      double u = rnd.nextDouble() * total;
      int idx = java.util.Arrays.binarySearch(cumulative, u);
      out[i] = idx >= 0 ? Math.min(idx + 1, cumulative.length - 1) : -idx - 1;
    }
    return out;
  }
}
