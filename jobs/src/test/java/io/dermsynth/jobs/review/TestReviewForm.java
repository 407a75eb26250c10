package io.dermsynth.jobs.review;

import io.dermsynth.jobs.review.page.EditStrip;
import io.dermsynth.jobs.review.page.LpipsChart;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.settings.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The review page's pure parts: the decision form, what a strip's LPIPS implies, the chart, settings. */
class TestReviewForm {

  private static Map<String, List<String>> form(String... kv) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], List.of(kv[i + 1]));
    }
    return m;
  }

  @Test
  void anApprovalNeedsANameAndAnOrderedNumericRange() throws Exception {
    ReviewForm ok = ReviewForm.parse(form("decision", "approved", "name", " lesion size ", "alpha_min", "-1.5",
        "alpha_max", "3", "reviewer", "ana", "note", "line one\nline two"));
    assertEquals(new ReviewForm("approved", "lesion size", -1.5, 3.0, "line one\nline two", "ana"), ok);
    ReviewForm.Invalid e = assertThrows(ReviewForm.Invalid.class, () -> ReviewForm.parse(form("decision",
        "approved", "name", "", "alpha_min", "3", "alpha_max", "x", "reviewer", "")));
    assertEquals(List.of("an approved direction needs a name (what it changes, e.g. 'lesion size')",
        "reviewer is required", "alpha_max must be a number, got 'x'"), e.problems());
    assertEquals(List.of("alpha_min (2.0) must be below alpha_max (2.0)"), assertThrows(ReviewForm.Invalid.class,
        () -> ReviewForm.parse(form("decision", "approved", "name", "n", "alpha_min", "2", "alpha_max", "2",
            "reviewer", "r"))).problems());
    assertEquals(List.of("alpha_max = Infinity must be a finite number in [-100, 100]"), assertThrows(
        ReviewForm.Invalid.class, () -> ReviewForm.parse(form("decision", "approved", "name", "n", "alpha_min",
            "0", "alpha_max", "Infinity", "reviewer", "r"))).problems());
    assertEquals(List.of("name contains control characters"), assertThrows(ReviewForm.Invalid.class,
        () -> ReviewForm.parse(form("decision", "rejected", "name", "a\u0000b", "reviewer", "r"))).problems());
  }

  @Test
  void aRejectionKeepsNoRangeAndNeedsNoName() throws Exception {
    ReviewForm r = ReviewForm.parse(form("decision", "rejected", "alpha_min", "junk", "reviewer", "bo"));
    assertEquals("rejected", r.decision());
    assertNull(r.alphaMin());
    assertNull(r.name());
    assertTrue(assertThrows(ReviewForm.Invalid.class, () -> ReviewForm.parse(form("reviewer", "bo")))
        .getMessage().contains("decision must be one of [approved, rejected], got ''"));
  }

  @Test
  void theStripFlagsStepsAboveTheThresholdAndSuggestsTheRunAroundZero() {
    List<Double> alphas = List.of(-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0);
    // Two samples; means 0.25 0.19 0.15 0.10 0.15 0.20 0.30.
    EditStrip s = new EditStrip(new byte[2][7][], new double[][] {
        {0.30, 0.18, 0.10, 0.05, 0.10, 0.20, 0.40}, {0.20, 0.20, 0.20, 0.15, 0.20, 0.20, 0.20}});
    assertArrayEquals(new double[] {0.25, 0.19, 0.15, 0.10, 0.15, 0.20, 0.30}, s.meanLpips(), 1e-12);
    assertEquals(List.of(-3.0, 3.0), s.flaggedAlphas(alphas, 0.2));
    assertArrayEquals(new double[] {-2.0, 2.0}, s.suggestedRange(alphas, 0.2));
    assertArrayEquals(new double[] {-1.0, 1.0}, s.suggestedRange(alphas, 0.16));
    assertNull(s.suggestedRange(alphas, 0.12), "only the zero step within: no range");
    assertNull(s.suggestedRange(alphas, 0.05), "even alpha 0 exceeds it");
  }

  @Test
  void theChartPlacesOneDotPerStepColouredByTheThreshold() {
    String svg = LpipsChart.svg(List.of(-1.0, 0.0, 1.0), new double[] {0.1, 0.0, 0.3}, 0.2, 100, 40);
    assertEquals(3, svg.split("<circle").length - 1);
    assertEquals(1, svg.split("#c62828").length - 1, "one step above 0.2");
    // x from 4 to 96; y spans [min, max] of the values and 0.2 = [0, 0.3]: 0.3 at y 4, 0 at y 36.
    assertTrue(svg.contains("points=\"4.0,25.3 50.0,36.0 96.0,4.0\""), svg);
    assertTrue(svg.contains("y1=\"14.7\""), "threshold 0.2 at y 36 − 32·2/3: " + svg);
    // Values 0.19 … 0.2 and threshold 0.2: the axis is [0.19, 0.2] widened to 0.02 around 0.195.
    String flat = LpipsChart.svg(List.of(-1.0, 1.0), new double[] {0.19, 0.2}, 0.2, 100, 40);
    assertTrue(flat.contains("points=\"4.0,28.0 96.0,12.0\""), flat);
  }

  @Test
  void aNonLoopbackAddressNeedsTheExplicitFlag() {
    Settings s = Settings.load(List.of(), Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReviewSettings.of(s, "0.0.0.0", null, false));
    assertTrue(e.getMessage().contains("not a loopback address") && e.getMessage().contains("--allow-remote"),
        e.getMessage());
    assertEquals("0.0.0.0", ReviewSettings.of(s, "0.0.0.0", 0, true).host());
    assertEquals("127.0.0.1", ReviewSettings.of(s, null, null, false).host());
    assertEquals(8765, ReviewSettings.of(s, null, null, false).port());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ReviewSettings.of(Settings.load(List.of(),
        Map.of("review.token", "short")), null, null, false)).getMessage().contains("at least 16"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ReviewSettings.of(Settings.load(List.of(),
        Map.of("review.alphas", "[1, 0]")), null, null, false)).getMessage().contains("strictly ascending"));
  }
}
