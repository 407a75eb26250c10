package io.dermsynth.jobs.invert;

import io.dermsynth.jobs.gan.TrainGanJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.typesafe.config.Config;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.invert.InverterOptions;
import io.dermsynth.core.invert.InverterTrainer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 3, train-inverter: the e4e encoder, then the HyperStyle hypernetwork, against a trained
 * generator, on the train split of `images`, on the driver (the configured device). The run folder
 * ({@code <inverter.models>/inverter/<run_id>/}) holds the generator and LPIPS network it was trained
 * with, so `invert` needs nothing else; {@code --resume} continues from its newest snapshot.
 */
public final class TrainInverterJob {

  private static final Logger LOG = LoggerFactory.getLogger(TrainInverterJob.class);

  /** What training produced. */
  public record Result(String runId, String modelPath, String ganModel, String lpipsModel, int images,
      long steps, float l2, float lpips, String version) implements JobResult {
    @Override
    public String summary() {
      return String.format(Locale.ROOT, "L2 %.5f, LPIPS %.4f → %s", l2, lpips, modelPath);
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", modelPath);
      m.put("gan_model", ganModel);
      m.put("lpips_model", lpipsModel);
      m.put("train_images", String.valueOf(images));
      m.put("steps", String.valueOf(steps));
      m.put("l2", String.format(Locale.ROOT, "%.5f", l2));
      m.put("lpips", String.format(Locale.ROOT, "%.5f", lpips));
      m.put("inverter_version", version);
      return m;
    }
  }

  private TrainInverterJob() {}

  static InverterOptions options(Config c, int numWs) {
    int enc = c.getInt("encoder_steps");
    int hyp = c.getInt("hyper_steps");
    InverterOptions d = InverterOptions.defaults(numWs, enc, hyp, c.getLong("seed"));
    return new InverterOptions(c.getInt("batch_size"), enc, hyp, (float) c.getDouble("learning_rate"),
        (float) c.getDouble("l2_lambda"), (float) c.getDouble("lpips_lambda"),
        (float) c.getDouble("delta_norm_lambda"),
        c.getInt("progressive_start") >= 0 ? c.getInt("progressive_start") : d.progressiveStart(),
        c.getInt("progressive_step") > 0 ? c.getInt("progressive_step") : d.progressiveStep(),
        c.getInt("refinement_iterations"), c.getInt("hyper_z"), c.getStringList("tuned_layers"),
        c.getInt("opt_steps"), (float) c.getDouble("opt_lr"),
        c.getInt("tick_steps") > 0 ? c.getInt("tick_steps") : d.tickSteps(), c.getInt("snapshot_ticks"),
        c.getInt("keep_snapshots"), c.getLong("seed"));
  }

  public static Result run(JobContext ctx, String resumeDir) throws Exception {
    return Runs.record(ctx, "train-inverter", runId -> train(ctx, runId, resumeDir));
  }

  private static Result train(JobContext ctx, String runId, String resumeDir) throws Exception {
    Config c = ctx.settings().config().getConfig("inverter");
    String ganModel = Runs.modelPath(ctx, null, c.getString("gan_model"), "train-gan");
    String lpipsModel = Runs.modelPath(ctx, null, c.getString("lpips_model"), "train-classifier");
    String dir = resumeDir != null ? resumeDir : ModelStore.modelDir(ctx.settings(), "inverter", runId);
    Device device = ModelStore.device(ctx.settings(), "inverter.device");
    NDManager manager = NDManager.newBaseManager(device);
    GanModels.Loaded gan;
    ClassifierModel lpipsNet;
    try {
      gan = GanModels.loadGenerator(ModelStore.store(ctx.spark(), ganModel), manager, TrainGanJob.snapshotPick(ctx));
      lpipsNet = ModelStore.loadClassifier(ctx.spark(), lpipsModel, device);
    } catch (Exception e) {
      manager.close();
      throw e;
    }
    InverterOptions options = options(c, gan.generator().architecture().numWs());
    GanImages data = TrainGanJob.trainImages(ctx, gan.generator().architecture().resolution());
    LOG.info("train-inverter {}: {} train images, generator {} ({}), LPIPS {}, {} → {}", runId, data.size(),
        ganModel, gan.source(), lpipsModel, options, dir);
    float[] last = {Float.NaN, Float.NaN};
    try (InverterTrainer trainer = new InverterTrainer(options, gan.generator(), manager,
        ganModel + "/" + gan.source(), lpipsNet, runId)) {
      trainer.train(data, ModelStore.store(ctx.spark(), dir), Math.round(c.getDouble("max_minutes") * 60), t -> {
        last[0] = t.l2();
        last[1] = t.lpips();
        LOG.info(String.format(Locale.ROOT, "tick %d step %d (%s): loss %.4f, L2 %.5f, LPIPS %.4f, Σ‖Δ‖ %.3f, "
            + "%d offsets on, %.2f s/step, RSS %d MiB%s", t.tick(), t.step(), t.phase(), t.loss(), t.l2(),
            t.lpips(), t.deltaNorm(), t.activeDeltas(), t.secPerStep(), t.rssMiB(),
            t.snapshot() == null ? "" : ", snapshot " + t.snapshot()));
      });
      return new Result(runId, dir, ganModel, lpipsModel, data.size(), trainer.step(), last[0], last[1],
          trainer.model().version());
    }
  }
}
