package io.dermsynth.jobs.experiment;

import io.dermsynth.core.experiment.ExperimentArm;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.dermsynth.jobs.augment.AugmentJob;
import io.dermsynth.jobs.classify.EvaluateJob;
import io.dermsynth.jobs.classify.TrainClassifierJob;
import io.dermsynth.jobs.review.DirectionReviews;
import io.dermsynth.jobs.review.WaitingForReview;
import io.dermsynth.jobs.augment.AugmentSettings;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.classify.SyntheticAllocation;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.experiment.ArmComparison;
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
import org.apache.spark.sql.functions;
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
  public record Result(String runId, String experimentId, List<ArmRun> arms, List<ArmComparison.Summary> summaries,
      String reportPath) implements JobResult {
    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("experiment_id", experimentId);
      m.put("arms", String.valueOf(arms.stream().map(a -> a.arm().name()).toList()));
      for (ArmComparison.Summary s : summaries) {
        m.put("balanced_accuracy_" + s.arm(), String.format(Locale.ROOT, "%.6f", s.balancedAccuracy().estimate()));
      }
      m.put("report", reportPath);
      return m;
    }

    /** One line per arm, and one with the spread over seeds when an arm has several. */
    @Override
    public String summary() {
      return String.join("\n", armLines());
    }

    private List<String> armLines() {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < arms.size(); i++) {
        ArmComparison.Summary a = summaries.get(i);
        Bootstrap.Interval d = a.deltaBalancedAccuracy();
        lines.add(String.format(Locale.ROOT, "%-16s %5d synthetic  balanced accuracy %.4f [%.4f, %.4f]  macro AUC %.4f%s",
            a.arm(), arms.get(i).syntheticUsed(), a.balancedAccuracy().estimate(), a.balancedAccuracy().lower(),
            a.balancedAccuracy().upper(), a.aucMacro().estimate(), d == null ? ""
                : String.format(Locale.ROOT, "  Δ BA %+.4f [%+.4f, %+.4f]: %s", d.estimate(), d.lower(), d.upper(),
                    a.verdict())));
        List<EvaluateJob.Result> evals = arms.get(i).evaluations();
        if (evals.size() > 1) {
          // The spread over seeds, so that one seed's luck shows as such.
          double[] ba = evals.stream().mapToDouble(e -> e.scores().balancedAccuracy()).toArray();
          double mean = java.util.Arrays.stream(ba).average().orElseThrow();
          double sd = Math.sqrt(java.util.Arrays.stream(ba).map(x -> (x - mean) * (x - mean)).sum() / (ba.length - 1));
          StringBuilder seeds = new StringBuilder();
          for (int k = 0; k < ba.length; k++) {
            seeds.append(String.format(Locale.ROOT, " s%d %.4f", arms.get(i).seeds().get(k), ba[k]));
          }
          lines.add(String.format(Locale.ROOT, "%-16s per seed:%s (sd %.4f)", "", seeds, sd));
        }
      }
      return lines;
    }
  }

  private ExperimentJob() {}

  public static Result run(JobContext ctx) throws Exception {
    return Runs.record(ctx, "experiment", runId -> experiment(ctx, runId));
  }

  /** One arm: a classifier per seed (or the one an earlier run trained, with experiment.resume), evaluated. */
  private static ArmRun runArm(JobContext ctx, ExperimentSettings c, String experimentId, ExperimentArm arm,
      Dataset<Row> synthetic, List<Long> seeds, String budget) throws Exception {
    List<String> synthIds = synthetic == null ? List.of() : TrainClassifierJob.sortedSynthIds(synthetic);
    int used = synthIds.size();
    String digest = TrainClassifierJob.syntheticDigest(synthIds);
    List<TrainClassifierJob.Result> models = new ArrayList<>();
    List<EvaluateJob.Result> evals = new ArrayList<>();
    for (long seed : seeds) {
      // budget = steps: an epoch is as many draws as real images in every arm, so every arm takes the
      // baseline's optimizer steps and extra images cannot win by extra training.
      JobContext armCtx = new JobContext(ctx.settings().with("classifier.seed", String.valueOf(seed))
          .with("classifier.arm", arm.name())
          .with("classifier.epoch_draws", budget.equals("steps") ? "real" : "all"), ctx.spark(), ctx.tables());
      var trained = c.resume() ? ArmModels.trained(armCtx, arm.name(), used, digest)
          : java.util.Optional.<TrainClassifierJob.Result>empty();
      TrainClassifierJob.Result model;
      if (trained.isPresent()) {
        model = trained.get();
        LOG.info("experiment {}: arm {} seed {}: trained before with these settings, run {} (experiment.resume)",
            experimentId, arm.name(), seed, model.runId());
      } else {
        LOG.info("experiment {}: arm {} seed {}: {} real train images + {} synthetic", experimentId, arm.name(),
            seed, arm.withReal() ? "the" : "no", used);
        model = TrainClassifierJob.run(armCtx, synthetic, arm.withReal());
      }
      models.add(model);
      evals.add(EvaluateJob.run(armCtx, model.modelPath(), null, experimentId, seed, arm.describe()));
    }
    return new ArmRun(arm, used, seeds, models, evals);
  }

  private static Result experiment(JobContext ctx, String runId) throws Exception {
    ExperimentSettings c = ExperimentSettings.of(ctx.settings());
    String experimentId = c.id().isBlank() ? runId : c.id();
    Pool reviewed = pool(ctx, c.pool());
    Dataset<Row> pool = reviewed.rows();
    waitForReview(ctx, c, pool);
    if (!reviewed.excluded().isEmpty()) {
      LOG.info("experiment {}: left out, rejected by a reviewer after augment wrote them: {} (direction → rows)",
          experimentId, reviewed.excluded());
    }
    List<ExperimentArm> arms = ExperimentArm.expand(c.arms(), c.synthetic(), c.lpipsThreshold(), c.lpipsThresholds(),
        c.defaults(), () -> poolDirections(ctx, pool));
    String budget = c.budget();
    List<Long> seeds = c.seeds();
    Map<String, Long> realPerClass = realTrainPerClass(ctx);
    // Every arm's images are chosen (and a short pool refused) before the first model trains.
    List<Dataset<Row>> chosen = new ArrayList<>();
    for (ExperimentArm arm : arms) {
      // Kept: each arm's rows are read for their digest, then by every seed's training and the report.
      chosen.add(arm.synthetic() == 0 ? null
          : select(ctx, pool, arm, realPerClass, c).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK()));
    }
    List<ArmRun> runs = new ArrayList<>();
    for (int a = 0; a < arms.size(); a++) {
      runs.add(runArm(ctx, c, experimentId, arms.get(a), chosen.get(a), seeds, budget));
    }
    List<ArmComparison.Summary> summaries = summarise(ctx, runs);
    String dir = (ctx.settings().config().getString("evaluate.report_dir").isEmpty()
        ? ctx.tables().warehouse() + "/report" : ctx.settings().config().getString("evaluate.report_dir"))
        + "/experiments/" + experimentId;
    String report = ExperimentReport.write(ctx, dir, experimentId, runs, summaries, examples(ctx, runs, chosen,
        c.examplesPerClass()), renders(ctx, pool, c.examplesPerClass()), reviewed.excluded());
    chosen.stream().filter(java.util.Objects::nonNull).forEach(Dataset::unpersist);
    LOG.info("experiment {}: {} arms × {} seeds → {}", experimentId, runs.size(), seeds.size(), report);
    return new Result(runId, experimentId, runs, summaries, report);
  }

  /**
   * The synthetic rows arms may draw from ({@code rows}, null without a `synthetic` table), and those left
   * out because of a review ({@code excluded}: direction_id → rows).
   */
  public record Pool(Dataset<Row> rows, Map<String, Long> excluded) {}

  /**
   * Arms that need synthetic images, none in the pool, and augment takes only approved directions of which
   * there are none: the chain is waiting for a reviewer (exit 3), as augment before it is — not a failure.
   */
  private static void waitForReview(JobContext ctx, ExperimentSettings c, Dataset<Row> pool) {
    boolean needsSynthetic = c.arms().stream().anyMatch(a -> !a.trim().equalsIgnoreCase("baseline"));
    boolean reviewed = AugmentSettings.of(ctx.settings()).source().equals("approved");
    if (needsSynthetic && reviewed && (pool == null || pool.isEmpty())
        && (!ctx.tables().exists(Tables.DIRECTION_REVIEWS) || DirectionReviews.currentlyApproved(ctx).isEmpty())) {
      throw new WaitingForReview("no synthetic images to compare yet: no direction is approved (review page or "
          + "`dermsynth review-decide`), so augment has made none");
    }
  }

  /**
   * The synthetic rows the experiment would give arm {@code spec} (one arm of the arm grammar, e.g. sa2k or
   * "sa2k:generator"), chosen as for training: for exporting exactly that training set.
   *
   * @return the rows, or null for an arm without synthetic images (baseline)
   */
  public static Dataset<Row> armRows(JobContext ctx, String spec) {
    ExperimentSettings c = ExperimentSettings.of(ctx.settings());
    Dataset<Row> pool = pool(ctx, c.pool()).rows();
    if (spec.trim().equalsIgnoreCase("baseline")) {
      return null;
    }
    // The grammar takes arms against a baseline; the baseline itself has no synthetic rows.
    List<ExperimentArm> arms = ExperimentArm.expand(List.of("baseline", spec), c.synthetic(), c.lpipsThreshold(),
        c.lpipsThresholds(), c.defaults(), () -> poolDirections(ctx, pool)).stream()
        .filter(a -> !a.name().equals("baseline")).toList();
    if (arms.size() != 1) {
      throw new IllegalArgumentException("arm '" + spec + "' is " + arms.size() + " arms "
          + arms.stream().map(ExperimentArm::name).toList() + "; name one of them");
    }
    ExperimentArm arm = arms.get(0);
    return arm.synthetic() == 0 ? null : select(ctx, pool, arm, realTrainPerClass(ctx), c);
  }

  /**
   * `synthetic` filtered by experiment.pool and by the reviews as they stand now: a row is drawn when its
   * direction's latest decision is approved, or when the direction was never decided and the row was made
   * unattended (direction_source all_top_k). A direction rejected after augment wrote its rows no longer
   * feeds any arm.
   */
  public static Pool pool(JobContext ctx, String where) {
    if (!ctx.tables().exists(Tables.SYNTHETIC)) {
      return new Pool(null, Map.of());
    }
    // A table written before renders had a choice reads null render, lpips_recon, inversion_method and
    // direction_source (Tables.read): generator renders without an LPIPS to the reconstruction.
    Dataset<Row> all = ctx.tables().read(Tables.SYNTHETIC);
    all = where.isBlank() ? all : all.where(where);
    if (!ctx.tables().exists(Tables.DIRECTION_REVIEWS)) {
      return new Pool(all, Map.of());
    }
    Dataset<Row> latest = DirectionReviews.latest(ctx).select(col("direction_id").as("reviewed_direction"),
        col("decision").as("latest_decision"));
    Dataset<Row> joined = all.join(latest, col("direction_id").equalTo(col("reviewed_direction")), "left");
    org.apache.spark.sql.Column drawn = col("latest_decision").equalTo(DirectionReviews.APPROVED)
        .or(col("latest_decision").isNull().and(functions.coalesce(col("direction_source"), lit("")).notEqual("approved")));
    Map<String, Long> excluded = new TreeMap<>();
    joined.where(functions.not(functions.coalesce(drawn, lit(false)))).groupBy("direction_id").count().collectAsList()
        .forEach(r -> excluded.put(r.getString(0), r.getLong(1)));
    return new Pool(joined.where(drawn).drop("reviewed_direction", "latest_decision"), excluded);
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
   * The arm's synthetic images: pool rows of its render within its LPIPS limits (to the source, and to
   * the α = 0 render), edits (α ≠ 0) or, for a recon arm, α = 0 renders, label-gated when its policy
   * says so, spread over classes by its allocation with the real train counts as class sizes; the
   * smallest synth_ids of each class, so every seed and every rerun uses the same images.
   */
  static Dataset<Row> select(JobContext ctx, Dataset<Row> pool, ExperimentArm arm, Map<String, Long> realPerClass,
      ExperimentSettings c) {
    if (pool == null) {
      throw new IllegalStateException("arm " + arm.name() + " needs synthetic images and there is no `synthetic` "
          + "table: run `dermsynth augment` first");
    }
    // A source's finest inversion is found before the gate and the LPIPS limits, so that a refined source
    // whose renders fail them is not drawn from its older renders instead.
    Dataset<Row> rows = fromSources(pool.where(kind(arm)), arm.policy().sources())
        .where(admits(arm, c.lpipsReconThreshold(), c.minLabelProbability()));
    Map<String, Long> available = new TreeMap<>();
    rows.groupBy("dx").count().collectAsList().forEach(r -> available.put(r.getString(0), r.getLong(1)));
    long total = available.values().stream().mapToLong(Long::longValue).sum();
    double weight = ctx.settings().config().getDouble("classifier.synthetic_weight");
    Map<String, Long> quota = SyntheticAllocation.quotas(arm.policy().allocation(), realPerClass, available,
        arm.synthetic(), c.cap(), weight);
    long given = quota.values().stream().mapToLong(Long::longValue).sum();
    boolean perDirection = arm.directionId() != null;
    if (given < arm.synthetic() && !c.allowFewer() && !perDirection) {
      throw new IllegalStateException(String.format(Locale.ROOT, "arm %s needs %d synthetic images (%s); the pool "
          + "has %d that pass (by class %s), and its allocation can use %d of them (by class %s): run `dermsynth "
          + "augment` with a larger augment.target or this render, widen experiment.pool, or set "
          + "experiment.allow_fewer = true", arm.name(), arm.synthetic(), arm.describe(), total, available, given,
          quota));
    }
    return io.dermsynth.jobs.augment.EditPlan.keepQuotas(ctx, rows, quota)
        .select("synth_id", "image_id", "lesion_id", "dx", "direction_id", "alpha", "lpips", "png");
  }

  /**
   * The rows of {@code sources}: one inversion method, or per source image the rows of its finest method
   * (encoder < hyperstyle < optimised) among {@code rows}. Rows without a recorded method count as
   * HyperStyle, invert's default method when they were made.
   */
  static Dataset<Row> fromSources(Dataset<Row> rows, String sources) {
    Column method = coalesce(col("inversion_method"), lit("hyperstyle"));
    if (!sources.equals(ExperimentArm.Policy.FINEST)) {
      return rows.where(method.equalTo(sources));
    }
    Column rank = lit(-1);
    for (Inverter.Method m : Inverter.Method.values()) {
      rank = when(method.equalTo(m.name().toLowerCase(Locale.ROOT)), m.ordinal()).otherwise(rank);
    }
    return rows.withColumn("_rank", rank)
        .withColumn("_finest", max("_rank").over(Window.partitionBy("image_id")))
        .where(col("_rank").equalTo(col("_finest"))).drop("_rank", "_finest");
  }

  /** Which of the rows of its kind an arm may use: the LPIPS limits, its gate, its direction. */
  static Column admits(ExperimentArm arm, double lpipsReconMax, double minLabelProbability) {
    Column ok = col("lpips").leq(arm.lpipsMax())
        .and(coalesce(col("lpips_recon").leq(lpipsReconMax), lit(true)));
    if (arm.policy().gated()) {
      ok = ok.and(coalesce(col("label_kept"), lit(false)))
          .and(coalesce(col("label_probability"), lit(0.0)).geq(minLabelProbability));
    }
    if (arm.directionId() != null) {
      ok = ok.and(col("direction_id").equalTo(arm.directionId()));
    }
    return ok;
  }

  /** The pool rows of the arm's render and kind: edits (α ≠ 0), or α = 0 renders for a recon arm. */
  private static Column kind(ExperimentArm arm) {
    return coalesce(col("render"), lit(EditRenderer.Render.GENERATOR.id())).equalTo(arm.policy().render().id())
        .and(arm.reconOnly() ? col("alpha").equalTo(0) : col("alpha").notEqual(0));
  }

  /** The arms' statistics ({@link ArmComparison}), the first arm (the baseline) as the reference. */
  private static List<ArmComparison.Summary> summarise(JobContext ctx, List<ArmRun> runs) {
    var e = io.dermsynth.jobs.settings.ConfigReader.of(ctx.settings(), "evaluate");
    return ArmComparison.compare(runs.stream().map(r -> new ArmComparison.Arm(r.arm().name(),
        r.evaluations().stream().map(EvaluateJob.Result::predictions).toList())).toList(),
        e.atLeast("bootstrap", 1), e.longValue("seed"));
  }

  /**
   * The same edits in both renders, per class: (dx, alpha, source PNG, generator render, residual render)
   * for up to {@code perClass} edits per class that the pool holds in both, smallest synth_id first.
   */
  private static List<Row> renders(JobContext ctx, Dataset<Row> pool, int perClass) {
    if (pool == null || perClass <= 0) {
      return List.of();
    }
    Dataset<Row> generator = pool.where(coalesce(col("render"), lit("generator")).equalTo("generator")
        .and(col("alpha").notEqual(0))).select(col("image_id").as("g_image"), col("direction_id").as("g_dir"),
        col("alpha").as("g_alpha"), col("inverter_version").as("g_inv"), col("png").as("generator_png"));
    return pool.where(col("render").equalTo("residual").and(col("alpha").notEqual(0)))
        .join(generator, col("image_id").equalTo(col("g_image")).and(col("direction_id").equalTo(col("g_dir")))
            .and(col("alpha").equalTo(col("g_alpha"))).and(col("inverter_version").equalTo(col("g_inv"))))
        .withColumn("e", row_number().over(Window.partitionBy("dx").orderBy("synth_id")))
        .where(col("e").leq(perClass))
        .join(ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src"), col("png").as("source_png")),
            col("image_id").equalTo(col("src")))
        .orderBy("dx", "synth_id").select("dx", "alpha", "source_png", "generator_png", "png").collectAsList();
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
