package io.dermsynth.jobs.gan;

import static org.apache.spark.sql.functions.col;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.gan.BestSnapshot;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.gan.GanQuality;
import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.core.gan.GanTrainer;
import io.dermsynth.core.metrics.FeatureNetwork;
import io.dermsynth.core.metrics.InceptionV3;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 2, train-gan: StyleGAN2 on the train split of `images`, on the driver (the configured device).
 * Snapshots, sample grids and metrics.jsonl go to {@code <gan.models>/gan/<run_id>/}; a run started
 * again on the same folder ({@code --resume}) continues from its newest snapshot.
 */
public final class TrainGanJob {

  private static final Logger LOG = LoggerFactory.getLogger(TrainGanJob.class);

  /** What training produced; best is null when no snapshot's quality was measured. */
  public record Result(String runId, String modelPath, String preset, int images, double kimg, double targetKimg,
      double secPerKimg, float augmentP, String snapshot, String resumedFrom, GanTrainer.Tick lastScored,
      BestSnapshot best) implements JobResult {

    @Override
    public String summary() {
      return String.format(Locale.ROOT, "%.2f kimg, %.0f s/kimg, augment p %.3f → %s", kimg, secPerKimg, augmentP,
          modelPath) + (best == null ? "" : String.format(Locale.ROOT, "; best by KID %s (%.2f kimg, KID %.5f, "
          + "FID %.3f)", best.snapshot(), best.kimg(), best.kid(), best.fid()));
    }

    /** "partial" when gan.max_minutes ended it before gan.kimg: `train-gan --resume` or `pipeline` go on. */
    @Override
    public String status() {
      return kimg + 1e-9 < targetKimg ? "partial" : "succeeded";
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", modelPath);
      m.put("preset", preset);
      m.put("train_images", String.valueOf(images));
      m.put("kimg", String.format(Locale.ROOT, "%.3f", kimg));
      m.put("target_kimg", String.format(Locale.ROOT, "%.3f", targetKimg));
      m.put("sec_per_kimg", String.format(Locale.ROOT, "%.1f", secPerKimg));
      m.put("augment_p", String.format(Locale.ROOT, "%.4f", augmentP));
      m.put("snapshot", snapshot);
      m.put("resumed_from", resumedFrom == null ? "" : resumedFrom);
      if (lastScored != null) {
        m.put("fid", String.format(Locale.ROOT, "%.4f", lastScored.fid()));
        m.put("kid", String.format(Locale.ROOT, "%.6f", lastScored.kid()));
        m.put("diversity", String.format(Locale.ROOT, "%.4f", lastScored.diversity()));
      }
      if (best != null) {
        m.put("best_snapshot", modelPath + "/" + best.snapshot());
        m.put("best_kimg", String.format(Locale.ROOT, "%.3f", best.kimg()));
        m.put("best_kid", String.format(Locale.ROOT, "%.6f", best.kid()));
        m.put("best_fid", String.format(Locale.ROOT, "%.4f", best.fid()));
        m.put("quality_features", best.featuresOrClassifier());
      }
      return m;
    }
  }

  private TrainGanJob() {}

  /**
   * The train split as 8-bit pixels at the GAN's resolution. A method of its own so that the collected
   * PNG rows (~200 MB for HAM10000 at 128 px) are garbage once decoded, not held through training.
   */
  public static GanImages trainImages(JobContext ctx, int res) {
    GanImages train = splitImages(ctx, "train", res, Integer.MAX_VALUE);
    if (train.size() == 0) {
      throw new IllegalStateException("no train-split rows in " + ctx.tables().where(Tables.IMAGES));
    }
    return train;
  }

  /** The first {@code limit} images of a split (by image_id; MAX_VALUE: all) as 8-bit pixels at {@code res}. */
  private static GanImages splitImages(JobContext ctx, String split, int res, int limit) {
    var ordered = ctx.tables().read(Tables.IMAGES).where(col("split").equalTo(split))
        .select("png").orderBy(col("image_id"));
    List<Row> rows = (limit == Integer.MAX_VALUE ? ordered : ordered.limit(limit)).collectAsList();
    return GanImages.decode(rows.stream().map(r -> (byte[]) r.get(0)).toList(), res);
  }

  /** gan.snapshot: which snapshot of a train-gan run folder sample, factorize and train-inverter load. */
  public static GanModels.Pick snapshotPick(JobContext ctx) {
    return GanSettings.of(ctx.settings()).snapshot();
  }

  /**
   * The quality probe of this run (gan.quality*), or null when it is off or no feature network is at hand
   * yet (said in the log: the GAN may train before any classifier exists). Inception-v3 when
   * gan.quality_inception names its weights, else a classifier's penultimate layer.
   */
  static GanQuality quality(JobContext ctx, GanSettings.Quality q, long seed, int res, ai.djl.Device device)
      throws Exception {
    if (!q.on()) {
      return null;
    }
    String inception = q.inception();
    String model = inception.isEmpty() ? q.classifier() : inception;
    if (model.isEmpty()) {
      try {
        model = Runs.latestModelPath(ctx, "train-classifier");
      } catch (IllegalStateException e) {
        LOG.warn("train-gan: generator quality not measured: no classifier yet ({}); set gan.quality_classifier "
            + "(or gan.quality_inception) or train one first", e.getMessage());
        return null;
      }
    }
    GanImages reals = splitImages(ctx, "val", res, q.reals());
    if (reals.size() < 2) {
      LOG.warn("train-gan: generator quality not measured: {} val images (need ≥ 2)", reals.size());
      return null;
    }
    FeatureNetwork net;
    if (inception.isEmpty()) {
      net = ModelStore.loadClassifier(ctx.spark(), model, device);
    } else {
      try (var in = ModelStore.openFile(ctx.spark(), inception)) {
        net = InceptionV3.load(ai.djl.ndarray.NDManager.newBaseManager(device), in);
      }
    }
    LOG.info("train-gan: generator quality in the {} features of {} against {} val images, {} fakes",
        net.featuresName(), model, reals.size(), q.fakes());
    return new GanQuality(net, reals, q.fakes(), seed);
  }

  public static Result run(JobContext ctx, String resumeDir) throws Exception {
    return Runs.record(ctx, "train-gan", runId -> train(ctx, runId, resumeDir));
  }

  private static Result train(JobContext ctx, String runId, String resumeDir) throws Exception {
    GanSettings gan = GanSettings.of(ctx.settings());
    GanOptions options = gan.training();
    GanArchitecture arch = options.architecture();
    int res = arch.resolution();
    GanImages data = trainImages(ctx, res);
    String dir = resumeDir != null ? resumeDir : ModelStore.modelDir(ctx.settings(), "gan", runId);
    LOG.info("train-gan {}: {} train images at {} px, {}, {} → {}", runId, data.size(), res, arch, options, dir);
    double[] lastSecPerKimg = {Double.NaN};
    String[] lastSnapshot = {""};
    GanTrainer.Tick[] lastScored = {null};
    ai.djl.Device device = ModelStore.device(ctx.settings(), "gan.device");
    // A null probe (quality off or no classifier) is allowed here: try-with-resources skips closing it.
    try (GanQuality quality = quality(ctx, gan.quality(), options.seed(), res, device);
        GanTrainer trainer = new GanTrainer(options, device)) {
      if (quality != null) {
        trainer.measureQuality(quality, gan.quality().ticks());
      }
      var store = ModelStore.store(ctx.spark(), dir);
      new io.dermsynth.core.ModelFolder(store, GanTrainer.FORMAT).newestSnapshot().ifPresent(s -> LOG.info("train-gan {}: resuming from {}/{}", runId, dir, s));
      trainer.train(data, store, gan.progress() && System.console() != null, gan.maxSeconds(), t -> {
            lastSecPerKimg[0] = t.secPerKimg();
            try {
              store.write("curves.png", GanCurves.png(new String(store.read("metrics.jsonl").orElseThrow(),
                  java.nio.charset.StandardCharsets.UTF_8).lines().toList(),
                  quality == null ? "" : quality.features()));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            if (t.snapshot() != null) {
              lastSnapshot[0] = dir + "/" + t.snapshot();
            }
            if (Double.isFinite(t.kid())) {
              lastScored[0] = t;
              LOG.info(String.format(Locale.ROOT, "tick %d kimg %.2f: FID %.3f, KID %.5f, diversity (LPIPS) %.4f",
                  t.tick(), t.kimg(), t.fid(), t.kid(), t.diversity()));
            }
            LOG.info(String.format(Locale.ROOT, "tick %d kimg %.2f: %.1f s/kimg, ETA %.0f s, G %.4f, D %.4f, "
                + "R1 %.4f, p %.3f, r_t %.2f, non-finite grads %d, RSS %d MiB%s", t.tick(), t.kimg(),
                t.secPerKimg(), t.etaSeconds(), t.lossG(), t.lossD(), t.r1(), t.augmentP(), t.rt(),
                t.nonFiniteGradients(), t.rssMiB(),
                t.snapshot() == null ? "" : ", snapshot " + t.snapshot()));
          });
      return new Result(runId, dir, options.preset(), data.size(), trainer.kimg(), options.kimg(), lastSecPerKimg[0],
          trainer.augmentP(), lastSnapshot[0], trainer.resumedFrom(), lastScored[0],
          BestSnapshot.read(store).orElse(null));
    }
  }
}
