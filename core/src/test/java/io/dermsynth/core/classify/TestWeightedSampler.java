package io.dermsynth.core.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.data.Diagnosis;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestWeightedSampler {

  /** Labels with HAM10000's class counts (10,015 images, nv 67%, df 1.1%). */
  static int[] hamLabels() {
    int[] labels = new int[Diagnosis.hamTotal()];
    int i = 0;
    for (Diagnosis d : Diagnosis.values()) {
      for (int k = 0; k < d.hamCount; k++) {
        labels[i++] = d.ordinal();
      }
    }
    return labels;
  }

  @Test
  void oneEpochDrawsEveryClassWithinTenPercentOfUniform() {
    int[] labels = hamLabels();
    int[] drawn = new WeightedSampler(labels, 7).draw(labels.length, new SplittableRandom(42));
    long[] count = new long[7];
    for (int i : drawn) {
      count[labels[i]]++;
    }
    double uniform = labels.length / 7.0;
    for (int k = 0; k < 7; k++) {
      assertEquals(uniform, count[k], 0.10 * uniform, Diagnosis.values()[k] + ": " + count[k]);
    }
  }

  @Test
  void classWeightsAreInverseFrequencyWithMeanOne() {
    int[] labels = {0, 0, 0, 1, 2, 2};
    double[] w = WeightedSampler.classWeights(labels, 4);
    assertEquals(6.0 / (3 * 3), w[0], 1e-12);
    assertEquals(6.0 / (3 * 1), w[1], 1e-12);
    assertEquals(0, w[3]);
    double mean = 0;
    for (int y : labels) {
      mean += w[y] / labels.length;
    }
    assertEquals(1.0, mean, 1e-12);
    assertTrue(w[1] > w[2] && w[2] > w[0]);
  }

  @Test
  void syntheticSamplesWeighByRealCounts() {
    // Class 0: 4 real + 2 synthetic; class 1: 1 real + 3 synthetic; class 2: 2 synthetic only.
    int[] labels = {0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 2, 2};
    boolean[] synthetic = {false, false, false, false, false, true, true, true, true, true, true, true};
    double s = 0.5;
    WeightedSampler w = new WeightedSampler(labels, synthetic, 3, s);
    // Real-count class weights 1/4 and 1/1 (scaled alike), a synthetic image s times its class's
    // real weight; class 2 has no real images and is sized by its 2 synthetic ones.
    double[] raw = {0.25, 0.25, 0.25, 0.25, 1, 0.25 * s, 0.25 * s, s, s, s, 0.5, 0.5};
    double total = java.util.Arrays.stream(raw).sum();
    for (int i = 0; i < labels.length; i++) {
      assertEquals(raw[i] / total, w.probability(i), 1e-12, "sample " + i);
    }
    // Class 1's synthetic share of its draws is s·m / (n + s·m) = 1.5 / 2.5.
    assertEquals(0.6, (w.probability(7) * 3) / (w.probability(4) + w.probability(7) * 3), 1e-12);
    // Weight 0: synthetic images are never drawn, and real ones are drawn exactly as without them.
    WeightedSampler none = new WeightedSampler(labels, synthetic, 3, 0);
    WeightedSampler realOnly = new WeightedSampler(java.util.Arrays.copyOf(labels, 5), 3);
    int[] a = none.draw(500, new SplittableRandom(3));
    int[] b = realOnly.draw(500, new SplittableRandom(3));
    for (int i = 0; i < a.length; i++) {
      assertTrue(!synthetic[a[i]] || labels[a[i]] == 2, "drew synthetic " + a[i]);
    }
    assertEquals(0, none.probability(5));
    int[] labelsNoClass2 = java.util.Arrays.copyOf(labels, 10);
    boolean[] synNoClass2 = java.util.Arrays.copyOf(synthetic, 10);
    assertTrue(java.util.Arrays.equals(new WeightedSampler(labelsNoClass2, synNoClass2, 3, 0)
        .draw(500, new SplittableRandom(3)), b), "weight 0 draws as the real set alone");
  }
}
