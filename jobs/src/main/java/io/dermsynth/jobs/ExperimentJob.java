package io.dermsynth.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

import com.typesafe.config.Config;
import io.dermsynth.core.metrics.Bootstrap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 9, experiment: the paper's comparison. Every arm (baseline, real + N synthetic, one arm per
 * direction, an LPIPS-threshold sweep, synthetic only) trains the same classifier with the same seeds,
 * epochs and real validation set, and is evaluated on the same real test split; each evaluation is a
 * row of `evaluations` (with experiment_id and seed), and the report sets the arms side by side with
 * paired-bootstrap differences to the baseline.
 */
public final class ExperimentJob {

  private static final Logger LOG = LoggerFactory.getLogger(ExperimentJob.class);

  /** One arm's models and evaluations, one per seed, and the synthetic images it used. */
  public record ArmRun(ExperimentArm arm, int syntheticUsed, List<Long> seeds, List<TrainClassifierJob.Result> models,
      List<EvaluateJob.Result> evaluations) {}

  /** What the experiment did. */
  public record Result(String runId, String experimentId, List<ArmRun> arms, List<ExperimentReport.Summary> summaries,
      String reportPath) implements JobResult {
    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("experiment_id", experimentId);
      m.put("arms", String.valueOf(arms.stream().map(a -> a.arm().name()).toList()));
      for (ExperimentReport.Summary s : summaries) {
        m.put("balanced_accuracy_" + s.arm(), String.format(Locale.ROOT, "%.6f", s.balancedAccuracy().estimate()));
      }
      m.put("report", reportPath);
      return m;
    }

    /** One line per arm, as `experiment`, `pipeline` and `demo` print them. */
    public List<String> armLines() {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < arms.size(); i++) {
        ExperimentReport.Summary a = summaries.get(i);
        Bootstrap.Interval d = a.deltaBalancedAccuracy();
        lines.add(String.format(Locale.ROOT, "%-16s %5d synthetic  balanced accuracy %.4f [%.4f, %.4f]  macro AUC %.4f%s",
            a.arm(), arms.get(i).syntheticUsed(), a.balancedAccuracy().estimate(), a.balancedAccuracy().lower(),
            a.balancedAccuracy().upper(), a.aucMacro().estimate(), d == null ? ""
                : String.format(Locale.ROOT, "  Δ BA %+.4f [%+.4f, %+.4f]", d.estimate(), d.lower(), d.upper())));
      }
      return lines;
    }
  }

  private ExperimentJob() {}

  public static Result run(JobContext ctx) throws Exception {
    return Runs.record(ctx, "experiment", runId -> experiment(ctx, runId));
  }

  private static Result experiment(JobContext ctx, String runId) throws Exception {
    Config c = ctx.settings().config().getConfig("experiment");
    String experimentId = c.getString("id").isBlank() ? runId : c.getString("id");
    Dataset<Row> pool = pool(ctx, c.getString("pool"));
    List<ExperimentArm> arms = ExperimentArm.expand(c.getStringList("arms"), c.getInt("synthetic"),
        c.getDouble("lpips_threshold"), c.getDoubleList("lpips_thresholds"), () -> poolDirections(ctx, pool));
    List<Long> seeds = c.getLongList("seeds");
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("experiment.seeds is empty; give at least one classifier seed");
    }
    Map<String, Long> realPerClass = realTrainPerClass(ctx);
    // Every arm's images are chosen (and a short pool refused) before the first model trains.
    List<Dataset<Row>> chosen = new ArrayList<>();
    for (ExperimentArm arm : arms) {
      chosen.add(arm.synthetic() == 0 ? null : select(ctx, pool, arm, realPerClass, c.getBoolean("allow_fewer")));
    }
    List<ArmRun> runs = new ArrayList<>();
    for (int a = 0; a < arms.size(); a++) {
      ExperimentArm arm = arms.get(a);
      Dataset<Row> synthetic = chosen.get(a);
      int used = synthetic == null ? 0 : (int) synthetic.count();
      List<TrainClassifierJob.Result> models = new ArrayList<>();
      List<EvaluateJob.Result> evals = new ArrayList<>();
      for (long seed : seeds) {
        JobContext armCtx = new JobContext(ctx.settings().with("classifier.seed", String.valueOf(seed))
            .with("classifier.arm", arm.name()), ctx.spark(), ctx.tables());
        LOG.info("experiment {}: arm {} seed {}: {} real train images + {} synthetic", experimentId, arm.name(), seed,
            arm.withReal() ? "the" : "no", used);
        TrainClassifierJob.Result model = TrainClassifierJob.run(armCtx, synthetic, arm.withReal());
        models.add(model);
        evals.add(EvaluateJob.run(armCtx, model.modelPath(), null, experimentId, seed));
      }
      runs.add(new ArmRun(arm, used, seeds, models, evals));
    }
    List<ExperimentReport.Summary> summaries = summarise(ctx, runs);
    String dir = (ctx.settings().config().getString("evaluate.report_dir").isEmpty()
        ? ctx.tables().warehouse() + "/report" : ctx.settings().config().getString("evaluate.report_dir"))
        + "/experiments/" + experimentId;
    String report = ExperimentReport.write(ctx, dir, experimentId, runs, summaries, examples(ctx, runs, chosen,
        c.getInt("examples_per_class")));
    LOG.info("experiment {}: {} arms × {} seeds → {}", experimentId, runs.size(), seeds.size(), report);
    return new Result(runId, experimentId, runs, summaries, report);
  }

  /** The synthetic rows arms may draw from: `synthetic` filtered by experiment.pool. */
  private static Dataset<Row> pool(JobContext ctx, String where) {
    if (!ctx.tables().exists(Tables.SYNTHETIC)) {
      return null;
    }
    Dataset<Row> all = ctx.tables().read(Tables.SYNTHETIC);
    return where.isBlank() ? all : all.where(where);
  }

  private static List<ExperimentArm.Direction> poolDirections(JobContext ctx, Dataset<Row> pool) {
    if (pool == null) {
      return List.of();
    }
    Dataset<Row> dirs = pool.select("direction_id").distinct().join(ctx.tables().read(Tables.DIRECTIONS)
        .select(col("direction_id").as("d"), col("rank")), col("direction_id").equalTo(col("d")));
    Map<String, String> names = new TreeMap<>();
    if (ctx.tables().exists(Tables.DIRECTION_REVIEWS)) {
      ctx.tables().read(Tables.DIRECTION_REVIEWS).where(col("name").isNotNull()).orderBy("decided_at")
          .select("direction_id", "name").collectAsList().forEach(r -> names.put(r.getString(0), r.getString(1)));
    }
    return dirs.orderBy("rank").select("direction_id", "rank").collectAsList().stream()
        .map(r -> new ExperimentArm.Direction(r.getString(0), r.getInt(1), names.get(r.getString(0)))).toList();
  }

  private static Map<String, Long> realTrainPerClass(JobContext ctx) {
    Map<String, Long> n = new TreeMap<>();
    ctx.tables().read(Tables.IMAGES).where(col("split").equalTo("train")).groupBy("dx").count().collectAsList()
        .forEach(r -> n.put(r.getString(0), r.getLong(1)));
    return n;
  }

  /**
   * The arm's synthetic images: pool rows within its LPIPS limit (and direction), spread over classes
   * by inverse frequency of the real train split (as augment.target), the smallest synth_ids of each
   * class, so every seed and every rerun uses the same images.
   */
  static Dataset<Row> select(JobContext ctx, Dataset<Row> pool, ExperimentArm arm, Map<String, Long> realPerClass,
      boolean allowFewer) {
    if (pool == null) {
      throw new IllegalStateException("arm " + arm.name() + " needs synthetic images and there is no `synthetic` "
          + "table: run `dermsynth augment` first");
    }
    Column ok = col("lpips").leq(arm.lpipsMax());
    if (arm.directionId() != null) {
      ok = ok.and(col("direction_id").equalTo(arm.directionId()));
    }
    Dataset<Row> rows = pool.where(ok);
    Map<String, Long> available = new TreeMap<>();
    rows.groupBy("dx").count().collectAsList().forEach(r -> available.put(r.getString(0), r.getLong(1)));
    long total = available.values().stream().mapToLong(Long::longValue).sum();
    boolean perDirection = arm.directionId() != null;
    if (total < arm.synthetic() && !allowFewer && !perDirection) {
      throw new IllegalStateException(String.format(Locale.ROOT, "arm %s needs %d synthetic images with LPIPS ≤ %.2f; "
          + "the pool has %d: run `dermsynth augment` with a larger augment.target, widen experiment.pool, or set "
          + "experiment.allow_fewer = true", arm.name(), arm.synthetic(), arm.lpipsMax(), total));
    }
    Map<String, Long> weights = new TreeMap<>();
    available.keySet().forEach(dx -> weights.put(dx, realPerClass.getOrDefault(dx, 1L)));
    Map<String, Long> quota = AugmentJob.quotas(available, weights, arm.synthetic(), true);
    List<Row> q = new ArrayList<>();
    quota.forEach((dx, n) -> q.add(org.apache.spark.sql.RowFactory.create(dx, n)));
    Dataset<Row> quotas = ctx.spark().createDataFrame(q, new org.apache.spark.sql.types.StructType()
        .add("quota_dx", "string").add("quota", "long"));
    return rows.withColumn("k", row_number().over(Window.partitionBy("dx").orderBy("synth_id")))
        .join(quotas, col("dx").equalTo(col("quota_dx"))).where(col("k").leq(col("quota")))
        .select("synth_id", "image_id", "lesion_id", "dx", "direction_id", "alpha", "lpips", "png");
  }

  /**
   * Per arm: balanced accuracy, macro AUC and per-class recall averaged over seeds, with 95% bootstrap
   * intervals (lesions resampled), and the paired-bootstrap difference to the baseline (the same
   * resampled lesions for both arms).
   */
  private static List<ExperimentReport.Summary> summarise(JobContext ctx, List<ArmRun> runs) {
    Config e = ctx.settings().config().getConfig("evaluate");
    EvaluateJob.Predictions first = runs.get(0).evaluations().get(0).predictions();
    Bootstrap boot = new Bootstrap(first.lesionGroup(), e.getInt("bootstrap"), e.getLong("seed"), 0.95);
    int classes = first.proba()[0].length;
    List<ExperimentReport.Summary> out = new ArrayList<>();
    ArmRun base = runs.get(0);
    for (ArmRun r : runs) {
      java.util.function.ToDoubleFunction<int[]> ba = idx -> meanOver(r, idx, m -> m.balancedAccuracy());
      java.util.function.ToDoubleFunction<int[]> auc = idx -> meanOver(r, idx, m -> m.aucMacro());
      List<Bootstrap.Interval> recall = new ArrayList<>();
      for (int k = 0; k < classes; k++) {
        int cls = k;
        recall.add(boot.interval(idx -> meanRecall(r, idx, cls)));
      }
      Bootstrap.Interval dBa = r == base ? null
          : boot.pairedDifference(ba, idx -> meanOver(base, idx, m -> m.balancedAccuracy()));
      Bootstrap.Interval dAuc = r == base ? null
          : boot.pairedDifference(auc, idx -> meanOver(base, idx, m -> m.aucMacro()));
      out.add(new ExperimentReport.Summary(r.arm().name(), boot.interval(ba), boot.interval(auc), recall, dBa, dAuc));
    }
    return out;
  }

  private static double meanOver(ArmRun r, int[] idx,
      java.util.function.ToDoubleFunction<io.dermsynth.core.metrics.ClassificationMetrics> metric) {
    double sum = 0;
    for (EvaluateJob.Result ev : r.evaluations()) {
      EvaluateJob.Predictions p = ev.predictions();
      sum += metric.applyAsDouble(EvaluateJob.subset(p.labels(), p.predicted(), p.proba(), idx,
          p.proba()[0].length));
    }
    return sum / r.evaluations().size();
  }

  /** Recall of class k on the resampled images, averaged over seeds; NaN when k is absent. */
  private static double meanRecall(ArmRun r, int[] idx, int k) {
    double sum = 0;
    for (EvaluateJob.Result ev : r.evaluations()) {
      EvaluateJob.Predictions p = ev.predictions();
      long tp = 0;
      long n = 0;
      for (int i : idx) {
        if (p.labels()[i] == k) {
          n++;
          if (p.predicted()[i] == k) {
            tp++;
          }
        }
      }
      sum += n == 0 ? Double.NaN : (double) tp / n;
    }
    return sum / r.evaluations().size();
  }

  /** Synthetic examples per class for the report: from the arm with the most synthetic images. */
  private static List<Row> examples(JobContext ctx, List<ArmRun> runs, List<Dataset<Row>> chosen, int perClass) {
    int biggest = 0;
    for (int a = 1; a < runs.size(); a++) {
      if (runs.get(a).syntheticUsed() > runs.get(biggest).syntheticUsed()) {
        biggest = a;
      }
    }
    if (runs.get(biggest).syntheticUsed() == 0 || perClass <= 0) {
      return List.of();
    }
    return chosen.get(biggest)
        .withColumn("e", row_number().over(Window.partitionBy("dx").orderBy("synth_id")))
        .where(col("e").leq(perClass))
        .join(ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src"), col("png").as("source_png")),
            col("image_id").equalTo(col("src")))
        .orderBy("dx", "synth_id").select("dx", "alpha", "lpips", "source_png", "png").collectAsList();
  }
}
