package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.classify.HtmlReport;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The checks a finished `dermsynth demo` must pass, on its warehouse and its printed output: every step
 * ran, the report shows each arm as `evaluations` holds it, and every notebook cell runs on the warehouse
 * ("Must be empty" cells return nothing). ReproducibleChainIT runs the demo (twice) and calls these on
 * its first run, so the suite pays for the demo once.
 */
public final class DemoChecks {

  private DemoChecks() {}

  public static void theDemoReportsBothArmsAsInEvaluationsAndTheNotebooksRun(Path wh, String out) throws Exception {
    // Kept for reading after a failure (the README's transcript is a `bin/dermsynth demo` run's).
    Files.writeString(Path.of("target", "demo-output.txt"), out);
    for (int step = 1; step <= 10; step++) {
      assertTrue(out.contains("[" + step + "/10]"), step + ": " + out);
    }
    assertTrue(out.contains("approved automatically"), out);
    JobContext ctx = SparkTest.context(wh);
    String experiment = ctx.tables().read(Tables.EVALUATIONS).where("experiment_id IS NOT NULL")
        .select("experiment_id").distinct().first().getString(0);
    List<Row> evals = ctx.tables().read(Tables.EVALUATIONS).where("experiment_id = '" + experiment + "'")
        .orderBy("evaluated_at").collectAsList();
    // Two arms, the baseline first, each over the same seeds.
    List<String> arms = evals.stream().map(r -> r.<String>getAs("arm")).distinct().toList();
    assertEquals(2, arms.size(), arms.toString());
    assertEquals("baseline", arms.get(0));
    assertTrue(arms.get(1).startsWith("sa"), arms.toString());
    Map<String, List<Row>> byArm = new LinkedHashMap<>();
    evals.forEach(r -> byArm.computeIfAbsent(r.getAs("arm"), k -> new ArrayList<>()).add(r));
    List<Long> seeds = byArm.get("baseline").stream().map(r -> r.<Long>getAs("seed")).toList();
    assertEquals(seeds, byArm.get(arms.get(1)).stream().map(r -> r.<Long>getAs("seed")).toList());

    Path report = wh.resolve("report/experiments/" + experiment + "/index.html");
    assertTrue(out.contains("Report: " + report), out);
    String html = Files.readString(report);
    Map<String, Double> meanBa = new LinkedHashMap<>();
    for (String arm : arms) {
      // The arm's figure is the mean over its seeds, in the report and in the printed summary.
      double ba = byArm.get(arm).stream().mapToDouble(r -> r.<Double>getAs("balanced_accuracy")).average().orElseThrow();
      double auc = byArm.get(arm).stream().mapToDouble(r -> r.<Double>getAs("auc_macro")).average().orElseThrow();
      meanBa.put(arm, ba);
      String armRow = row(html, "<tr data-arm=\"" + arm + "\">");
      assertTrue(armRow.contains(span("balanced_accuracy", ba)), arm + ": " + armRow);
      assertTrue(armRow.contains(span("auc_macro", auc)), arm + ": " + armRow);
      assertTrue(out.contains(String.format(Locale.ROOT, "balanced accuracy %.4f", ba)), arm + " " + ba + "\n" + out);
      // Each seed's evaluation row holds its own figures.
      for (Row r : byArm.get(arm)) {
        String evalRow = row(html, "<tr data-run=\"" + r.getAs("run_id") + "\">");
        assertTrue(evalRow.contains(span("balanced_accuracy", r.getAs("balanced_accuracy"))), evalRow);
        assertTrue(evalRow.contains(span("auc_macro", r.getAs("auc_macro"))), evalRow);
      }
    }
    assertTrue(html.contains("Synthetic examples per class"));

    // Every SQL cell of every notebook runs on the demo's warehouse; "Must be empty" cells return nothing.
    assertEquals(List.of("01_explore_images.sql", "02_directions_and_synthetic.sql", "03_experiment_arms.sql"),
        Notebooks.all());
    // The notebooks read by name: the demo's path warehouse is named as a user names theirs (kind = external).
    Map<String, String> widgets = Notebooks.registerByName(ctx.spark(), wh);
    assertScalaNotebookRuns(ctx, widgets);
    Map<String, List<Row>> results = new LinkedHashMap<>();
    for (String notebook : Notebooks.all()) {
      for (Notebooks.Cell c : Notebooks.sqlCells(notebook, widgets)) {
        List<Row> rows = c.run(ctx.spark());
        if (c.mustBeEmpty()) {
          assertEquals(List.of(), rows, notebook + ": " + c.sql());
        }
        results.put(c.sql(), rows);
      }
    }
    assertEquals(18, results.size());
    // The arm comparison: each arm's mean balanced accuracy over its seeds, as in `evaluations`.
    List<Row> armCell = cell(results, "GROUP BY experiment_id, arm\n");
    assertEquals(arms, armCell.stream().map(r -> r.<String>getAs("arm")).toList());
    for (Row r : armCell) {
      assertEquals((long) seeds.size(), r.<Long>getAs("seeds"));
      assertEquals(Math.round(meanBa.get(r.<String>getAs("arm")) * 1e4) / 1e4, r.<Double>getAs("balanced_accuracy"),
          1e-12);
    }
    // Per-class recall: each arm's mean over its seeds.
    for (Row r : cell(results, "GROUP BY experiment_id, arm, dx")) {
      double mean = byArm.get(r.<String>getAs("arm")).stream()
          .mapToDouble(e -> e.<String, Double>getJavaMap(e.fieldIndex("recall")).get(r.<String>getAs("dx")))
          .average().orElseThrow();
      // A class without test images has no recall (NaN), in the table and in the cell.
      assertEquals(Double.isNaN(mean) ? mean : Math.round(mean * 1e4) / 1e4, r.<Double>getAs("recall"), 1e-4,
          r.toString());
    }
    // The review cell: the directions the demo used, approved by the demo itself (no person).
    long used = ctx.tables().read(Tables.SYNTHETIC).select("direction_id").distinct().count();
    List<Row> reviews = cell(results, "row_number\\(\\) OVER \\(PARTITION BY direction_id");
    assertEquals(used, reviews.stream().filter(r -> "approved".equals(r.getAs("decision"))
        && "dermsynth demo".equals(r.getAs("reviewer"))).count(), reviews.toString());
    // Paired differences, seed by seed: the augmented arm's minus the baseline's of the same seed.
    List<Row> paired = cell(results, "delta_balanced_accuracy");
    assertEquals(seeds.size(), paired.size());
    for (Row p : paired) {
      double base = seedBa(byArm.get("baseline"), p.getAs("seed"));
      double aug = seedBa(byArm.get(arms.get(1)), p.getAs("seed"));
      assertEquals(aug - base, p.<Double>getAs("delta_balanced_accuracy"), 1e-4, p.toString());
    }
    // The thumbnails cell: two train images per diagnosis, their PNG bytes as stored.
    List<Row> thumbs = cell(results, "WHERE n <= 2");
    assertEquals(2 * ctx.tables().read(Tables.IMAGES).where("split = 'train'").select("dx").distinct().count(),
        thumbs.size());
    for (Row r : thumbs) {
      assertTrue(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.getAs("png"))) != null, r.getString(1));
    }
    long now = ctx.tables().read(Tables.SYNTHETIC).count();
    // The demo runs in one local JVM: no GPU scheduled, the CPU device, every image accounted for.
    List<Row> placement = cell(results, "GROUP BY run_id, executor_id, task_gpu, device");
    assertEquals(now, placement.stream().mapToLong(r -> r.<Long>getAs("images")).sum());
    placement.forEach(r -> assertTrue(r.isNullAt(r.fieldIndex("task_gpu")) && r.getAs("device").equals("cpu()"),
        r.toString()));
  }

  private static double seedBa(List<Row> rows, Object seed) {
    return rows.stream().filter(r -> r.getAs("seed").equals(seed)).findFirst().orElseThrow()
        .<Double>getAs("balanced_accuracy");
  }

  private static String span(String metric, double v) {
    return "<span data-metric=\"" + metric + "\">" + HtmlReport.fmt(v) + "</span>";
  }

  /** Every cell of the Scala notebook in the Scala interpreter, on the demo's warehouse. */
  @SuppressWarnings("unchecked")
  private static void assertScalaNotebookRuns(JobContext ctx, Map<String, String> widgets) throws Exception {
    List<String> cells = ScalaNotebook.cells("04_render_and_history.scala");
    assertEquals(7, cells.size());
    try (ScalaNotebook nb = new ScalaNotebook(ctx.spark(), widgets)) {
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
      long now = ctx.tables().read(Tables.SYNTHETIC).count();
      assertEquals(now, sizes.get(sizes.size() - 1).<Long>getAs("rows"));
      // Version 0 (the first augment chunk) holds part of what the table holds now.
      List<Row> travel = ((org.apache.spark.sql.Dataset<Row>) nb.value("travel")).collectAsList();
      assertEquals(now, travel.stream().mapToLong(r -> r.<Long>getAs("images_now")).sum());
      long then = travel.stream().mapToLong(r -> r.<Long>getAs("images_then")).sum();
      assertEquals(sizes.get(0).<Long>getAs("rows"), then);
      assertTrue(then > 0 && then <= now, then + " then, " + now + " now");
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
