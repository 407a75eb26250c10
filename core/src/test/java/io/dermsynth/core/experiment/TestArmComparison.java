package io.dermsynth.core.experiment;

import io.dermsynth.core.metrics.ClassificationMetrics;
import io.dermsynth.core.metrics.Predictions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestArmComparison {

  /** 60 images of 3 classes in 30 lesions (two images each); a classifier right with probability p. */
  static Predictions classifier(double p, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 60;
    int[] labels = new int[n];
    int[] pred = new int[n];
    int[] group = new int[n];
    double[][] proba = new double[n][3];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      group[i] = i / 2;
      pred[i] = r.nextDouble() < p ? labels[i] : (labels[i] + 1 + r.nextInt(2)) % 3;
      for (int k = 0; k < 3; k++) {
        proba[i][k] = k == pred[i] ? 0.6 + 0.3 * r.nextDouble() : 0.05 + 0.1 * r.nextDouble();
      }
    }
    return new Predictions(labels, proba, pred, group);
  }

  @Test
  void aResampleCountsRepeatedImagesAsOftenAsDrawn() {
    Predictions p = classifier(0.7, 1);
    int[] idx = {0, 0, 0, 5, 7, 7, 12, 30, 31, 59};
    int[] ys = new int[idx.length];
    int[] ps = new int[idx.length];
    double[][] pr = new double[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      ys[i] = p.labels()[idx[i]];
      ps[i] = p.predicted()[idx[i]];
      pr[i] = p.proba()[idx[i]];
    }
    ClassificationMetrics expanded = ClassificationMetrics.compute(ys, ps, pr, 3);
    assertEquals(expanded.balancedAccuracy(), p.on(idx).balancedAccuracy(), 0);
    assertEquals(expanded.aucMacro(), p.on(idx).aucMacro(), 0);
    // Class 0 at 0, 0, 0, 12, 30: recall counts each draw.
    long right = java.util.Arrays.stream(new int[] {0, 0, 0, 12, 30}).filter(i -> p.predicted()[i] == 0).count();
    assertEquals(right / 5.0, p.recallOn(idx, 0), 1e-12);
    assertTrue(Double.isNaN(p.recallOn(new int[] {1, 4}, 0)), "no image of class 0 drawn");
  }

  @Test
  void estimatesAreMeansOverSeedsAndAnArmEqualToTheReferenceDiffersByExactlyZero() {
    Predictions b1 = classifier(0.6, 11);
    Predictions b2 = classifier(0.6, 12);
    Predictions g1 = classifier(0.98, 21);
    Predictions g2 = classifier(0.98, 22);
    List<ArmComparison.Summary> s = ArmComparison.compare(List.of(
        new ArmComparison.Arm("baseline", List.of(b1, b2)),
        new ArmComparison.Arm("same", List.of(b1, b2)),
        new ArmComparison.Arm("better", List.of(g1, g2)),
        new ArmComparison.Arm("one-seed", List.of(g1))), 400, 7);
    int[] all = java.util.stream.IntStream.range(0, 60).toArray();
    double baseBa = (b1.on(all).balancedAccuracy() + b2.on(all).balancedAccuracy()) / 2;
    assertEquals(baseBa, s.get(0).balancedAccuracy().estimate(), 1e-12);
    assertEquals((b1.on(all).aucMacro() + b2.on(all).aucMacro()) / 2, s.get(0).aucMacro().estimate(), 1e-12);
    assertEquals((b1.recallOn(all, 2) + b2.recallOn(all, 2)) / 2, s.get(0).recall().get(2).estimate(), 1e-12);
    assertNull(s.get(0).deltaBalancedAccuracy());
    assertEquals("the reference", s.get(0).verdict());

    // The same models as the reference: every paired resample differs by exactly 0.
    var same = s.get(1).deltaBalancedAccuracy();
    assertEquals(0, same.estimate(), 0);
    assertEquals(0, same.lower(), 0);
    assertEquals(0, same.upper(), 0);
    assertEquals("cannot tell at 95%", s.get(1).verdict());

    var better = s.get(2).deltaBalancedAccuracy();
    double betterBa = (g1.on(all).balancedAccuracy() + g2.on(all).balancedAccuracy()) / 2;
    assertEquals(betterBa - baseBa, better.estimate(), 1e-12);
    assertTrue(better.lower() > 0 && better.lower() <= better.estimate() && better.estimate() <= better.upper(),
        better.toString());
    assertEquals("helped", s.get(2).verdict());
    assertTrue(s.get(2).balancedAccuracy().lower() <= betterBa && betterBa <= s.get(2).balancedAccuracy().upper());

    // Seed counts that differ cannot be paired.
    assertNull(s.get(3).deltaBalancedAccuracy());
    assertEquals(g1.on(all).balancedAccuracy(), s.get(3).balancedAccuracy().estimate(), 1e-12);
  }
}
