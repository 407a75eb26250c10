package io.dermsynth.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Binary ROC: the area (Mann–Whitney with average ranks for ties, as sklearn) and the curve. */
public final class RocAuc {

  /** One point of the ROC curve. */
  public record Point(double falsePositiveRate, double truePositiveRate, double threshold) {}

  private RocAuc() {}

  /** AUC of {@code scores} for {@code positive}; NaN when either class is absent. */
  public static double auc(boolean[] positive, double[] scores) {
    int n = scores.length;
    Integer[] order = sortedIndices(scores, false);
    double[] rank = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double avg = (i + j) / 2.0 + 1;  // ranks are 1-based
      for (int k = i; k <= j; k++) {
        rank[order[k]] = avg;
      }
      i = j + 1;
    }
    long pos = 0;
    double rankSum = 0;
    for (int k = 0; k < n; k++) {
      if (positive[k]) {
        pos++;
        rankSum += rank[k];
      }
    }
    long neg = n - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /** The curve from (0,0) to (1,1), one point per distinct score; empty when a class is absent. */
  public static List<Point> curve(boolean[] positive, double[] scores) {
    Integer[] order = sortedIndices(scores, true);
    long pos = 0;
    for (boolean p : positive) {
      pos += p ? 1 : 0;
    }
    long neg = positive.length - pos;
    List<Point> pts = new ArrayList<>();
    if (pos == 0 || neg == 0) {
      return pts;
    }
    pts.add(new Point(0, 0, Double.POSITIVE_INFINITY));
    long tp = 0;
    long fp = 0;
    for (int k = 0; k < order.length; k++) {
      if (positive[order[k]]) {
        tp++;
      } else {
        fp++;
      }
      boolean lastOfTie = k + 1 == order.length || scores[order[k + 1]] != scores[order[k]];
      if (lastOfTie) {
        pts.add(new Point((double) fp / neg, (double) tp / pos, scores[order[k]]));
      }
    }
    return pts;
  }

  private static Integer[] sortedIndices(double[] scores, boolean descending) {
    Integer[] idx = new Integer[scores.length];
    Arrays.setAll(idx, k -> k);
    Comparator<Integer> byScore = Comparator.comparingDouble(k -> scores[k]);
    Arrays.sort(idx, descending ? byScore.reversed() : byScore);
    return idx;
  }
}
