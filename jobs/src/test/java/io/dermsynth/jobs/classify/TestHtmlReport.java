package io.dermsynth.jobs.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.metrics.Bootstrap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestHtmlReport {

  @Test
  void cellsCarryTheirFiguresAndTextIsEscaped() {
    String table = HtmlReport.render("confusion.mustache", HtmlReport.Confusion.of(new long[][] {{3, 1}, {0, 0}},
        List.of("a<b", "c")));
    // Row 0: 3 of 4 → shade 255 − 180 × 0.75 = 120; an empty row is white.
    assertTrue(table.contains("<td style=\"background:rgb(120,120,255)\" data-metric=\"confusion_0_0\">3</td>"), table);
    assertTrue(table.contains("data-metric=\"confusion_1_1\">0</td>") && table.contains("rgb(255,255,255)"), table);
    assertTrue(table.contains("<th>a&lt;b</th>") && !table.contains("a<b"), table);

    String ci = HtmlReport.render("ci.mustache", HtmlReport.Ci.of(new Bootstrap.Interval(0.81234, 0.7, Double.NaN, 9),
        "balanced_accuracy"));
    assertEquals("<span data-metric=\"balanced_accuracy\">0.8123</span> [0.7000, –]", ci);
    assertEquals("<span class=\"down\" data-metric=\"delta\">-0.0500</span> [-0.0900, -0.0100]",
        HtmlReport.render("delta.mustache", HtmlReport.DeltaCell.of(new Bootstrap.Interval(-0.05, -0.09, -0.01, 9))));
    assertEquals("–", HtmlReport.render("delta.mustache", HtmlReport.DeltaCell.of(null)));
    assertEquals("–", HtmlReport.render("delta.mustache", Map.of("delta", List.of())));
  }
}
