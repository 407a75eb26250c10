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
}
