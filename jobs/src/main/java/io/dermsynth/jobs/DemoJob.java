package io.dermsynth.jobs;

import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.PhantomDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * `dermsynth demo`: the pipeline built so far on the embedded phantom dataset, in minutes on a laptop
 * CPU: make phantoms → ingest → summary → StyleGAN2 (tiny32) and a sample grid → baseline classifier →
 * inverter (e4e + HyperStyle) → every image inverted into `latents` → SeFa directions → class-balanced
 * synthetic images from the top directions (approved automatically, as the output says) → the paper's
 * experiment, baseline vs one augmented arm, with its report.
 */
public final class DemoJob {

  /** The demo's figures and the summary it printed. */
  public record Result(String runId, PhantomDataset.Summary phantoms, IngestJob.Result ingest,
      String summary, TrainGanJob.Result gan, SampleJob.Result samples,
      TrainClassifierJob.Result classifier, TrainInverterJob.Result inverter, InvertJob.Result inversion,
      FactorizeJob.Result directions, AugmentJob.Result augment, ExperimentJob.Result experiment)
      implements JobResult {
    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("phantom_images", String.valueOf(phantoms.imagesPerClass().values().stream()
          .mapToInt(Integer::intValue).sum()));
      m.put("ingest_run_id", ingest.runId());
      m.put("images_added", String.valueOf(ingest.imagesAdded()));
      m.put("gan_path", gan.modelPath());
      m.put("gan_kimg", String.valueOf(gan.kimg()));
      m.put("sample_grid", samples.gridPath());
      m.put("model_path", classifier.modelPath());
      m.put("inverter_path", inverter.modelPath());
      m.put("latents_added", String.valueOf(inversion.rowsAdded()));
      m.put("directions_added", String.valueOf(directions.rowsAdded()));
      m.put("synthetic_added", String.valueOf(augment.rowsAdded()));
      m.put("experiment_id", experiment.experimentId());
      experiment.summaries().forEach(a -> m.put("balanced_accuracy_" + a.arm(),
          String.valueOf(a.balancedAccuracy().estimate())));
      m.put("report", experiment.reportPath());
      return m;
    }
  }

  private DemoJob() {}

  public static Result run(JobContext base, PrintWriter out) throws Exception {
    var demo = base.settings().config().getConfig("demo");
    JobContext ctx = new JobContext(base.settings()
        .with("ingest.size", String.valueOf(demo.getInt("size")))
        .with("classifier.image_size", String.valueOf(demo.getInt("size")))
        .with("classifier.epochs", String.valueOf(demo.getInt("classifier_epochs")))
        .with("gan.preset", "tiny32")
        .with("gan.kimg", String.valueOf(demo.getDouble("gan_kimg")))
        .with("inverter.encoder_steps", String.valueOf(demo.getInt("inverter_encoder_steps")))
        .with("inverter.hyper_steps", String.valueOf(demo.getInt("inverter_hyper_steps")))
        .with("factorize.top_k", String.valueOf(demo.getInt("directions")))
        .with("augment.directions", "all_top_k")
        .with("augment.top_k", String.valueOf(demo.getInt("approved_directions")))
        .with("augment.target", String.valueOf(demo.getInt("synthetic")))
        // The demo's arms: baseline vs real + every synthetic image the augment step made within LPIPS 0.2
        // (the pool may be smaller than asked: allow_fewer, and the report says so).
        .with("experiment.arms", "[baseline, sa" + demo.getInt("synthetic") + "]")
        .with("experiment.allow_fewer", "true"),
        base.spark(), base.tables());
    return Runs.record(ctx, "demo", runId -> {
      Path data = Path.of(demo.getString("work_dir")).toAbsolutePath().resolve("phantoms");
      var phantomCfg = ctx.settings().config().getConfig("phantoms");
      out.printf("[1/10] make-phantoms: %d images (HAM10000 layout) → %s%n", demo.getInt("n"), data);
      out.flush();
      var phantoms = PhantomDataset.write(data, new PhantomDataset.Options(demo.getInt("n"),
          phantomCfg.getInt("width"), phantomCfg.getInt("height"), phantomCfg.getLong("seed")));
      out.printf("[2/10] ingest → %s (working size %d px)%n", ctx.tables().warehouse(),
          demo.getInt("size"));
      out.flush();
      IngestJob.Result ingest = IngestJob.run(ctx, data, DatasetFormat.HAM10000);
      out.printf("      %d images added, %d quarantine rows added, %d already stored, %.1f s%n",
          ingest.imagesAdded(), ingest.quarantineAdded(), ingest.alreadyStored(), ingest.seconds());
      String summary = ClassSummary.render(ctx.tables());
      out.println();
      out.print(summary);
      out.println();
      out.printf(java.util.Locale.ROOT, "[3/10] train-gan: StyleGAN2 tiny32 for %.1f kimg on the train split%n",
          demo.getDouble("gan_kimg"));
      out.flush();
      TrainGanJob.Result gan = TrainGanJob.run(ctx, null);
      out.printf(java.util.Locale.ROOT, "      %.2f kimg, %.0f s/kimg, augment p %.3f → %s%n", gan.kimg(),
          gan.secPerKimg(), gan.augmentP(), gan.modelPath());
      String grid = Path.of(demo.getString("work_dir")).toAbsolutePath().resolve("samples.png").toString();
      out.println("[4/10] sample: 36 fixed seeds from G_ema → " + grid);
      out.flush();
      SampleJob.Result samples = SampleJob.run(ctx, gan.modelPath(), SampleJob.parseSeeds("0-35"), 1f,
          io.dermsynth.core.gan.NoiseMode.CONST, grid, false);
      out.printf("[5/10] train-classifier: small DenseNet, %d epochs at %d px (baseline arm)%n",
          demo.getInt("classifier_epochs"), demo.getInt("size"));
      out.flush();
      TrainClassifierJob.Result classifier = TrainClassifierJob.run(ctx);
      out.printf(java.util.Locale.ROOT, "      best epoch %d, val balanced accuracy %.4f, %.1f img/s → %s%n",
          classifier.bestEpoch(), classifier.valBalancedAccuracy(), classifier.imagesPerSecond(),
          classifier.modelPath());
      out.printf("[6/10] train-inverter: e4e encoder %d steps, then HyperStyle %d steps, against G_ema%n",
          demo.getInt("inverter_encoder_steps"), demo.getInt("inverter_hyper_steps"));
      out.flush();
      TrainInverterJob.Result inverter = TrainInverterJob.run(ctx, null);
      out.printf(java.util.Locale.ROOT, "      L2 %.5f, LPIPS %.4f → %s%n", inverter.l2(), inverter.lpips(),
          inverter.modelPath());
      out.println("[7/10] invert: every image into W+ and HyperStyle offsets on the executors → latents");
      out.flush();
      InvertJob.Result inversion = InvertJob.run(ctx, inverter.modelPath());
      out.printf(java.util.Locale.ROOT, "      %d rows added, %d quarantined, mean L2 %.5f, LPIPS %.4f%n",
          inversion.rowsAdded(), inversion.quarantined(), inversion.meanL2(), inversion.meanLpips());
      out.printf("[8/10] factorize: SeFa on the inverter's generator, top %d directions → directions%n",
          demo.getInt("directions"));
      out.flush();
      FactorizeJob.Result directions = FactorizeJob.run(ctx, inverter.modelPath());
      out.printf("      %s over %s, eigenvalues %s%n", directions.generatorVersion(), directions.layers(),
          directions.metrics().get("eigenvalues"));
      out.printf("[9/10] augment: the top %d directions approved automatically (the demo has no reviewer), "
          + "%d class-balanced edits of train latents → synthetic%n", demo.getInt("approved_directions"),
          demo.getInt("synthetic"));
      out.flush();
      AugmentJob.Result augment = AugmentJob.run(ctx, inverter.modelPath());
      out.printf("      %d rows added (by class %s), %s images/s%n", augment.rowsAdded(), augment.plannedByClass(),
          augment.metrics().get("images_per_s"));
      out.printf("[10/10] experiment: baseline vs sa%d (real + synthetic with LPIPS ≤ %s), small DenseNet, "
          + "%d epochs each, same seed, evaluated on the real test split%n", demo.getInt("synthetic"),
          ctx.settings().config().getString("experiment.lpips_threshold"), demo.getInt("classifier_epochs"));
      out.flush();
      ExperimentJob.Result experiment = ExperimentJob.run(ctx);
      for (int i = 0; i < experiment.arms().size(); i++) {
        ExperimentReport.Summary a = experiment.summaries().get(i);
        out.printf(java.util.Locale.ROOT, "      %-9s %4d synthetic  balanced accuracy %.4f [%.4f, %.4f]  macro AUC %.4f%s%n",
            a.arm(), experiment.arms().get(i).syntheticUsed(), a.balancedAccuracy().estimate(),
            a.balancedAccuracy().lower(), a.balancedAccuracy().upper(), a.aucMacro().estimate(),
            a.deltaBalancedAccuracy() == null ? "" : String.format(java.util.Locale.ROOT, "  Δ BA %+.4f [%+.4f, %+.4f]",
                a.deltaBalancedAccuracy().estimate(), a.deltaBalancedAccuracy().lower(),
                a.deltaBalancedAccuracy().upper()));
      }
      out.println();
      out.println("Report: " + experiment.reportPath());
      out.println("GAN samples: " + grid + " (real images: " + gan.modelPath() + "/grids/reals.png)");
      out.println("Inversions: " + inverter.modelPath() + "/grids (rows: real, encoder, HyperStyle)");
      out.println("Explore: bin/dermsynth sql \"SELECT arm, seed, balanced_accuracy, auc_macro FROM evaluations WHERE "
          + "experiment_id = '" + experiment.experimentId() + "'\"");
      out.println("         bin/dermsynth sql \"SELECT split, count(*), avg(l2), avg(lpips) FROM latents GROUP BY split\"");
      out.println("         bin/dermsynth sql \"SELECT dx, count(*), avg(lpips), avg(CAST(lpips_ok AS INT)), "
          + "avg(CAST(label_kept AS INT)) FROM synthetic GROUP BY dx\"");
      out.flush();
      return new Result(runId, phantoms, ingest, summary, gan, samples, classifier, inverter, inversion,
          directions, augment, experiment);
    });
  }
}
