package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.TestCommandLine.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `dermsynth demo` end to end with its defaults: every stage, then baseline vs the augmented arm. */
class TestDemo {

  @TempDir Path tmp;

  @Test
  void theDemoRunsThePipelineAndItsReportHasBothArmsAsInEvaluations() throws Exception {
    Path wh = tmp.resolve("warehouse");
    Outcome demo = cli("demo", "--set", "warehouse=" + wh, "--set", "demo.work_dir=" + tmp.resolve("work"));
    assertEquals(0, demo.code(), demo.err());
    // Kept for the README's demo transcript.
    Files.writeString(Path.of("target", "demo-output.txt"), demo.out());
    for (int step = 1; step <= 10; step++) {
      assertTrue(demo.out().contains("[" + step + "/10]"), step + ": " + demo.out());
    }
    assertTrue(demo.out().contains("approved automatically"), demo.out());
    JobContext ctx = SparkTest.context(wh);
    String experiment = ctx.tables().read(Tables.EVALUATIONS).where("experiment_id IS NOT NULL")
        .select("experiment_id").distinct().first().getString(0);
    List<Row> evals = ctx.tables().read(Tables.EVALUATIONS).where("experiment_id = '" + experiment + "'")
        .orderBy("evaluated_at").collectAsList();
    assertEquals(List.of("baseline", "sa300"), evals.stream().map(r -> r.<String>getAs("arm")).toList());
    Path report = wh.resolve("report/experiments/" + experiment + "/index.html");
    assertTrue(demo.out().contains("Report: " + report), demo.out());
    String html = Files.readString(report);
    for (Row r : evals) {
      String arm = r.getAs("arm");
      // One seed: the arm's figure is its evaluation row's, in both tables of the report.
      String armRow = row(html, "<tr data-arm=\"" + arm + "\">");
      String evalRow = row(html, "<tr data-run=\"" + r.getAs("run_id") + "\">");
      for (String metric : List.of("balanced_accuracy", "auc_macro")) {
        String expected = "<span data-metric=\"" + metric + "\">" + EvaluationReport.fmt(r.getAs(metric)) + "</span>";
        assertTrue(armRow.contains(expected), arm + " " + metric + ": " + armRow);
        assertTrue(evalRow.contains(expected), arm + " " + metric + ": " + evalRow);
      }
      java.util.Map<String, Double> recall = r.getJavaMap(r.fieldIndex("recall"));
      recall.forEach((dx, v) -> assertTrue(armRow.contains("<span data-metric=\"recall_" + dx + "\">"
          + EvaluationReport.fmt(v) + "</span>"), arm + " recall " + dx + ": " + armRow));
      assertTrue(demo.out().contains(String.format(java.util.Locale.ROOT, "balanced accuracy %.4f",
          r.<Double>getAs("balanced_accuracy"))), demo.out());
    }
    assertTrue(html.contains("Synthetic examples per class"));
  }

  private static String row(String html, String start) {
    String from = html.substring(html.indexOf(start));
    return from.substring(0, from.indexOf("</tr>"));
  }
}
