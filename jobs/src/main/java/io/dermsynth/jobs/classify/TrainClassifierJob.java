package io.dermsynth.jobs.classify;

import static org.apache.spark.sql.functions.col;

import io.dermsynth.jobs.augment.LeakageGuard;
import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.ProcessMemory;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.classify.ClassifierTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 8a, train-classifier: a DenseNet on the real train split of `images` (plus the `synthetic` rows
 * that {@code classifier.synthetic} selects, refused when any derives from a val/test lesion), validated on its val
 * split, trained on the driver (CPU here; the configured device elsewhere). Writes the best model to
 * {@code <models>/classifier/<run_id>/}.
 */
public final class TrainClassifierJob {

  private static final Logger LOG = LoggerFactory.getLogger(TrainClassifierJob.class);

  /** What training produced. */
  public record Result(String runId, String modelPath, String arm, int trainImages, int syntheticImages,
      String syntheticDigest, int valImages, int epochs, int bestEpoch, double valBalancedAccuracy,
      double imagesPerSecond, String stopReason) implements JobResult {

    @Override
    public String summary() {
      return String.format(Locale.ROOT, "best epoch %d, val balanced accuracy %.4f, %.1f img/s → %s", bestEpoch,
          valBalancedAccuracy, imagesPerSecond, modelPath);
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", modelPath);
      m.put("arm", arm);
      m.put("train_images", String.valueOf(trainImages));
      m.put("synthetic_images", String.valueOf(syntheticImages));
      m.put("synthetic_digest", syntheticDigest);
      m.put("val_images", String.valueOf(valImages));
      m.put("epochs", String.valueOf(epochs));
      m.put("best_epoch", String.valueOf(bestEpoch));
      m.put("val_balanced_accuracy", String.format(Locale.ROOT, "%.6f", valBalancedAccuracy));
      m.put("images_per_second", String.format(Locale.ROOT, "%.1f", imagesPerSecond));
      m.put("stop_reason", stopReason);
      return m;
    }
  }

  private TrainClassifierJob() {}

  /**
   * Which synthetic images a model trained on, as one value: SHA-256 (first 16 bytes, hex) of their
   * synth_ids in order, one per line. Two runs with the same count can differ in images (a pool that
   * grew after a refinement); this tells them apart.
   */
  public static String syntheticDigest(List<String> sortedSynthIds) {
    return io.dermsynth.core.data.Hashing.sha256Hex(sortedSynthIds.stream().map(id -> id + "\n")
        .collect(java.util.stream.Collectors.joining()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .substring(0, 32);
  }

  /** The synth_ids of {@code rows}, sorted: the order a model reads them in. */
  public static List<String> sortedSynthIds(Dataset<Row> rows) {
    return rows.select("synth_id").orderBy("synth_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  static final String SECTION = "classifier";
  static final String EPOCHS = "epochs";
  static final String BATCH_SIZE = "batch_size";
  static final String LEARNING_RATE = "learning_rate";
  static final String WEIGHT_DECAY = "weight_decay";
  static final String SAMPLING = "sampling";
  static final String PATIENCE = "patience";
  static final String MAX_MINUTES = "max_minutes";
  static final String AUGMENT = "augment";
  static final String SEED = "seed";
  static final String SYNTHETIC_WEIGHT = "synthetic_weight";
  static final String EPOCH_DRAWS = "epoch_draws";
  static final String IMAGE_SIZE = "image_size";
  static final String PRESET = "preset";
  static final String PROGRESS = "progress";
  static final String PRETRAINED = "pretrained";
  static final String SYNTHETIC = "synthetic";
  static final String ARM = "arm";

  /** The `classifier` section's training options. */
  static ClassifierTrainer.Options trainerOptions(io.dermsynth.jobs.settings.Settings settings) {
    ConfigReader r = ConfigReader.of(settings, SECTION);
    return ClassifierTrainer.Options.builder()
        .epochs(r.atLeast(EPOCHS, 1))
        .batchSize(r.atLeast(BATCH_SIZE, 1))
        .learningRate(r.positive(LEARNING_RATE))
        .weightDecay(r.atLeast(WEIGHT_DECAY, 0.0))
        .sampling(r.choice(SAMPLING, ClassifierTrainer.Sampling.class))
        .patience(r.atLeast(PATIENCE, 0))
        .maxSeconds(r.atLeast(MAX_MINUTES, 0.0) * 60)
        .augment(r.bool(AUGMENT))
        .seed(r.longValue(SEED))
        .syntheticWeight(r.atLeast(SYNTHETIC_WEIGHT, 0.0))
        .realDrawsPerEpoch(r.oneOf(EPOCH_DRAWS, List.of("all", "real")).equals("real"))
        .build();
  }

  public static Result run(JobContext ctx) throws Exception {
    return run(ctx, null);
  }

  /**
   * @param resumeDir the model folder of an interrupted run to continue (its checkpoint is there), or
   *     null for a new model
   */
  public static Result run(JobContext ctx, String resumeDir) throws Exception {
    return Runs.record(ctx, "train-classifier", runId -> train(ctx, runId, resumeDir, null, true));
  }

  /**
   * An experiment arm's model: the real train split when {@code withReal}, plus {@code synthetic} rows
   * of `synthetic` (instead of classifier.synthetic's filter).
   */
  public static Result run(JobContext ctx, Dataset<Row> synthetic, boolean withReal) throws Exception {
    return Runs.record(ctx, "train-classifier", runId -> train(ctx, runId, null, synthetic, withReal));
  }

  /**
   * The training images: the real train split (unless synthetic-only), then the synthetic rows given or
   * selected by classifier.synthetic, in synth_id order.
   */
  private record TrainingSet(LabelledImages images, List<String> synthIds) {

    static TrainingSet of(JobContext ctx, ConfigReader c, Dataset<Row> syntheticRows, boolean withReal, int size) {
      LabelledImages train = withReal ? LabelledImages.fromImages(ctx, col("split").equalTo("train"), size)
          : LabelledImages.of(List.of(), size);
      Dataset<Row> rows = syntheticRows;
      if (rows == null && !c.string(SYNTHETIC).isBlank()) {
        rows = ctx.tables().read(Tables.SYNTHETIC).where(c.string(SYNTHETIC));
      }
      List<String> synthIds = List.of();
      if (rows != null) {
        LeakageGuard.requireTrainLesions(ctx, rows, "synthetic rows");
        List<Row> picked = rows.select("synth_id", "lesion_id", "dx", "png").orderBy("synth_id").collectAsList();
        synthIds = picked.stream().map(r -> r.getString(0)).toList();
        train = train.plus(LabelledImages.of(picked, size));
      }
      if (train.size() == 0) {
        throw new IllegalStateException("no training images: no train-split rows in "
            + ctx.tables().where(Tables.IMAGES) + (withReal ? "" : " are used and no synthetic rows were given"));
      }
      return new TrainingSet(train, synthIds);
    }
  }

  private static Result train(JobContext ctx, String runId, String resumeDir, Dataset<Row> syntheticRows,
      boolean withReal) throws Exception {
    ConfigReader c = ConfigReader.of(ctx.settings(), SECTION);
    ClassifierTrainer.Options options = trainerOptions(ctx.settings());
    int size = c.atLeast(IMAGE_SIZE, 8);
    TrainingSet set = TrainingSet.of(ctx, c, syntheticRows, withReal, size);
    LabelledImages train = set.images();
    int synthetic = set.synthIds().size();
    LabelledImages val = LabelledImages.fromImages(ctx, col("split").equalTo("val"), size);
    LOG.info("train-classifier {}: {} train ({} synthetic) / {} val images at {} px, preset {}, {}", runId,
        train.size(), synthetic, val.size(), size, c.string(PRESET), options);
    var manifest = new ClassifierModel.Manifest(c.oneOf(PRESET, io.dermsynth.core.classify.DenseNet.Config.PRESETS), LabelledImages.classNames(),
        size, 0, Double.NaN, runId);
    try (ClassifierModel model = ClassifierModel.create(manifest, ModelStore.device(ctx.settings()), c.longValue(SEED))) {
      var trainer = new ClassifierTrainer(options, e -> LOG.info(String.format(Locale.ROOT,
          "epoch %d: loss %.4f, val balanced accuracy %.4f, %.1f img/s, %.1f s, RSS %d MiB", e.epoch(),
          e.loss(), e.valBalancedAccuracy(), e.imagesPerSecond(), e.seconds(), ProcessMemory.rssMiB())),
          // A bar only on a terminal: in logs of scheduled runs the per-epoch lines say the same.
          c.bool(PROGRESS) && System.console() != null);
      String pretrained = c.string(PRETRAINED);
      if (!pretrained.isEmpty()) {
        try (var in = ModelStore.openFile(ctx.spark(), pretrained)) {
          LOG.info("train-classifier {}: starting from {} (not taken: {})", runId, pretrained,
              model.loadBackbone(in));
        }
      }
      String dir = resumeDir != null ? resumeDir : ModelStore.classifierDir(ctx.settings(), runId);
      boolean[] isSynthetic = new boolean[train.size()];
      java.util.Arrays.fill(isSynthetic, train.size() - synthetic, train.size(), true);
      ClassifierTrainer.Result r = trainer.train(model,
          new ClassifierTrainer.Data(train.pixels(), train.labels(), isSynthetic), val.data(),
          ModelStore.store(ctx.spark(), dir).under("checkpoint"));
      r.model().save(ModelStore.store(ctx.spark(), dir));
      double imgPerSec = r.history().stream().mapToDouble(ClassifierTrainer.Epoch::imagesPerSecond)
          .average().orElse(0);
      LOG.info("train-classifier {}: best epoch {} (val BA {}), {} → {}", runId, r.bestEpoch(),
          String.format(Locale.ROOT, "%.4f", r.bestValBalancedAccuracy()), r.stopReason(), dir);
      return new Result(runId, dir, c.string(ARM), train.size(), synthetic, syntheticDigest(set.synthIds()),
          val.size(), r.history().size(),
          r.bestEpoch(), r.bestValBalancedAccuracy(), imgPerSec, r.stopReason());
    }
  }
}
