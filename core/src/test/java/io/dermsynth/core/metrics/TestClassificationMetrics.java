package io.dermsynth.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Against scikit-learn / SciPy values made by tools/fixtures/make_metric_fixtures.py. */
class TestClassificationMetrics {

  static final double TOL = 1e-6;

  static JsonNode fixtures() throws IOException {
    try (InputStream in = TestClassificationMetrics.class.getResourceAsStream("/fixtures/metrics.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static int[] ints(JsonNode n) {
    int[] v = new int[n.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = n.get(i).asInt();
    }
    return v;
  }

  static double[] doubles(JsonNode n) {
    double[] v = new double[n.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = n.get(i).asDouble();
    }
    return v;
  }

  static double[][] matrix(JsonNode n) {
    double[][] m = new double[n.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = doubles(n.get(i));
    }
    return m;
  }

  @Test
  void equalToSklearnOnEveryCase() throws IOException {
    JsonNode cases = fixtures().get("classification");
    assertTrue(cases.size() >= 3);
    for (JsonNode c : cases) {
      int[] yTrue = ints(c.get("y_true"));
      ClassificationMetrics m = ClassificationMetrics.compute(yTrue, ints(c.get("y_pred")),
          matrix(c.get("proba")), 7);
      assertEquals(c.get("balanced_accuracy").asDouble(), m.balancedAccuracy(), TOL);
      assertEquals(c.get("auc_macro").asDouble(), m.aucMacro(), TOL);
      double[] auc = doubles(c.get("auc_per_class"));
      double[] precision = doubles(c.get("precision"));
      double[] recall = doubles(c.get("recall"));
      double[] f1 = doubles(c.get("f1"));
      for (int k = 0; k < 7; k++) {
        assertEquals(auc[k], m.aucPerClass()[k], TOL, "auc " + k);
        assertEquals(precision[k], m.precision()[k], TOL, "precision " + k);
        assertEquals(recall[k], m.recall()[k], TOL, "recall " + k);
        assertEquals(f1[k], m.f1()[k], TOL, "f1 " + k);
        for (int p = 0; p < 7; p++) {
          assertEquals(c.get("confusion").get(k).get(p).asLong(), m.confusion()[k][p]);
        }
      }
      // The edge cases are really there: one class with a single sample, one never predicted.
      assertTrue(java.util.Arrays.stream(m.support()).anyMatch(s -> s == 1));
      assertTrue(java.util.stream.IntStream.range(0, 7).anyMatch(k -> m.precision()[k] == 0
          && java.util.Arrays.stream(m.confusion()).allMatch(row -> row[k] == 0)));
    }
  }

  @Test
  void classesWithoutTrueSamplesAreLeftOutOfMacroFigures() {
    // Only classes 0 and 1 present in truth (like an external set without some classes).
    int[] yTrue = {0, 0, 1, 1};
    int[] yPred = {0, 2, 1, 1};
    double[][] p = {{.8, .1, .1}, {.3, .2, .5}, {.1, .8, .1}, {.2, .7, .1}};
    ClassificationMetrics m = ClassificationMetrics.compute(yTrue, yPred, p, 3);
    assertEquals((0.5 + 1.0) / 2, m.balancedAccuracy(), 1e-12);
    assertTrue(Double.isNaN(m.recall()[2]) && Double.isNaN(m.aucPerClass()[2]));
    assertEquals((m.aucPerClass()[0] + m.aucPerClass()[1]) / 2, m.aucMacro(), 1e-12);
  }

  @Test
  void frechetAndKidEqualScipy() throws IOException {
    JsonNode cases = fixtures().get("features");
    assertTrue(cases.size() >= 3);
    for (JsonNode c : cases) {
      double[][] a = matrix(c.get("a"));
      double[][] b = matrix(c.get("b"));
      double fd = c.get("frechet").asDouble();
      assertEquals(fd, FeatureDistances.frechet(a, b), TOL * Math.max(1, Math.abs(fd)));
      assertEquals(c.get("kid").asDouble(), FeatureDistances.kid(a, b), TOL);
      assertEquals(0, FeatureDistances.frechet(a, a), 1e-6);
    }
  }
}
