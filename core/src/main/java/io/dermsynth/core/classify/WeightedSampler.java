package io.dermsynth.core.classify;

import java.util.SplittableRandom;

/**
 * Weighted oversampling for class imbalance: each sample is drawn with probability ∝ 1 / (size of its
 * class), so every class is drawn about equally often; draws are with replacement. With synthetic
 * samples the class sizes are the <em>real</em> counts, and a synthetic sample weighs
 * {@code syntheticWeight} times a real one: real images are then drawn as often as without them, and
 * a class's synthetic share of its draws is s·m / (n + s·m) — not a class cue unless the allocation
 * makes it one.
 */
public final class WeightedSampler {

  private final double[] cumulative;
  private final double[] classWeight;

  /** @param labels class of every sample, in [0, classes) */
  public WeightedSampler(int[] labels, int classes) {
    this(labels, new boolean[labels.length], classes, 1);
  }

  /**
   * @param labels class of every sample, in [0, classes)
   * @param synthetic which samples are synthetic
   * @param syntheticWeight a synthetic sample's weight relative to a real one of its class (≥ 0; 0 never
   *     draws one)
   */
  public WeightedSampler(int[] labels, boolean[] synthetic, int classes, double syntheticWeight) {
    if (synthetic.length != labels.length || !(syntheticWeight >= 0)) {
      throw new IllegalArgumentException(labels.length + " labels, " + synthetic.length + " synthetic flags, "
          + "synthetic weight " + syntheticWeight + " (want equal lengths and a weight ≥ 0)");
    }
    long[] realCount = new long[classes];
    long[] allCount = new long[classes];
    for (int i = 0; i < labels.length; i++) {
      allCount[labels[i]]++;
      realCount[labels[i]] += synthetic[i] ? 0 : 1;
    }
    // 1 / (real images of the class); a class without real ones (a synthetic-only set) is sized by its
    // synthetic ones. Scaled as classWeights over the real images, so that the real images' weights are
    // the same numbers with or without synthetic ones.
    int present = 0;
    long realTotal = 0;
    for (int k = 0; k < classes; k++) {
      present += allCount[k] > 0 ? 1 : 0;
      realTotal += realCount[k];
    }
    long scale = realTotal > 0 ? realTotal : labels.length;
    this.classWeight = new double[classes];
    for (int k = 0; k < classes; k++) {
      long n = realCount[k] > 0 ? realCount[k] : allCount[k];
      classWeight[k] = n == 0 ? 0 : (double) scale / (present * (double) n);
    }
    cumulative = new double[labels.length];
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      boolean scaled = synthetic[i] && realCount[labels[i]] > 0;
      sum += classWeight[labels[i]] * (scaled ? syntheticWeight : 1);
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

  /** The probability that one draw picks sample {@code i}. */
  public double probability(int i) {
    return (cumulative[i] - (i == 0 ? 0 : cumulative[i - 1])) / cumulative[cumulative.length - 1];
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
