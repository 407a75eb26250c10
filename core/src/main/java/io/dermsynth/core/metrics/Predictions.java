package io.dermsynth.core.metrics;

/**
 * One classifier's answers on a labelled test set: true labels, class probabilities, predicted labels
 * (arg-max), and each image's lesion group (the bootstrap resamples lesions, not images).
 */
public record Predictions(int[] labels, double[][] proba, int[] predicted, int[] lesionGroup) {

  public Predictions {
    if (proba.length != labels.length || predicted.length != labels.length || lesionGroup.length != labels.length) {
      throw new IllegalArgumentException("labels " + labels.length + ", proba " + proba.length + ", predicted "
          + predicted.length + ", lesion groups " + lesionGroup.length + ": one each per image");
    }
  }

  public int classes() {
    return proba.length == 0 ? 0 : proba[0].length;
  }

  /** The metrics on the images {@code idx} (a bootstrap resample: repeats count as often as drawn). */
  public ClassificationMetrics on(int[] idx) {
    int[] ys = new int[idx.length];
    int[] ps = new int[idx.length];
    double[][] pr = new double[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      ys[i] = labels[idx[i]];
      ps[i] = predicted[idx[i]];
      pr[i] = proba[idx[i]];
    }
    return ClassificationMetrics.compute(ys, ps, pr, classes());
  }

  /** Recall of class {@code k} on the images {@code idx}; NaN when none of them is of class k. */
  public double recallOn(int[] idx, int k) {
    long tp = 0;
    long n = 0;
    for (int i : idx) {
      if (labels[i] == k) {
        n++;
        if (predicted[i] == k) {
          tp++;
        }
      }
    }
    return n == 0 ? Double.NaN : (double) tp / n;
  }
}
