package io.dermsynth.jobs.invert;

import io.dermsynth.jobs.gan.TrainGanJob;
import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
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

  static final String SECTION = "inverter";
  static final String ENCODER_STEPS = "encoder_steps";
  static final String HYPER_STEPS = "hyper_steps";
  static final String BATCH_SIZE = "batch_size";
  static final String LEARNING_RATE = "learning_rate";
  static final String L2_LAMBDA = "l2_lambda";
  static final String LPIPS_LAMBDA = "lpips_lambda";
  static final String DELTA_NORM_LAMBDA = "delta_norm_lambda";
  static final String PROGRESSIVE_START = "progressive_start";
  static final String PROGRESSIVE_STEP = "progressive_step";
  static final String REFINEMENT_ITERATIONS = "refinement_iterations";
  static final String HYPER_Z = "hyper_z";
  static final String TUNED_LAYERS = "tuned_layers";
  static final String OPT_STEPS = "opt_steps";
  static final String OPT_LR = "opt_lr";
  static final String TICK_STEPS = "tick_steps";
  static final String SNAPSHOT_TICKS = "snapshot_ticks";
  static final String KEEP_SNAPSHOTS = "keep_snapshots";
  static final String SEED = "seed";
  static final String GAN_MODEL = "gan_model";
  static final String LPIPS_MODEL = "lpips_model";
  static final String MAX_MINUTES = "max_minutes";

  /** The `inverter` section as options for a generator with {@code numWs} W+ rows. */
  static InverterOptions options(io.dermsynth.jobs.settings.Settings settings, int numWs) {
    ConfigReader r = ConfigReader.of(settings, SECTION);
    InverterOptions.Builder b = InverterOptions.builder(r.atLeast(ENCODER_STEPS, 0), r.atLeast(HYPER_STEPS, 0))
        .batch(r.atLeast(BATCH_SIZE, 1))
        .lr((float) r.positive(LEARNING_RATE))
        .l2Lambda((float) r.atLeast(L2_LAMBDA, 0.0))
        .lpipsLambda((float) r.atLeast(LPIPS_LAMBDA, 0.0))
        .deltaNormLambda((float) r.atLeast(DELTA_NORM_LAMBDA, 0.0))
        .refinementIterations(r.atLeast(REFINEMENT_ITERATIONS, 1))
        .hyperZ(r.atLeast(HYPER_Z, 1))
        .tunedLayers(r.strings(TUNED_LAYERS))
        .optSteps(r.atLeast(OPT_STEPS, 0))
        .optLr((float) r.positive(OPT_LR))
        .snapshotTicks(r.atLeast(SNAPSHOT_TICKS, 1))
        .keepSnapshots(r.atLeast(KEEP_SNAPSHOTS, 1))
        .seed(r.longValue(SEED));
    r.intOrAuto(PROGRESSIVE_START, 0).ifPresent(b::progressiveStart);
    r.intOrAuto(PROGRESSIVE_STEP, 1).ifPresent(b::progressiveStep);
    r.intOrAuto(TICK_STEPS, 1).ifPresent(b::tickSteps);
    return b.build(numWs);
  }

  public static Result run(JobContext ctx, String resumeDir) throws Exception {
    return Runs.record(ctx, "train-inverter", runId -> train(ctx, runId, resumeDir));
  }

  private static Result train(JobContext ctx, String runId, String resumeDir) throws Exception {
    ConfigReader c = ConfigReader.of(ctx.settings(), SECTION);
    String ganModel = Runs.modelPath(ctx, null, c.string(GAN_MODEL), "train-gan");
    String lpipsModel = Runs.modelPath(ctx, null, c.string(LPIPS_MODEL), "train-classifier");
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
    InverterOptions options = options(ctx.settings(), gan.generator().architecture().numWs());
    GanImages data = TrainGanJob.trainImages(ctx, gan.generator().architecture().resolution());
    LOG.info("train-inverter {}: {} train images, generator {} ({}), LPIPS {}, {} → {}", runId, data.size(),
        ganModel, gan.source(), lpipsModel, options, dir);
    float[] last = {Float.NaN, Float.NaN};
    try (InverterTrainer trainer = new InverterTrainer(options, gan.generator(), manager,
        ganModel + "/" + gan.source(), lpipsNet, runId)) {
      trainer.train(data, ModelStore.store(ctx.spark(), dir), c.atLeast(MAX_MINUTES, 0.0) * 60, t -> {
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
