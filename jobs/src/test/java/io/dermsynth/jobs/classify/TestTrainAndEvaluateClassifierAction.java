package io.dermsynth.jobs.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.Main;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.ingest.IngestJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.data.PhantomDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baseline arm on 300 phantoms: 1 epoch of the small DenseNet, evaluation, report = table. */
class TestTrainAndEvaluateClassifierAction {

  @TempDir Path tmp;

  @Test
  void oneEpochThenEvaluateAndTheReportShowsTheTablesNumbers() throws Exception {
    Path data = tmp.resolve("phantoms");
    PhantomDataset.write(data, new PhantomDataset.Options(300, 200, 150, 21));
    JobContext ctx = SparkTest.context(tmp.resolve("wh"), Map.of("ingest.size", "64",
        "classifier.epochs", "1", "classifier.image_size", "64", "classifier.progress", "false",
        "evaluate.bootstrap", "200"));
    IngestJob.run(ctx, data, null);

    TrainClassifierJob.Result trained = TrainClassifierJob.run(ctx);
    assertEquals(1, trained.epochs());
    assertTrue(trained.trainImages() > 150 && trained.valImages() > 20, trained.toString());
    assertTrue(Files.exists(Path.of(trained.modelPath(), "weights.safetensors")));
    assertTrue(Files.exists(Path.of(trained.modelPath(), "manifest.json")));

    EvaluateJob.Result ev = EvaluateJob.run(ctx, trained.modelPath(), null);
    Row row = ctx.tables().read(Tables.EVALUATIONS).where("run_id = '" + ev.runId() + "'").first();
    long testImages = ctx.tables().read(Tables.IMAGES).where("split = 'test'").count();
    assertEquals(testImages, row.<Long>getAs("n_images"));
    assertEquals(ev.scores().balancedAccuracy(), row.<Double>getAs("balanced_accuracy"), 0);
    double ba = row.getAs("balanced_accuracy");
    assertTrue(ba >= 0 && ba <= 1);
    assertTrue(row.<Double>getAs("balanced_accuracy_ci_low") <= ba + 1e-12
        && ba <= row.<Double>getAs("balanced_accuracy_ci_high") + 1e-12);
    List<?> confusion = row.getList(row.fieldIndex("confusion"));
    assertEquals(7, confusion.size());

    String html = Files.readString(Path.of(ev.reportPath()));
    String newest = html.substring(html.indexOf("Newest evaluation"));
    assertEquals(HtmlReport.fmt(row.getAs("balanced_accuracy")), metric(newest, "balanced_accuracy"));
    assertEquals(HtmlReport.fmt(row.getAs("auc_macro")), metric(newest, "auc_macro"));
    assertEquals(HtmlReport.fmt(row.getAs("accuracy")), metric(newest, "accuracy"));
    Map<String, Double> recall = row.getJavaMap(row.fieldIndex("recall"));
    String arms = html.substring(html.indexOf("data-run=\"" + ev.runId()));
    for (Map.Entry<String, Double> e : recall.entrySet()) {
      assertEquals(HtmlReport.fmt(e.getValue()), metric(arms, "recall_" + e.getKey()), e.getKey());
    }
    long diagonal = 0;
    for (int k = 0; k < 7; k++) {
      diagonal += Long.parseLong(metric(newest, "confusion_" + k + "_" + k));
    }
    assertEquals(Math.round(row.<Double>getAs("accuracy") * testImages), diagonal);
    assertTrue(html.contains("data:image/png;base64,"), "charts are embedded");

    // An external labelled folder (labels.csv) with three of the seven classes: absent classes have
    // no recall and stay out of the macro figures.
    Path external = tmp.resolve("external");
    Files.createDirectories(external);
    StringBuilder labels = new StringBuilder("path,label,group\n");
    List<String> csv = Files.readAllLines(data.resolve(PhantomDataset.METADATA_CSV));
    Map<String, Integer> taken = new java.util.HashMap<>();
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",");
      if (List.of("mel", "nv", "bkl").contains(f[2]) && taken.merge(f[2], 1, Integer::sum) <= 8) {
        Files.copy(data.resolve("images/" + f[1] + ".jpg"), external.resolve(f[1] + ".jpg"));
        labels.append(f[1]).append(".jpg,").append(f[2]).append(',').append(f[0]).append('\n');
      }
    }
    Files.writeString(external.resolve("labels.csv"), labels);
    EvaluateJob.Result ext = EvaluateJob.run(ctx, trained.modelPath(), external);
    Row extRow = ctx.tables().read(Tables.EVALUATIONS).where("run_id = '" + ext.runId() + "'").first();
    assertEquals(24L, extRow.<Long>getAs("n_images"));
    assertEquals(external.toAbsolutePath().toString(), extRow.getAs("test_set"));
    Map<String, Double> extRecall = extRow.getJavaMap(extRow.fieldIndex("recall"));
    assertTrue(extRecall.get("df").isNaN() && !extRecall.get("nv").isNaN(), extRecall.toString());
    double meanPresent = (extRecall.get("mel") + extRecall.get("nv") + extRecall.get("bkl")) / 3;
    assertEquals(meanPresent, extRow.<Double>getAs("balanced_accuracy"), 1e-12);

    // The CLI finds the newest trained model itself; the report now lists three evaluations.
    var out = new java.io.StringWriter();
    int code = Main.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(new java.io.StringWriter(), true),
        "evaluate", "--set", "warehouse=" + tmp.resolve("wh"), "--set", "evaluate.bootstrap=50");
    assertEquals(0, code, out.toString());
    assertTrue(out.toString().contains("baseline on images:test"), out.toString());
    assertEquals(3, Pattern.compile("<tr data-run=").matcher(Files.readString(Path.of(ev.reportPath()))).results().count());
  }

  static String metric(String html, String name) {
    Matcher m = Pattern.compile("data-metric=\"" + Pattern.quote(name) + "\"[^>]*>([^<]*)<").matcher(html);
    assertTrue(m.find(), name + " not in report");
    return m.group(1);
  }
}
