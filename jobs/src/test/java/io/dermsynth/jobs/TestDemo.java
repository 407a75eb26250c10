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

/**
 * `dermsynth demo` end to end: every stage, then baseline vs the augmented arm. Smaller than its defaults
 * (a 1-kimg GAN, 300 images, a third of the inverter steps, one seed): nothing here depends on the
 * models' quality, and the suite's time is bounded.
 */
class TestDemo {

  @TempDir Path tmp;

  @Test
  void theDemoRunsThePipelineAndItsReportHasBothArmsAsInEvaluations() throws Exception {
    Path wh = tmp.resolve("warehouse");
    Outcome demo = cli("demo", "--set", "warehouse=" + wh, "--set", "demo.work_dir=" + tmp.resolve("work"),
        // One classifier seed per arm (the default is 3; ReproducibleChainIT runs the demo with 2), and
        // half the images and inverter steps: the demo's flow is under test here, not its sizes.
        "--set", "demo.gan_kimg=1", "--set", "demo.seeds=[1]", "--set", "demo.n=300", "--set",
        "demo.inverter_encoder_steps=30", "--set", "demo.inverter_hyper_steps=15", "--set", "demo.synthetic=150");
    assertEquals(0, demo.code(), demo.err());
    // Kept for reading after a failure (the README's transcript is a `bin/dermsynth demo` run's).
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
    assertEquals(List.of("baseline", "sa150"), evals.stream().map(r -> r.<String>getAs("arm")).toList());
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

    // Every SQL cell of every notebook runs on the demo's warehouse; "Must be empty" cells return nothing.
    assertEquals(List.of("01_explore_images.sql", "02_directions_and_synthetic.sql", "03_experiment_arms.sql"),
        Notebooks.all());
    assertScalaNotebookRuns(ctx, wh);
    java.util.Map<String, List<Row>> results = new java.util.LinkedHashMap<>();
    for (String notebook : Notebooks.all()) {
      for (Notebooks.Cell c : Notebooks.sqlCells(notebook, wh.toString())) {
        List<Row> rows = ctx.spark().sql(c.sql()).collectAsList();
        if (c.mustBeEmpty()) {
          assertEquals(List.of(), rows, notebook + ": " + c.sql());
        }
        results.put(c.sql(), rows);
      }
    }
    assertEquals(20, results.size());
    // The arm comparison shows each arm's balanced accuracy as in `evaluations` (one seed: the mean is it).
    List<Row> arms = cell(results, "GROUP BY experiment_id, arm\n");
    assertEquals(List.of("baseline", "sa150"), arms.stream().map(r -> r.<String>getAs("arm")).toList());
    for (int i = 0; i < 2; i++) {
      assertEquals(Math.round(evals.get(i).<Double>getAs("balanced_accuracy") * 1e4) / 1e4,
          arms.get(i).<Double>getAs("balanced_accuracy"), 1e-12);
    }
    // The review cell: the directions the demo used, approved by the demo itself (no person).
    long used = ctx.tables().read(Tables.SYNTHETIC).select("direction_id").distinct().count();
    List<Row> reviews = cell(results, "row_number\\(\\) OVER \\(PARTITION BY direction_id");
    assertEquals(used, reviews.stream().filter(r -> "approved".equals(r.getAs("decision"))
        && "dermsynth demo".equals(r.getAs("reviewer"))).count(), reviews.toString());
    List<Row> paired = cell(results, "delta_balanced_accuracy");
    assertEquals(1, paired.size());
    assertEquals(evals.get(1).<Double>getAs("balanced_accuracy") - evals.get(0).<Double>getAs("balanced_accuracy"),
        paired.get(0).<Double>getAs("delta_balanced_accuracy"), 1e-4);
    // Time travel: version 0 (the first augment chunk) holds part of what the table holds now.
    long now = ctx.tables().read(Tables.SYNTHETIC).count();
    List<Row> travel = cell(results, "images_then");
    assertEquals(now, travel.stream().mapToLong(r -> r.<Long>getAs("images_now")).sum());
    long then = travel.stream().mapToLong(r -> r.<Long>getAs("images_then")).sum();
    assertTrue(then > 0 && then <= now, then + " then, " + now + " now");
    // The demo runs in one local JVM: no GPU scheduled, the CPU device, every image accounted for.
    List<Row> placement = cell(results, "GROUP BY run_id, executor_id, task_gpu, device");
    assertEquals(now, placement.stream().mapToLong(r -> r.<Long>getAs("images")).sum());
    placement.forEach(r -> assertTrue(r.isNullAt(r.fieldIndex("task_gpu")) && r.getAs("device").equals("cpu()"),
        r.toString()));
  }

  /** Every cell of the Scala notebook in the Scala interpreter, on the demo's warehouse. */
  @SuppressWarnings("unchecked")
  private static void assertScalaNotebookRuns(JobContext ctx, Path wh) throws Exception {
    List<String> cells = ScalaNotebook.cells("04_render_and_history.scala");
    assertEquals(5, cells.size());
    try (ScalaNotebook nb = new ScalaNotebook(ctx.spark(), java.util.Map.of("warehouse", wh.toString()))) {
      for (int i = 0; i < cells.size(); i++) {
        nb.run("04_render_and_history.scala cell " + (i + 1), cells.get(i));
      }
      // The strip: five strengths of one edit; at 0 the image is the unedited render (LPIPS 0).
      List<Row> strip = ((org.apache.spark.sql.Dataset<Row>) nb.value("strip")).collectAsList();
      assertEquals(List.of(-2.0, -1.0, 0.0, 1.0, 2.0), strip.stream().map(r -> r.<Double>getAs("alpha")).toList());
      for (Row r : strip) {
        double lpips = r.getAs("lpips");
        assertTrue(r.<Double>getAs("alpha") == 0.0 ? lpips == 0.0 : lpips > 0.0, r.toString());
      }
      // Time travel: the newest version holds the table as it is.
      List<Row> sizes = ((org.apache.spark.sql.Dataset<Row>) nb.value("sizes")).orderBy("version").collectAsList();
      assertEquals(ctx.tables().read(Tables.SYNTHETIC).count(), sizes.get(sizes.size() - 1).<Long>getAs("rows"));
    }
  }

  /** The rows of the one cell whose SQL contains {@code marker} (a regex). */
  private static List<Row> cell(java.util.Map<String, List<Row>> results, String marker) {
    var p = java.util.regex.Pattern.compile(marker);
    List<String> hits = results.keySet().stream().filter(k -> p.matcher(k).find()).toList();
    assertEquals(1, hits.size(), marker + ": " + hits);
    return results.get(hits.get(0));
  }

  private static String row(String html, String start) {
    String from = html.substring(html.indexOf(start));
    return from.substring(0, from.indexOf("</tr>"));
  }
}
