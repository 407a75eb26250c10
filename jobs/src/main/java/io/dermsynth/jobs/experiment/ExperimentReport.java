package io.dermsynth.jobs.experiment;

import io.dermsynth.jobs.classify.EvaluateJob;
import io.dermsynth.jobs.classify.EvaluationReport;
import io.dermsynth.jobs.classify.LabelledImages;
import io.dermsynth.jobs.classify.TrainClassifierJob;
import io.dermsynth.jobs.runtime.HadoopFiles;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.core.metrics.Bootstrap;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;

/**
 * An experiment's HTML report: arms side by side (balanced accuracy, macro AUC, per-class recall with
 * 95% bootstrap intervals, the paired-bootstrap difference to the baseline), every evaluation row it
 * made, a confusion matrix per arm, and synthetic examples per class next to their source images.
 */
public final class ExperimentReport {

  /** One arm's figures over its seeds; the differences are null for the baseline. */
  public record Summary(String arm, Bootstrap.Interval balancedAccuracy, Bootstrap.Interval aucMacro,
      List<Bootstrap.Interval> recall, Bootstrap.Interval deltaBalancedAccuracy, Bootstrap.Interval deltaAucMacro,
      List<Bootstrap.Interval> deltaRecall) {

    /** What the paired 95% interval of Δ balanced accuracy says: helped, hurt, or cannot tell. */
    public String verdict() {
      Bootstrap.Interval d = deltaBalancedAccuracy;
      if (d == null) {
        return "the reference";
      }
      return d.lower() > 0 ? "helped" : d.upper() < 0 ? "hurt" : "cannot tell at 95%";
    }
  }

  private ExperimentReport() {}

  /**
   * @param renders (dx, alpha, source PNG, generator render, residual render) rows: the same edits in both
   *     renders, written beside the report as {@code renders.png} too (one row per class)
   */
  static String write(JobContext ctx, String dir, String experimentId, List<ExperimentJob.ArmRun> runs,
      List<Summary> summaries, List<Row> examples, List<Row> renders, Map<String, Long> excluded) throws IOException {
    List<String> classes = LabelledImages.classNames();
    ExperimentJob.ArmRun base = runs.get(0);
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>dermsynth experiment ")
        .append(esc(experimentId)).append("</title><style>body{font-family:sans-serif;margin:2em;max-width:1300px}")
        .append("table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:4px 8px;")
        .append("text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}.up{color:#1b5e20}")
        .append(".down{color:#b71c1c}small{color:#666}</style></head><body>");
    h.append("<h1>Experiment ").append(esc(experimentId)).append("</h1>");
    EvaluateJob.Result firstEval = base.evaluations().get(0);
    h.append("<p>Every arm: the same classifier settings, epochs and seeds ").append(esc(base.seeds()))
        .append(", the same real validation split, evaluated on the same real test set (")
        .append(esc(firstEval.testSet())).append(", ").append(firstEval.predictions().labels().length)
        .append(" images). Figures are means over seeds with 95% bootstrap intervals (test lesions and seeds ")
        .append("resampled); Δ is the paired-bootstrap difference to the baseline (the same resampled lesions and ")
        .append("seeds for both).</p>");
    if (!excluded.isEmpty()) {
      h.append("<p id=\"excluded\">Left out of every arm: the synthetic images of directions whose latest review is "
          + "a rejection (or that were never approved) —");
      excluded.forEach((d, n) -> h.append(' ').append(esc(d)).append(" (").append(n).append(" images)"));
      h.append(".</p>");
    }
    h.append("<h2>What each arm showed</h2><ul id=\"verdicts\">");
    for (int a = 1; a < runs.size(); a++) {
      Summary s = summaries.get(a);
      Bootstrap.Interval d = s.deltaBalancedAccuracy();
      h.append("<li data-arm=\"").append(esc(s.arm())).append("\"><b>").append(esc(s.arm())).append("</b> (")
          .append(esc(runs.get(a).arm().describe())).append("): ")
          .append(d == null ? "no paired difference (its seeds differ from the baseline's)" : String.format(Locale.ROOT,
              "%s — Δ balanced accuracy %+.4f [%+.4f, %+.4f] over %d seeds.", verdictText(s.verdict()),
              d.estimate(), d.lower(), d.upper(), runs.get(a).seeds().size()))
          .append("</li>");
    }
    h.append("</ul>");
    h.append("<h2>Arms side by side</h2><table id=\"arms\"><tr><th class=l>arm</th><th>real train</th>")
        .append("<th>synthetic</th><th>balanced accuracy [95% CI]</th><th>Δ vs baseline [95% CI]</th>")
        .append("<th>macro AUC [95% CI]</th><th>Δ vs baseline [95% CI]</th>");
    for (String c : classes) {
      h.append("<th>recall ").append(esc(c)).append("</th>");
    }
    h.append("</tr>");
    for (int a = 0; a < runs.size(); a++) {
      ExperimentJob.ArmRun r = runs.get(a);
      Summary s = summaries.get(a);
      String shortfall = r.syntheticUsed() < r.arm().synthetic()
          ? " <small>(of " + r.arm().synthetic() + " asked: the pool had fewer)</small>" : "";
      h.append("<tr data-arm=\"").append(esc(r.arm().name())).append("\"><td class=l>").append(esc(r.arm().name()))
          .append("</td><td>").append(r.arm().withReal() ? "yes" : "no").append("</td><td>")
          .append(r.syntheticUsed()).append(shortfall).append("</td><td>").append(ci(s.balancedAccuracy(), "balanced_accuracy"))
          .append("</td><td>").append(delta(s.deltaBalancedAccuracy())).append("</td><td>")
          .append(ci(s.aucMacro(), "auc_macro")).append("</td><td>").append(delta(s.deltaAucMacro())).append("</td>");
      for (int k = 0; k < classes.size(); k++) {
        h.append("<td>").append(ci(s.recall().get(k), "recall_" + classes.get(k))).append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table>");

    h.append("<h2>Per-class recall, difference to the baseline</h2><p>Paired bootstrap over lesions and seeds.</p>")
        .append("<table id=\"recall-deltas\"><tr><th class=l>arm</th>");
    classes.forEach(c -> h.append("<th>Δ recall ").append(esc(c)).append("</th>"));
    h.append("</tr>");
    for (Summary s : summaries) {
      if (s.deltaRecall() == null || s.deltaRecall().isEmpty() || s.deltaRecall().get(0) == null) {
        continue;
      }
      h.append("<tr data-arm=\"").append(esc(s.arm())).append("\"><td class=l>").append(esc(s.arm())).append("</td>");
      s.deltaRecall().forEach(d -> h.append("<td>").append(delta(d)).append("</td>"));
      h.append("</tr>");
    }
    h.append("</table>");

    h.append("<h2>Evaluations</h2><p>The rows of <code>evaluations</code> this experiment wrote ")
        .append("(experiment_id = ").append(esc(experimentId)).append(").</p><table id=\"evaluations\"><tr>")
        .append("<th class=l>arm</th><th>seed</th><th class=l>evaluation run</th><th class=l>model</th>")
        .append("<th>train images</th><th>best epoch</th><th>balanced accuracy [95% CI]</th>")
        .append("<th>macro AUC [95% CI]</th></tr>");
    for (ExperimentJob.ArmRun r : runs) {
      for (int i = 0; i < r.evaluations().size(); i++) {
        EvaluateJob.Result ev = r.evaluations().get(i);
        TrainClassifierJob.Result m = r.models().get(i);
        h.append("<tr data-run=\"").append(esc(ev.runId())).append("\"><td class=l>").append(esc(r.arm().name()))
            .append("</td><td>").append(r.seeds().get(i)).append("</td><td class=l>").append(esc(ev.runId()))
            .append("</td><td class=l><small>").append(esc(m.modelPath())).append("</small></td><td>")
            .append(m.trainImages()).append("</td><td>").append(m.bestEpoch()).append("</td><td>")
            .append(ci(ev.balancedAccuracy(), "balanced_accuracy")).append("</td><td>")
            .append(ci(ev.aucMacro(), "auc_macro")).append("</td></tr>");
      }
    }
    h.append("</table>");

    h.append("<h2>Confusion matrices (first seed; rows: true class)</h2><div style=\"display:flex;flex-wrap:wrap;gap:1.5em\">");
    for (ExperimentJob.ArmRun r : runs) {
      long[][] cm = r.evaluations().get(0).scores().confusion();
      h.append("<div><h3>").append(esc(r.arm().name())).append("</h3><table><tr><th class=l>true \\ pred</th>");
      classes.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
      h.append("</tr>");
      for (int t = 0; t < cm.length; t++) {
        long sum = java.util.Arrays.stream(cm[t]).sum();
        h.append("<tr><th class=l>").append(esc(classes.get(t))).append("</th>");
        for (long v : cm[t]) {
          int shade = (int) Math.round(255 - 180 * (sum == 0 ? 0 : (double) v / sum));
          h.append(String.format(Locale.ROOT, "<td style=\"background:rgb(%d,%d,255)\">%d</td>", shade, shade, v));
        }
        h.append("</tr>");
      }
      h.append("</table></div>");
    }
    h.append("</div>");

    if (!examples.isEmpty()) {
      h.append("<h2>Synthetic examples per class</h2><p>Pairs of source image (left) and synthetic image, with ")
          .append("the edit strength α and LPIPS to the source.</p>");
      Map<String, List<Row>> byClass = new LinkedHashMap<>();
      examples.forEach(r -> byClass.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r));
      h.append("<table id=\"examples\">");
      for (var e : byClass.entrySet()) {
        h.append("<tr><th class=l>").append(esc(e.getKey())).append("</th><td class=l>")
            .append("<img alt=\"synthetic ").append(esc(e.getKey())).append("\" src=\"data:image/png;base64,")
            .append(Base64.getEncoder().encodeToString(pairsGrid(e.getValue()))).append("\"><br><small>");
        for (Row r : e.getValue()) {
          h.append(String.format(Locale.ROOT, "α %s, LPIPS %.3f · ", r.get(1), r.getDouble(2)));
        }
        h.append("</small></td></tr>");
      }
      h.append("</table>");
    }
    if (!renders.isEmpty()) {
      byte[] grid = rendersGrid(renders);
      HadoopFiles.write(ctx.spark(), dir + "/renders.png", grid);
      h.append("<h2>The same edits in both renders</h2><p>Per class (rows: ")
          .append(esc(String.join(", ", renders.stream().map(r -> r.getString(0)).distinct().toList())))
          .append("), triples of source | generator render | residual render (the source plus the edit's ")
          .append("change), each at 64 px (<code>renders.png</code> beside this report).</p>")
          .append("<img id=\"renders\" alt=\"renders\" src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(grid)).append("\">");
    }
    h.append("</body></html>");
    String path = dir + "/index.html";
    HadoopFiles.write(ctx.spark(), path, h.toString().getBytes(StandardCharsets.UTF_8));
    return path;
  }

  /** One row per class of source | generator | residual triples, each image at 64 px. */
  private static byte[] rendersGrid(List<Row> rows) throws IOException {
    Map<String, List<Row>> byClass = new LinkedHashMap<>();
    rows.forEach(r -> byClass.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r));
    int side = 64;
    int gap = 8;
    int perRow = byClass.values().stream().mapToInt(List::size).max().orElse(0);
    BufferedImage grid = new BufferedImage(perRow * (3 * side + gap), byClass.size() * (side + gap),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
    int y = 0;
    for (List<Row> cls : byClass.values()) {
      for (int i = 0; i < cls.size(); i++) {
        for (int k = 0; k < 3; k++) {
          g.drawImage(ImageIO.read(new ByteArrayInputStream((byte[]) cls.get(i).get(2 + k))),
              i * (3 * side + gap) + k * side, y, side, side, null);
        }
      }
      y += side + gap;
    }
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(grid, "png", out);
    return out.toByteArray();
  }

  /** Source | synthetic pairs in one row, each image at 64 px. */
  private static byte[] pairsGrid(List<Row> rows) throws IOException {
    int side = 64;
    int gap = 6;
    BufferedImage grid = new BufferedImage(rows.size() * (2 * side + gap), side, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, grid.getWidth(), side);
    for (int i = 0; i < rows.size(); i++) {
      int x = i * (2 * side + gap);
      g.drawImage(ImageIO.read(new ByteArrayInputStream((byte[]) rows.get(i).get(3))), x, 0, side, side, null);
      g.drawImage(ImageIO.read(new ByteArrayInputStream((byte[]) rows.get(i).get(4))), x + side, 0, side, side, null);
    }
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(grid, "png", out);
    return out.toByteArray();
  }

  private static String ci(Bootstrap.Interval i, String metric) {
    return "<span data-metric=\"" + metric + "\">" + EvaluationReport.fmt(i.estimate()) + "</span> ["
        + EvaluationReport.fmt(i.lower()) + ", " + EvaluationReport.fmt(i.upper()) + "]";
  }

  private static String delta(Bootstrap.Interval d) {
    if (d == null) {
      return "–";
    }
    String cls = d.lower() > 0 ? "up" : d.upper() < 0 ? "down" : "";
    return String.format(Locale.ROOT, "<span class=\"%s\" data-metric=\"delta\">%+.4f</span> [%+.4f, %+.4f]", cls,
        d.estimate(), d.lower(), d.upper());
  }

  private static String verdictText(String verdict) {
    return switch (verdict) {
      case "helped" -> "<span class=up>helped</span>: the whole interval is above 0";
      case "hurt" -> "<span class=down>hurt</span>: the whole interval is below 0";
      default -> "cannot tell at 95%: the interval contains 0";
    };
  }

  private static String esc(Object s) {
    return EvaluationReport.esc(s);
  }
}
