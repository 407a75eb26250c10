package io.dermsynth.jobs;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.core.gan.GanPreset;
import io.dermsynth.core.gan.GanTrainer;
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

  /** What training produced. */
  public record Result(String runId, String modelPath, String preset, int images, double kimg,
      double secPerKimg, float augmentP, String snapshot, String resumedFrom) implements JobResult {

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", modelPath);
      m.put("preset", preset);
      m.put("train_images", String.valueOf(images));
      m.put("kimg", String.format(Locale.ROOT, "%.3f", kimg));
      m.put("sec_per_kimg", String.format(Locale.ROOT, "%.1f", secPerKimg));
      m.put("augment_p", String.format(Locale.ROOT, "%.4f", augmentP));
      m.put("snapshot", snapshot);
      m.put("resumed_from", resumedFrom == null ? "" : resumedFrom);
      return m;
    }
  }

  private TrainGanJob() {}

  /** `gan.*` with the preset's defaults where the config leaves 0 / −1. */
  static GanOptions options(Config c) {
    GanOptions d = GanOptions.defaults(GanPreset.parse(c.getString("preset")), c.getLong("seed"));
    int batch = pick(c.getInt("batch_size"), d.batch());
    float lr = (float) (c.getDouble("learning_rate") > 0 ? c.getDouble("learning_rate") : d.lrG());
    float gamma = c.getDouble("r1_gamma") >= 0 ? (float) c.getDouble("r1_gamma")
        : (batch == d.batch() ? d.r1Gamma() : d.r1Gamma() * d.batch() / batch);
    return new GanOptions(d.preset(), batch, c.getDouble("kimg") > 0 ? c.getDouble("kimg") : d.kimg(),
        lr, lr, gamma, d.r1Interval(),
        c.getDouble("pl_weight") >= 0 ? (float) c.getDouble("pl_weight") : d.plWeight(), d.plInterval(),
        (float) c.getDouble("style_mixing"),
        c.getDouble("ema_kimg") > 0 ? (float) c.getDouble("ema_kimg") : batch * 10f / 32, d.emaRampup(),
        c.getBoolean("ada"), (float) c.getDouble("ada_target"), d.adaInterval(),
        c.getDouble("ada_kimg") > 0 ? (float) c.getDouble("ada_kimg") : d.adaKimg(),
        (float) c.getDouble("augment_p"), c.getDouble("tick_kimg") > 0 ? c.getDouble("tick_kimg") : d.tickKimg(),
        pick(c.getInt("snapshot_ticks"), d.snapshotTicks()), c.getInt("keep_snapshots"),
        pick(c.getInt("grid_images"), d.gridImages()), c.getLong("seed"));
  }

  private static int pick(int configured, int preset) {
    return configured > 0 ? configured : preset;
  }

  /**
   * The train split as 8-bit pixels at the GAN's resolution. A method of its own so that the collected
   * PNG rows (~200 MB for HAM10000 at 128 px) are garbage once decoded, not held through training.
   */
  static GanImages trainImages(JobContext ctx, int res) {
    List<Row> rows = ctx.tables().read(Tables.IMAGES).where(col("split").equalTo("train"))
        .select("png").orderBy(col("image_id")).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("no train-split rows in " + ctx.tables().path(Tables.IMAGES));
    }
    return GanImages.decode(rows.stream().map(r -> (byte[]) r.get(0)).toList(), res);
  }

  public static Result run(JobContext ctx, String resumeDir) throws Exception {
    return Runs.record(ctx, "train-gan", runId -> train(ctx, runId, resumeDir));
  }

  private static Result train(JobContext ctx, String runId, String resumeDir) throws Exception {
    Config c = ctx.settings().config().getConfig("gan");
    GanOptions options = options(c);
    int res = options.architecture().resolution();
    GanImages data = trainImages(ctx, res);
    String dir = resumeDir != null ? resumeDir : ModelStore.modelDir(ctx.settings(), "gan", runId);
    LOG.info("train-gan {}: {} train images at {} px, {} → {}", runId, data.size(), res, options, dir);
    double[] lastSecPerKimg = {Double.NaN};
    String[] lastSnapshot = {""};
    try (GanTrainer trainer = new GanTrainer(options, ModelStore.device(ctx.settings(), "gan.device"))) {
      var store = ModelStore.store(ctx.spark(), dir);
      store.newestSnapshot().ifPresent(s -> LOG.info("train-gan {}: resuming from {}/{}", runId, dir, s));
      trainer.train(data, store,
          c.getBoolean("progress") && System.console() != null,
          Math.round(c.getDouble("max_minutes") * 60), t -> {
            lastSecPerKimg[0] = t.secPerKimg();
            try {
              store.write("curves.png", GanCurves.png(new String(store.read("metrics.jsonl").orElseThrow(),
                  java.nio.charset.StandardCharsets.UTF_8).lines().toList()));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            if (t.snapshot() != null) {
              lastSnapshot[0] = dir + "/" + t.snapshot();
            }
            LOG.info(String.format(Locale.ROOT, "tick %d kimg %.2f: %.1f s/kimg, ETA %.0f s, G %.4f, D %.4f, "
                + "R1 %.4f, p %.3f, r_t %.2f, non-finite grads %d, RSS %d MiB%s", t.tick(), t.kimg(),
                t.secPerKimg(), t.etaSeconds(), t.lossG(), t.lossD(), t.r1(), t.augmentP(), t.rt(),
                t.nonFiniteGradients(), t.rssMiB(),
                t.snapshot() == null ? "" : ", snapshot " + t.snapshot()));
          });
      return new Result(runId, dir, options.preset(), data.size(), trainer.kimg(), lastSecPerKimg[0],
          trainer.augmentP(), lastSnapshot[0], trainer.resumedFrom());
    }
  }
}
