package io.dermsynth.jobs.classify;

import io.dermsynth.jobs.runtime.HadoopFiles;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.metrics.RocAuc;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code report/index.html}: every evaluation in the warehouse side by side (balanced accuracy and macro
 * AUC with their 95% intervals, per-class recall), then the newest one in detail: ROC curve per class,
 * confusion matrix as a heat map, per-class recall bars. Charts are JFreeChart PNGs embedded in the page,
 * so the report is one self-contained file. Every figure carries a {@code data-metric} attribute with the
 * value it shows, for tests and scrapers.
 */
public final class EvaluationReport {

  private EvaluationReport() {}

  /** Writes the report and returns its path. */
  public static String write(JobContext ctx, String dir, String runId, int[] labels, double[][] proba,
      List<String> classes) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Row> all = ctx.tables().read(Tables.EVALUATIONS).orderBy("evaluated_at").collectAsList();
    Row current = all.stream().filter(r -> r.getAs("run_id").equals(runId)).findFirst()
        .orElseThrow(() -> new IllegalStateException("evaluation " + runId + " is not in the table"));
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>dermsynth evaluation report</title>")
        .append("<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}")
        .append("td.l,th.l{text-align:left}</style></head><body>")
        .append("<h1>dermsynth evaluation report</h1>")
        .append("<p>Balanced accuracy and macro AUC with 95% bootstrap intervals (resampling lesions). ")
        .append("Classes without test images are left out of macro figures.</p>");
    armsTable(h, all, classes);
    h.append("<h2>Newest evaluation: ").append(esc(current.getAs("arm"))).append(" (run ")
        .append(esc(runId)).append(")</h2>");
    h.append("<p>Test set ").append(esc(current.getAs("test_set"))).append(": ")
        .append(current.<Long>getAs("n_images")).append(" images, ")
        .append(current.<Long>getAs("n_lesions")).append(" lesions. Model ")
        .append(esc(current.getAs("model_path"))).append(".</p>");
    h.append("<p>Balanced accuracy <b data-metric=\"balanced_accuracy\">")
        .append(fmt(current.getAs("balanced_accuracy"))).append("</b>, macro AUC <b data-metric=\"auc_macro\">")
        .append(fmt(current.getAs("auc_macro"))).append("</b>, accuracy <b data-metric=\"accuracy\">")
        .append(fmt(current.getAs("accuracy"))).append("</b>.</p>");
    h.append("<h3>ROC curves (one vs rest)</h3>").append(img(rocChart(labels, proba, classes), "ROC curves"));
    h.append("<h3>Confusion matrix</h3>");
    confusion(h, current, classes);
    h.append("<h3>Recall per class</h3>").append(img(recallChart(current, classes), "recall per class"));
    h.append("</body></html>");
    String path = dir + "/index.html";
    HadoopFiles.write(ctx.spark(), path, h.toString().getBytes(StandardCharsets.UTF_8));
    return path;
  }

  private static void armsTable(StringBuilder h, List<Row> all, List<String> classes) {
    h.append("<h2>Arms side by side</h2><table><tr><th class=l>arm</th><th class=l>run</th>")
        .append("<th class=l>test set</th><th>images</th><th>balanced accuracy [95% CI]</th>")
        .append("<th>macro AUC [95% CI]</th>");
    for (String c : classes) {
      h.append("<th>recall ").append(esc(c)).append("</th>");
    }
    h.append("</tr>");
    for (Row r : all) {
      String run = r.getAs("run_id");
      h.append("<tr data-run=\"").append(esc(run)).append("\"><td class=l>").append(esc(r.getAs("arm")))
          .append("</td><td class=l>").append(esc(run)).append("</td><td class=l>")
          .append(esc(r.getAs("test_set"))).append("</td><td>").append(r.<Long>getAs("n_images"))
          .append("</td><td><span data-metric=\"balanced_accuracy\">").append(fmt(r.getAs("balanced_accuracy")))
          .append("</span> [").append(fmt(r.getAs("balanced_accuracy_ci_low"))).append(", ")
          .append(fmt(r.getAs("balanced_accuracy_ci_high"))).append("]</td><td><span data-metric=\"auc_macro\">")
          .append(fmt(r.getAs("auc_macro"))).append("</span> [").append(fmt(r.getAs("auc_macro_ci_low")))
          .append(", ").append(fmt(r.getAs("auc_macro_ci_high"))).append("]</td>");
      Map<String, Double> recall = r.getJavaMap(r.fieldIndex("recall"));
      for (String c : classes) {
        h.append("<td data-metric=\"recall_").append(esc(c)).append("\">").append(fmt(recall.get(c))).append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table>");
  }

  private static void confusion(StringBuilder h, Row current, List<String> classes) {
    List<List<Long>> cm = current.getList(current.fieldIndex("confusion")).stream()
        .map(o -> ((scala.collection.Seq<?>) o)).map(s -> scala.jdk.javaapi.CollectionConverters
            .asJava(s).stream().map(v -> (Long) v).toList()).toList();
    h.append("<table><tr><th class=l>true \\ predicted</th>");
    for (String c : classes) {
      h.append("<th>").append(esc(c)).append("</th>");
    }
    h.append("</tr>");
    for (int t = 0; t < cm.size(); t++) {
      long rowSum = cm.get(t).stream().mapToLong(Long::longValue).sum();
      h.append("<tr><th class=l>").append(esc(classes.get(t))).append("</th>");
      for (int p = 0; p < cm.get(t).size(); p++) {
        long v = cm.get(t).get(p);
        double share = rowSum == 0 ? 0 : (double) v / rowSum;
        int shade = (int) Math.round(255 - 180 * share);
        h.append(String.format(Locale.ROOT, "<td style=\"background:rgb(%d,%d,255)\" data-metric=\"confusion_%d_%d\">%d</td>",
            shade, shade, t, p, v));
      }
      h.append("</tr>");
    }
    h.append("</table><p>Rows: true class; shade: share of the row.</p>");
  }

  private static JFreeChart rocChart(int[] labels, double[][] proba, List<String> classes) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (int k = 0; k < classes.size(); k++) {
      boolean[] pos = new boolean[labels.length];
      double[] score = new double[labels.length];
      for (int i = 0; i < labels.length; i++) {
        pos[i] = labels[i] == k;
        score[i] = proba[i][k];
      }
      List<RocAuc.Point> pts = RocAuc.curve(pos, score);
      if (pts.isEmpty()) {
        continue;
      }
      XYSeries s = new XYSeries(String.format(Locale.ROOT, "%s (AUC %.3f)", classes.get(k),
          RocAuc.auc(pos, score)), false, true);
      pts.forEach(p -> s.add(p.falsePositiveRate(), p.truePositiveRate()));
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(null, "false positive rate",
        "true positive rate", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int k = 0; k < data.getSeriesCount(); k++) {
      r.setSeriesStroke(k, new BasicStroke(2f));
    }
    plot.setRenderer(r);
    plot.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static JFreeChart recallChart(Row current, List<String> classes) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    Map<String, Double> recall = current.getJavaMap(current.fieldIndex("recall"));
    for (String c : classes) {
      Double v = recall.get(c);
      data.addValue(v == null || v.isNaN() ? null : v, "recall", c);
    }
    JFreeChart chart = ChartFactory.createBarChart(null, "class", "recall", data,
        PlotOrientation.VERTICAL, false, false, false);
    chart.getCategoryPlot().getRangeAxis().setRange(0, 1);
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static String img(JFreeChart chart, String alt) {
    BufferedImage image = chart.createBufferedImage(720, 420);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return "<img alt=\"" + alt + "\" src=\"data:image/png;base64,"
        + Base64.getEncoder().encodeToString(png.toByteArray()) + "\">";
  }

  public static String fmt(Object v) {
    if (v == null) {
      return "–";
    }
    double d = ((Number) v).doubleValue();
    return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%.4f", d);
  }

  public static String esc(Object s) {
    return String.valueOf(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
