package io.dermsynth.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class TestBootstrap {

  /** Accuracy of a fixed correctness vector over the resampled indices. */
  static ToDoubleFunction<int[]> accuracy(boolean[] correct) {
    return idx -> {
      int ok = 0;
      for (int i : idx) {
        ok += correct[i] ? 1 : 0;
      }
      return (double) ok / idx.length;
    };
  }

  @Test
  void intervalCoversTheEstimateAndShrinksWithData() {
    SplittableRandom r = new SplittableRandom(3);
    double[] widths = new double[2];
    int[] sizes = {100, 1600};
    for (int s = 0; s < 2; s++) {
      boolean[] correct = new boolean[sizes[s]];
      int[] groups = new int[sizes[s]];
      for (int i = 0; i < sizes[s]; i++) {
        correct[i] = r.nextDouble() < 0.7;
        groups[i] = i;
      }
      var ci = new Bootstrap(groups, 1000, 1, 0.95).interval(accuracy(correct));
      assertTrue(ci.lower() <= ci.estimate() && ci.estimate() <= ci.upper(), ci.toString());
      widths[s] = ci.upper() - ci.lower();
    }
    // Width ∝ 1/√n: 16× the data, about a quarter of the width.
    assertEquals(0.25, widths[1] / widths[0], 0.08);
  }

  @Test
  void resamplesWholeGroups() {
    // Two lesions of 50 images each: one all right, one all wrong. Resampling lesions gives only
    // 0, 0.5 or 1; resampling images one by one would give values near 0.5.
    boolean[] correct = new boolean[100];
    int[] groups = new int[100];
    for (int i = 0; i < 100; i++) {
      correct[i] = i < 50;
      groups[i] = i < 50 ? 0 : 1;
    }
    var ci = new Bootstrap(groups, 400, 7, 0.95).interval(accuracy(correct));
    assertEquals(0.5, ci.estimate(), 1e-12);
    assertEquals(0.0, ci.lower(), 1e-12);
    assertEquals(1.0, ci.upper(), 1e-12);
  }

  @Test
  void pairedDifferenceOfIdenticalModelsIsZeroAndDeterministic() {
    boolean[] correct = new boolean[200];
    int[] groups = new int[200];
    for (int i = 0; i < 200; i++) {
      correct[i] = i % 3 != 0;
      groups[i] = i / 2;
    }
    Bootstrap b = new Bootstrap(groups, 300, 11, 0.95);
    var same = b.pairedDifference(accuracy(correct), accuracy(correct));
    assertEquals(0, same.lower(), 0);
    assertEquals(0, same.upper(), 0);
    assertEquals(b.interval(accuracy(correct)), new Bootstrap(groups, 300, 11, 0.95).interval(accuracy(correct)));
  }
}
