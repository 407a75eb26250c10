package io.dermsynth.core.metrics;

import java.util.Arrays;

/**
 * The paper's yardsticks for a C-class classifier on one labelled set: balanced accuracy, per-class
 * precision / recall / F1, one-vs-rest ROC AUC per class and macro, and the confusion matrix.
 *
 * <p>Conventions follow scikit-learn so that figures compare with published ones: a class without true
 * samples has no recall and no AUC (NaN) and is left out of balanced accuracy and macro AUC (that is how
 * an external test set without some classes is scored); precision of a never-predicted class is 0.
 *
 * @param confusion counts, rows = true class, columns = predicted class
 * @param support true samples per class
 */
public record ClassificationMetrics(int classes, long[][] confusion, long[] support,
    double[] precision, double[] recall, double[] f1, double balancedAccuracy, double accuracy,
    double[] aucPerClass, double aucMacro) {

  /**
   * @param yTrue true class per sample, in [0, classes)
   * @param yPred predicted class per sample
   * @param proba class probabilities per sample (rows sum to 1), or null to skip AUC
   */
  public static ClassificationMetrics compute(int[] yTrue, int[] yPred, double[][] proba, int classes) {
    if (yTrue.length != yPred.length || (proba != null && proba.length != yTrue.length)) {
      throw new IllegalArgumentException("yTrue has " + yTrue.length + " samples, yPred "
          + yPred.length + (proba == null ? "" : ", proba " + proba.length));
    }
    long[][] cm = new long[classes][classes];
    for (int i = 0; i < yTrue.length; i++) {
      checkClass(yTrue[i], classes, "yTrue", i);
      checkClass(yPred[i], classes, "yPred", i);
      cm[yTrue[i]][yPred[i]]++;
    }
    long[] support = new long[classes];
    long[] predicted = new long[classes];
    long correct = 0;
    for (int t = 0; t < classes; t++) {
      for (int p = 0; p < classes; p++) {
        support[t] += cm[t][p];
        predicted[p] += cm[t][p];
      }
      correct += cm[t][t];
    }
    double[] precision = new double[classes];
    double[] recall = new double[classes];
    double[] f1 = new double[classes];
    for (int k = 0; k < classes; k++) {
      precision[k] = predicted[k] == 0 ? 0 : (double) cm[k][k] / predicted[k];
      recall[k] = support[k] == 0 ? Double.NaN : (double) cm[k][k] / support[k];
      double r = support[k] == 0 ? 0 : recall[k];
      f1[k] = precision[k] + r == 0 ? 0 : 2 * precision[k] * r / (precision[k] + r);
    }
    double[] auc = new double[classes];
    Arrays.fill(auc, Double.NaN);
    if (proba != null) {
      for (int k = 0; k < classes; k++) {
        boolean[] pos = new boolean[yTrue.length];
        double[] score = new double[yTrue.length];
        for (int i = 0; i < yTrue.length; i++) {
          pos[i] = yTrue[i] == k;
          score[i] = proba[i][k];
        }
        auc[k] = RocAuc.auc(pos, score);
      }
    }
    return new ClassificationMetrics(classes, cm, support, precision, recall, f1, nanMean(recall),
        yTrue.length == 0 ? Double.NaN : (double) correct / yTrue.length, auc, nanMean(auc));
  }

  /** Mean over the values that are defined; NaN when none is. */
  static double nanMean(double[] v) {
    double sum = 0;
    int n = 0;
    for (double x : v) {
      if (!Double.isNaN(x)) {
        sum += x;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static void checkClass(int c, int classes, String what, int i) {
    if (c < 0 || c >= classes) {
      throw new IllegalArgumentException(what + "[" + i + "] = " + c + " is outside [0, " + classes + ")");
    }
  }
}
