package io.dermsynth.jobs.classify;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.metrics.RocAuc;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
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

  /** One evaluation row of the table. */
  record EvaluationRow(String run, String arm, String testSet, long images, HtmlReport.Ci ba, HtmlReport.Ci auc,
      List<HtmlReport.Ci> recall) {}

  /** Writes the report and returns its path. */
  public static String write(JobContext ctx, String dir, String runId, int[] labels, double[][] proba,
      List<String> classes) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Row> all = ctx.tables().read(Tables.EVALUATIONS).orderBy("evaluated_at").collectAsList();
    Row current = all.stream().filter(r -> r.getAs("run_id").equals(runId)).findFirst()
        .orElseThrow(() -> new IllegalStateException("evaluation " + runId + " is not in the table"));
    List<EvaluationRow> rows = all.stream().map(r -> {
      Map<String, Double> recall = r.getJavaMap(r.fieldIndex("recall"));
      return new EvaluationRow(r.getAs("run_id"), r.getAs("arm"), r.getAs("test_set"), r.<Long>getAs("n_images"),
          HtmlReport.Ci.of(r.getAs("balanced_accuracy"), r.getAs("balanced_accuracy_ci_low"),
              r.getAs("balanced_accuracy_ci_high"), "balanced_accuracy"),
          HtmlReport.Ci.of(r.getAs("auc_macro"), r.getAs("auc_macro_ci_low"), r.getAs("auc_macro_ci_high"),
              "auc_macro"),
          classes.stream().map(c -> new HtmlReport.Ci("recall_" + c, HtmlReport.fmt(recall.get(c)), null, null))
              .toList());
    }).toList();
    List<List<Long>> cm = current.getList(current.fieldIndex("confusion")).stream()
        .map(o -> ((scala.collection.Seq<?>) o)).map(s -> scala.jdk.javaapi.CollectionConverters
            .asJava(s).stream().map(v -> (Long) v).toList()).toList();
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("title", "dermsynth evaluation report");
    scope.put("width", 1100);
    scope.put("classes", classes);
    scope.put("evaluations", rows);
    Map<String, Object> newest = new LinkedHashMap<>();
    newest.put("arm", current.getAs("arm"));
    newest.put("run", runId);
    newest.put("testSet", current.getAs("test_set"));
    newest.put("images", current.getAs("n_images"));
    newest.put("lesions", current.getAs("n_lesions"));
    newest.put("model", current.getAs("model_path"));
    newest.put("ba", HtmlReport.fmt(current.getAs("balanced_accuracy")));
    newest.put("auc", HtmlReport.fmt(current.getAs("auc_macro")));
    newest.put("accuracy", HtmlReport.fmt(current.getAs("accuracy")));
    scope.put("current", newest);
    scope.put("roc", png(rocChart(labels, proba, classes)));
    scope.put("confusion", HtmlReport.Confusion.of(cm.stream().map(r -> r.stream().mapToLong(Long::longValue)
        .toArray()).toArray(long[][]::new), classes));
    scope.put("recallChart", png(recallChart(current, classes)));
    String path = dir + "/index.html";
    HtmlReport.write(ctx, path, "evaluation.mustache", scope);
    return path;
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

  private static String png(JFreeChart chart) {
    BufferedImage image = chart.createBufferedImage(720, 420);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return HtmlReport.base64(png.toByteArray());
  }
}
