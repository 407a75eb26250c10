package io.dermsynth.jobs.cli;

import io.dermsynth.jobs.augment.AugmentJob;
import io.dermsynth.jobs.augment.AugmentSettings;
import io.dermsynth.jobs.classify.TrainClassifierJob;
import io.dermsynth.jobs.experiment.ExperimentJob;
import io.dermsynth.jobs.factor.FactorizeJob;
import io.dermsynth.jobs.gan.SampleJob;
import io.dermsynth.jobs.gan.TrainGanJob;
import io.dermsynth.jobs.ingest.IngestJob;
import io.dermsynth.jobs.invert.InvertJob;
import io.dermsynth.jobs.invert.TrainInverterJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import com.typesafe.config.Config;
import io.dermsynth.core.data.DatasetFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's pipeline as one chain: ingest → train-gan → sample grid → classifier (LPIPS network and
 * label-consistency judge) → train-inverter → invert → factorize → augment → experiment. `demo` runs
 * it on phantoms at tiny presets; `pipeline` on a real dataset at the settings given (small64 presets by
 * default). With {@code reuse}, a training stage that already has a succeeded run in this warehouse is
 * not trained again, and the data stages add only what is missing, so a stopped pipeline is run again to
 * go on. Without reviewed directions an attended pipeline stops after factorize and says how to review.
 */
public final class PipelineJob {

  /**
   * Where the chain got to; {@code experiment} is null when it stopped early: {@code stopped} says why
   * ({@link #FOR_REVIEW}, or {@link #FOR_BUDGET} when gan.max_minutes ended train-gan before gan.kimg).
   */
  public record Result(String runId, String ganModel, String gridPath, String classifierModel, String inverterModel,
      long latentsAdded, long directionsAdded, long syntheticAdded, ExperimentJob.Result experiment, String stopped)
      implements JobResult {

    public static final String FOR_REVIEW = "waiting for direction reviews";
    public static final String FOR_BUDGET = "train-gan stopped by gan.max_minutes; run again to go on";

    /** Stopped before augment until a direction is reviewed (exit code {@link Main#EXIT_WAITING_FOR_REVIEW}). */
    public boolean waitingForReview() {
      return FOR_REVIEW.equals(stopped);
    }

    /** The experiment's arms, or why the chain stopped before it. */
    @Override
    public String summary() {
      return experiment != null ? experiment.summary() : "stopped: " + stopped;
    }

    @Override
    public String reportPath() {
      return experiment != null ? experiment.reportPath() : null;
    }

    @Override
    public String status() {
      return FOR_BUDGET.equals(stopped) ? "partial" : "succeeded";
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("gan_path", ganModel);
      m.put("sample_grid", gridPath);
      m.put("model_path", classifierModel);
      m.put("inverter_path", inverterModel);
      m.put("latents_added", String.valueOf(latentsAdded));
      m.put("directions_added", String.valueOf(directionsAdded));
      m.put("synthetic_added", String.valueOf(syntheticAdded));
      if (experiment != null) {
        m.put("experiment_id", experiment.experimentId());
        experiment.summaries().forEach(a -> m.put("balanced_accuracy_" + a.arm(),
            String.valueOf(a.balancedAccuracy().estimate())));
        m.put("report", experiment.reportPath());
      } else {
        m.put("stopped", stopped);
      }
      return m;
    }
  }

  private PipelineJob() {}

  /** `dermsynth pipeline --data DIR`: the chain on a real dataset, reusing what earlier runs finished. */
  public static Result run(JobContext ctx, Path data, DatasetFormat format, PrintWriter out) throws Exception {
    String grid = ctx.tables().warehouse() + "/report/samples.png";
    return Runs.record(ctx, "pipeline", runId -> chain(ctx, runId, data, format, grid, 1, out, true));
  }

  /**
   * Steps from {@code first} (the demo's step 1 makes the phantoms) to {@code first + 8}, printed as
   * [k/last].
   */
  static Result chain(JobContext ctx, String runId, Path data, DatasetFormat format, String grid, int first,
      PrintWriter out, boolean reuse) throws Exception {
    return new Chain(ctx, runId, grid, new Steps(out, first, first + 8), out, reuse).run(data, format);
  }

  /** One pass of the chain: each step prints its heading and its job's summary. */
  private static final class Chain {
    private final JobContext ctx;
    private final Config c;
    private final String runId;
    private final String grid;
    private final Steps steps;
    private final PrintWriter out;
    private final boolean reuse;
    private final AugmentSettings augment;
    private String reusedGan;

    Chain(JobContext ctx, String runId, String grid, Steps steps, PrintWriter out, boolean reuse) {
      this.ctx = ctx;
      this.c = ctx.settings().config();
      this.runId = runId;
      this.grid = grid;
      this.steps = steps;
      this.out = out;
      this.reuse = reuse;
      this.augment = AugmentSettings.of(ctx.settings());  // checked before the first stage runs
    }

    Result run(Path data, DatasetFormat format) throws Exception {
      ingest(data, format);
      TrainGanJob.Result trained = gan();
      String gan = trained == null ? reusedGan : trained.modelPath();
      if (trained != null && trained.status().equals("partial")) {
        out.printf(Locale.ROOT, "%nStopped after train-gan: gan.max_minutes ended it at %.2f of %.2f kimg. Run this "
            + "pipeline again to go on from its newest snapshot.%n", trained.kimg(), trained.targetKimg());
        out.flush();
        return new Result(runId, gan, grid, null, null, 0, 0, 0, null, Result.FOR_BUDGET);
      }
      steps.start("sample: 36 fixed seeds from G_ema → %s", grid);
      SampleJob.run(ctx, gan, SampleJob.parseSeeds("0-35"), 1f, io.dermsynth.core.gan.NoiseMode.CONST, grid, false);
      String classifier = classifier();
      String inverter = inverter();
      steps.start("invert: every image into W+ and HyperStyle offsets on the executors → latents");
      InvertJob.Result inversion = RunLines.printStep(out, InvertJob.run(ctx, inverter));
      steps.start("factorize: SeFa on the inverter's generator, top %d directions → directions",
          c.getInt("factorize.top_k"));
      FactorizeJob.Result directions = RunLines.printStep(out, FactorizeJob.run(ctx, inverter));
      if (!unattended() && !ctx.tables().exists(Tables.DIRECTION_REVIEWS)) {
        printHowToReview();
        return new Result(runId, gan, grid, classifier, inverter, inversion.rowsAdded(), directions.rowsAdded(), 0,
            null, Result.FOR_REVIEW);
      }
      AugmentJob.Result augment = augment(inverter);
      ExperimentJob.Result experiment = experiment();
      printWhereToLook(experiment, gan, inverter);
      return new Result(runId, gan, grid, classifier, inverter, inversion.rowsAdded(), directions.rowsAdded(),
          augment.rowsAdded(), experiment, null);
    }

    private void ingest(Path data, DatasetFormat format) throws Exception {
      steps.start("ingest → %s (working size %d px)", ctx.tables().warehouse(), c.getInt("ingest.size"));
      RunLines.printStep(out, IngestJob.run(ctx, data, format));
      out.println();
      out.print(ClassSummary.render(ctx.tables()));
      out.println();
    }

    /**
     * train-gan, or null with {@link #reusedGan} set when the newest run finished. The newest run that
     * gan.max_minutes stopped ("partial") is resumed from its newest snapshot, not reused.
     */
    private TrainGanJob.Result gan() throws Exception {
      var gan = io.dermsynth.jobs.gan.GanSettings.of(ctx.settings()).training();
      steps.start("train-gan: StyleGAN2 %s for %s kimg on the train split", gan.preset(), gan.kimg());
      var newest = reuse ? Runs.latest(ctx, "train-gan", "succeeded", "partial") : java.util.Optional.<Runs.Ended>empty();
      if (newest.isPresent() && newest.get().status().equals("succeeded")) {
        reusedGan = newest.get().modelPath();
        out.println("      reusing the finished train-gan run → " + reusedGan);
        return null;
      }
      String resume = newest.map(Runs.Ended::modelPath).orElse(null);
      if (resume != null) {
        out.println("      resuming the partial train-gan run " + newest.get().runId() + " → " + resume);
      }
      return RunLines.printStep(out, TrainGanJob.run(ctx, resume));
    }

    private String classifier() throws Exception {
      steps.start("train-classifier: %s DenseNet, %d epochs at %d px (the LPIPS network and label judge)",
          c.getString("classifier.preset"), c.getInt("classifier.epochs"), c.getInt("classifier.image_size"));
      String classifier = reused("train-classifier");
      return classifier != null ? classifier : RunLines.printStep(out, TrainClassifierJob.run(ctx)).modelPath();
    }

    private String inverter() throws Exception {
      steps.start("train-inverter: e4e encoder %d steps, then HyperStyle %d steps, against G_ema",
          c.getInt("inverter.encoder_steps"), c.getInt("inverter.hyper_steps"));
      String inverter = reused("train-inverter");
      return inverter != null ? inverter : RunLines.printStep(out, TrainInverterJob.run(ctx, null)).modelPath();
    }

    private boolean unattended() {
      return augment.source().equals("all_top_k");
    }

    private void printHowToReview() {
      out.println();
      out.println("Stopped before augment: no direction has been reviewed. Review them on the page");
      out.println("  bin/dermsynth review --set warehouse=" + ctx.tables().warehouse());
      out.println("then run this pipeline again (finished stages are reused), or set augment.directions=all_top_k "
          + "for an unattended run.");
      out.flush();
    }

    private AugmentJob.Result augment(String inverter) throws Exception {
      if (unattended()) {
        steps.start("augment: the top %d directions approved automatically (no reviewer: augment.directions = "
            + "all_top_k), %d %s renders of train latents' edits, spread %s → synthetic", augment.topK(),
            augment.target(), augment.render().id(), augment.balance());
      } else {
        steps.start("augment: the approved directions (direction_reviews) within their alpha ranges, %d %s "
            + "renders of train latents' edits, spread %s → synthetic", augment.target(), augment.render().id(),
            augment.balance());
      }
      return RunLines.printStep(out, AugmentJob.run(ctx, inverter));
    }

    private ExperimentJob.Result experiment() throws Exception {
      steps.start("experiment: arms %s, seeds %s, %s DenseNet, %d epochs each (budget: equal %s), pool policy %s "
          + "renders, %s, %s allocation; evaluated on the real test split", c.getStringList("experiment.arms"),
          c.getLongList("experiment.seeds"), c.getString("classifier.preset"), c.getInt("classifier.epochs"),
          c.getString("experiment.budget"), c.getString("experiment.render"),
          c.getBoolean("experiment.gate") ? "label-gated" : "ungated", c.getString("experiment.allocation"));
      return RunLines.printStep(out, ExperimentJob.run(ctx));
    }

    private void printWhereToLook(ExperimentJob.Result experiment, String gan, String inverter) {
      out.println();
      out.println("Report: " + experiment.reportPath());
      out.println("GAN samples: " + grid + " (real images: " + gan + "/grids/reals.png)");
      out.println("Inversions: " + inverter + "/grids (rows: real, encoder, HyperStyle)");
      out.println("Explore: bin/dermsynth sql \"SELECT arm, seed, balanced_accuracy, auc_macro FROM evaluations WHERE "
          + "experiment_id = '" + experiment.experimentId() + "'\"");
      out.println("         bin/dermsynth sql \"SELECT dx, count(*), avg(lpips), avg(CAST(lpips_ok AS INT)), "
          + "avg(CAST(label_kept AS INT)) FROM synthetic GROUP BY dx\"");
      out.flush();
    }

    /** The newest succeeded run's model when reusing, printed; else null. */
    private String reused(String command) {
      if (!reuse) {
        return null;
      }
      return Runs.latest(ctx, command, "succeeded").map(e -> {
        out.println("      reusing the finished " + command + " run → " + e.modelPath());
        return e.modelPath();
      }).orElse(null);
    }
  }

  /** Numbered step headings, [k/last]. */
  static final class Steps {
    private final PrintWriter out;
    private int next;
    private final int last;

    Steps(PrintWriter out, int first, int last) {
      this.out = out;
      this.next = first;
      this.last = last;
    }

    void start(String format, Object... args) {
      out.printf(Locale.ROOT, "[%d/%d] " + format + "%n", prepend(next++, args));
      out.flush();
    }

    private Object[] prepend(int step, Object[] args) {
      Object[] all = new Object[args.length + 2];
      all[0] = step;
      all[1] = last;
      System.arraycopy(args, 0, all, 2, args.length);
      return all;
    }
  }
}
