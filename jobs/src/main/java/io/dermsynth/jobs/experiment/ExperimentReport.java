package io.dermsynth.jobs.experiment;

import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.core.experiment.ArmComparison;

import io.dermsynth.jobs.classify.EvaluateJob;
import io.dermsynth.jobs.classify.HtmlReport;
import io.dermsynth.jobs.classify.LabelledImages;
import io.dermsynth.jobs.classify.TrainClassifierJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.core.metrics.Bootstrap;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
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

  record Verdict(String arm, String policy, VerdictDelta delta) {}

  record VerdictDelta(boolean helped, boolean hurt, boolean unclear, String estimate, String lower, String upper,
      int seeds) {}

  record ArmRow(String arm, String real, int synthetic, Integer asked, HtmlReport.Ci ba, HtmlReport.DeltaCell deltaBa,
      HtmlReport.Ci auc, HtmlReport.DeltaCell deltaAuc, List<HtmlReport.Ci> recall) {}

  record RecallDeltas(String arm, List<HtmlReport.DeltaCell> deltas) {}

  record EvaluationRow(String arm, long seed, String run, String model, int trainImages, int bestEpoch,
      HtmlReport.Ci ba, HtmlReport.Ci auc) {}

  record ArmConfusion(String arm, HtmlReport.Confusion table) {}

  record Examples(String dx, String png, List<Example> pairs) {}

  record Example(Object alpha, String lpips) {}

  record Excluded(String direction, long images) {}

  private ExperimentReport() {}

  /**
   * @param renders (dx, alpha, source PNG, generator render, residual render) rows: the same edits in both
   *     renders, written beside the report as {@code renders.png} too (one row per class)
   */
  static String write(JobContext ctx, String dir, String experimentId, List<ExperimentJob.ArmRun> runs,
      List<ArmComparison.Summary> summaries, List<Row> examples, List<Row> renders, Map<String, Long> excluded)
      throws IOException {
    List<String> classes = LabelledImages.classNames();
    ExperimentJob.ArmRun base = runs.get(0);
    EvaluateJob.Result firstEval = base.evaluations().get(0);
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("title", "dermsynth experiment " + experimentId);
    scope.put("width", 1300);
    scope.put("experimentId", experimentId);
    scope.put("seeds", String.valueOf(base.seeds()));
    scope.put("testSet", firstEval.testSet());
    scope.put("testImages", firstEval.predictions().labels().length);
    scope.put("hasExcluded", !excluded.isEmpty());
    scope.put("excluded", excluded.entrySet().stream().map(e -> new Excluded(e.getKey(), e.getValue())).toList());
    scope.put("classes", classes);
    scope.put("verdicts", verdicts(runs, summaries));
    scope.put("arms", armRows(runs, summaries, classes));
    scope.put("recallDeltas", summaries.stream().filter(s -> s.deltaRecall() != null && !s.deltaRecall().isEmpty()
        && s.deltaRecall().get(0) != null).map(s -> new RecallDeltas(s.arm(),
            s.deltaRecall().stream().map(HtmlReport.DeltaCell::of).toList())).toList());
    List<EvaluationRow> evaluations = new ArrayList<>();
    for (ExperimentJob.ArmRun r : runs) {
      for (int i = 0; i < r.evaluations().size(); i++) {
        EvaluateJob.Result ev = r.evaluations().get(i);
        TrainClassifierJob.Result m = r.models().get(i);
        evaluations.add(new EvaluationRow(r.arm().name(), r.seeds().get(i), ev.runId(), m.modelPath(),
            m.trainImages(), m.bestEpoch(), HtmlReport.Ci.of(ev.balancedAccuracy(), "balanced_accuracy"),
            HtmlReport.Ci.of(ev.aucMacro(), "auc_macro")));
      }
    }
    scope.put("evaluations", evaluations);
    scope.put("confusions", runs.stream().map(r -> new ArmConfusion(r.arm().name(),
        HtmlReport.Confusion.of(r.evaluations().get(0).scores().confusion(), classes))).toList());
    scope.put("hasExamples", !examples.isEmpty());
    scope.put("examples", examples(examples));
    if (!renders.isEmpty()) {
      byte[] grid = rendersGrid(renders);
      ModelStore.writeFile(ctx.spark(), dir + "/renders.png", grid);
      scope.put("renders", Map.of("classes", String.join(", ", renders.stream().map(r -> r.getString(0)).distinct()
          .toList()), "png", HtmlReport.base64(grid)));
    }
    String path = dir + "/index.html";
    HtmlReport.write(ctx, path, "experiment.mustache", scope);
    return path;
  }

  private static List<Verdict> verdicts(List<ExperimentJob.ArmRun> runs, List<ArmComparison.Summary> summaries) {
    List<Verdict> out = new ArrayList<>();
    for (int a = 1; a < runs.size(); a++) {
      ArmComparison.Summary s = summaries.get(a);
      Bootstrap.Interval d = s.deltaBalancedAccuracy();
      out.add(new Verdict(s.arm(), runs.get(a).arm().describe(), d == null ? null
          : new VerdictDelta(s.verdict().equals("helped"), s.verdict().equals("hurt"),
              !s.verdict().equals("helped") && !s.verdict().equals("hurt"), HtmlReport.signed(d.estimate()),
              HtmlReport.signed(d.lower()), HtmlReport.signed(d.upper()), runs.get(a).seeds().size())));
    }
    return out;
  }

  private static List<ArmRow> armRows(List<ExperimentJob.ArmRun> runs, List<ArmComparison.Summary> summaries,
      List<String> classes) {
    List<ArmRow> out = new ArrayList<>();
    for (int a = 0; a < runs.size(); a++) {
      ExperimentJob.ArmRun r = runs.get(a);
      ArmComparison.Summary s = summaries.get(a);
      List<HtmlReport.Ci> recall = new ArrayList<>();
      for (int k = 0; k < classes.size(); k++) {
        recall.add(HtmlReport.Ci.of(s.recall().get(k), "recall_" + classes.get(k)));
      }
      out.add(new ArmRow(r.arm().name(), r.arm().withReal() ? "yes" : "no", r.syntheticUsed(),
          r.syntheticUsed() < r.arm().synthetic() ? r.arm().synthetic() : null,
          HtmlReport.Ci.of(s.balancedAccuracy(), "balanced_accuracy"), HtmlReport.DeltaCell.of(s.deltaBalancedAccuracy()),
          HtmlReport.Ci.of(s.aucMacro(), "auc_macro"), HtmlReport.DeltaCell.of(s.deltaAucMacro()), recall));
    }
    return out;
  }

  /** Per class, a row of source | synthetic pairs with each edit's α and LPIPS to the source. */
  private static List<Examples> examples(List<Row> examples) throws IOException {
    Map<String, List<Row>> byClass = new LinkedHashMap<>();
    examples.forEach(r -> byClass.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r));
    List<Examples> out = new ArrayList<>();
    for (var e : byClass.entrySet()) {
      out.add(new Examples(e.getKey(), HtmlReport.base64(pairsGrid(e.getValue())), e.getValue().stream()
          .map(r -> new Example(r.get(1), String.format(Locale.ROOT, "%.3f", r.getDouble(2)))).toList()));
    }
    return out;
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
}
