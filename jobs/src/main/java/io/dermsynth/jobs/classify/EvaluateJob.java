package io.dermsynth.jobs.classify;

import static org.apache.spark.sql.functions.col;

import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.TableCatalog;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.classify.ClassifierTrainer;
import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.ImageNormalizer;
import io.dermsynth.core.data.Manifest;
import io.dermsynth.core.data.SourceRecord;
import io.dermsynth.core.metrics.Bootstrap;
import io.dermsynth.core.metrics.Predictions;
import io.dermsynth.core.metrics.ClassificationMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 8b, evaluate: a trained classifier on a labelled set (the real test split of `images`, or any
 * folder in a supported layout) → one row of Delta `evaluations` with every metric, 95% bootstrap
 * intervals by lesion, and the confusion matrix; then the HTML report over all evaluations.
 */
public final class EvaluateJob {

  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

  /** One evaluation and where its report is. */
  public record Result(String runId, String arm, String testSet, String model, ClassificationMetrics scores,
      Bootstrap.Interval balancedAccuracy, Bootstrap.Interval aucMacro, int skippedFiles,
      String reportPath, Predictions predictions) implements JobResult {
    @Override
    public String summary() {
      return String.format(Locale.ROOT, "%s on %s, model %s: balanced accuracy %.4f [%.4f, %.4f], macro AUC %.4f "
          + "[%.4f, %.4f]", arm, testSet, model, scores.balancedAccuracy(), balancedAccuracy.lower(), balancedAccuracy.upper(),
          scores.aucMacro(), aucMacro.lower(), aucMacro.upper());
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("arm", arm);
      m.put("test_set", testSet);
      m.put("balanced_accuracy", String.format(Locale.ROOT, "%.6f", scores.balancedAccuracy()));
      m.put("auc_macro", String.format(Locale.ROOT, "%.6f", scores.aucMacro()));
      m.put("skipped_files", String.valueOf(skippedFiles));
      m.put("report", reportPath);
      return m;
    }
  }

  private EvaluateJob() {}

  /**
   * @param modelPath folder of a trained classifier
   * @param testData a labelled folder in any supported layout, or null for the test split of `images`
   */
  public static Result run(JobContext ctx, String modelPath, Path testData) throws Exception {
    return run(ctx, modelPath, testData, null, null, null);
  }

  /** As {@link #run(JobContext, String, Path)}, for an experiment's arm trained with {@code seed}. */
  public static Result run(JobContext ctx, String modelPath, Path testData, String experimentId, Long seed,
      String armPolicy) throws Exception {
    return Runs.record(ctx, "evaluate", runId -> evaluate(ctx, runId, modelPath, testData, experimentId, seed,
        armPolicy));
  }

  private static Result evaluate(JobContext ctx, String runId, String modelPath, Path testData,
      String experimentId, Long seed, String armPolicy) throws Exception {
    ConfigReader c = ConfigReader.of(ctx.settings(), "evaluate");
    try (ClassifierModel model = ModelStore.loadClassifier(ctx.spark(), modelPath, ModelStore.device(ctx.settings()))) {
      TestSet test = TestSet.of(ctx, testData, model.manifest().imageSize());
      double[][] proba = model.predictProba(test.images().pixels(), 64);
      int[] pred = new int[proba.length];
      for (int i = 0; i < pred.length; i++) {
        pred[i] = ClassifierTrainer.argmax(proba[i]);
      }
      Map<String, Integer> lesionIndex = new HashMap<>();
      int[] group = new int[test.images().size()];
      for (int i = 0; i < group.length; i++) {
        group[i] = lesionIndex.computeIfAbsent(test.images().lesionIds().get(i), k -> lesionIndex.size());
      }
      Predictions predictions = new Predictions(test.images().labels(), proba, pred, group);
      ClassificationMetrics m = ClassificationMetrics.compute(test.images().labels(), pred, proba,
          model.manifest().classes().size());
      Bootstrap boot = new Bootstrap(group, c.atLeast("bootstrap", 1), c.longValue("seed"), 0.95);
      Bootstrap.Interval ba = boot.interval(idx -> predictions.on(idx).balancedAccuracy());
      Bootstrap.Interval auc = boot.interval(idx -> predictions.on(idx).aucMacro());

      String arm = ConfigReader.of(ctx.settings(), "classifier").string("arm");
      List<String> names = model.manifest().classes();
      Row row = RowFactory.create(runId, arm, modelPath, model.manifest().runId(), test.name(),
          (long) pred.length, (long) lesionIndex.size(), names.toArray(new String[0]),
          m.balancedAccuracy(), ba.lower(), ba.upper(), m.aucMacro(), auc.lower(), auc.upper(),
          m.accuracy(), byClass(names, k -> m.recall()[k]), byClass(names, k -> m.precision()[k]),
          byClass(names, k -> m.f1()[k]), byClass(names, k -> m.aucPerClass()[k]),
          byClass(names, k -> m.support()[k]),
          confusion(m.confusion()), Timestamp.from(Instant.now()), experimentId, seed, armPolicy);
      // Tables from before experiment_id/seed/arm_policy existed gain the columns.
      ctx.tables().appendEvolving(Tables.EVALUATIONS, ctx.spark().createDataFrame(List.of(row), TableCatalog.schema(Tables.EVALUATIONS)));
      String reportDir = c.string("report_dir").isEmpty() ? ctx.tables().warehouse() + "/report" : c.string("report_dir");
      String report = EvaluationReport.write(ctx, reportDir, runId, test.images().labels(), proba, names);
      LOG.info("evaluate {}: {} on {} ({} images, {} lesions): balanced accuracy {} [{}, {}], macro AUC {} → {}",
          runId, arm, test.name(), pred.length, lesionIndex.size(), f(m.balancedAccuracy()), f(ba.lower()),
          f(ba.upper()), f(m.aucMacro()), report);
      return new Result(runId, arm, test.name(), modelPath, m, ba, auc, test.skipped(), report, predictions);
    }
  }

  /** The labelled images scored: the test split of `images`, or a folder; files that could not be used. */
  private record TestSet(LabelledImages images, String name, int skipped) {

    static TestSet of(JobContext ctx, Path testData, int size) throws Exception {
      TestSet t;
      if (testData == null) {
        t = new TestSet(LabelledImages.fromImages(ctx, col("split").equalTo("test"), size), "images:test", 0);
      } else {
        List<Row> rows = new ArrayList<>();
        Manifest manifest = DatasetFormat.detect(testData).reader().read(testData);
        int skipped = manifest.rejections().size();
        try (ImageNormalizer norm = new ImageNormalizer(ImageNormalizer.Options.ofSize(size))) {
          for (SourceRecord r : manifest.records()) {
            if (norm.normalize(Files.readAllBytes(Path.of(r.sourcePath())))
                instanceof ImageNormalizer.Normalized ok) {
              rows.add(RowFactory.create(r.imageId(), r.lesionId(), r.dx().code, ok.png()));
            } else {
              skipped++;
            }
          }
        }
        t = new TestSet(LabelledImages.of(rows, size), testData.toAbsolutePath().toString(), skipped);
      }
      if (t.images().size() == 0) {
        throw new IllegalStateException("no labelled images in " + (testData == null
            ? "the test split of " + ctx.tables().where(Tables.IMAGES) : testData));
      }
      return t;
    }
  }



  /** class name → value, in the model's class order. */
  private static <V> Map<String, V> byClass(List<String> names, java.util.function.IntFunction<V> value) {
    Map<String, V> m = new LinkedHashMap<>();
    for (int k = 0; k < names.size(); k++) {
      m.put(names.get(k), value.apply(k));
    }
    return m;
  }

  private static List<List<Long>> confusion(long[][] cm) {
    List<List<Long>> rows = new ArrayList<>();
    for (long[] r : cm) {
      rows.add(java.util.Arrays.stream(r).boxed().toList());
    }
    return rows;
  }

  static String f(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
