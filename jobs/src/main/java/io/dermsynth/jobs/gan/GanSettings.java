package io.dermsynth.jobs.gan;

import io.dermsynth.core.gan.AugmentPipe;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.settings.Settings;

/**
 * The {@code gan} section, typed: how train-gan trains (from the preset file and any overrides), how it
 * scores its snapshots, and which snapshot later stages load.
 *
 * @param training the StyleGAN2 options
 * @param quality the generator-quality probe
 * @param maxSeconds wall-clock budget of one invocation (0: none)
 * @param progress a progress bar on a terminal
 * @param snapshot which snapshot of a run folder sample, factorize and train-inverter load
 */
public record GanSettings(GanOptions training, Quality quality, double maxSeconds, boolean progress,
    GanModels.Pick snapshot) {

  public static final String SECTION = "gan";
  static final String PRESET = "preset";
  static final String RESOLUTION = "resolution";
  static final String CHANNEL_BASE = "channel_base";
  static final String CHANNEL_MAX = "channel_max";
  static final String MBSTD_GROUP = "mbstd_group";
  static final String BATCH_SIZE = "batch_size";
  static final String LEARNING_RATE = "learning_rate";
  static final String R1_GAMMA = "r1_gamma";
  static final String EMA_KIMG = "ema_kimg";
  static final String EMA_RAMPUP = "ema_rampup";
  static final String PL_WEIGHT = "pl_weight";
  static final String KIMG = "kimg";
  static final String ADA = "ada";
  static final String ADA_TARGET = "ada_target";
  static final String ADA_KIMG = "ada_kimg";
  static final String AUGMENT_P = "augment_p";
  static final String AUGPIPE = "augpipe";
  static final String STYLE_MIXING = "style_mixing";
  static final String TICK_KIMG = "tick_kimg";
  static final String SNAPSHOT_TICKS = "snapshot_ticks";
  static final String KEEP_SNAPSHOTS = "keep_snapshots";
  static final String GRID_IMAGES = "grid_images";
  static final String SEED = "seed";
  static final String MAX_MINUTES = "max_minutes";
  static final String PROGRESS = "progress";
  static final String SNAPSHOT = "snapshot";
  static final String QUALITY = "quality";
  static final String QUALITY_CLASSIFIER = "quality_classifier";
  static final String QUALITY_INCEPTION = "quality_inception";
  static final String QUALITY_TICKS = "quality_ticks";
  static final String QUALITY_FAKES = "quality_fakes";
  static final String QUALITY_REALS = "quality_reals";

  /**
   * How snapshots are scored: FID, KID and diversity against the val split.
   *
   * @param on whether to measure (when a feature network is at hand)
   * @param classifier the classifier whose features to use; empty: the newest train-classifier run
   * @param inception Inception-v3 weights; when set, its features instead of a classifier's
   * @param ticks also every this many ticks (0: at snapshots only)
   * @param fakes generated images per measurement
   * @param reals val images at most
   */
  public record Quality(boolean on, String classifier, String inception, int ticks, int fakes, int reals) {}

  public static GanSettings of(Settings settings) {
    ConfigReader r = ConfigReader.of(settings, SECTION);
    int batch = r.atLeast(BATCH_SIZE, 1);
    int res = r.atLeast(RESOLUTION, 4);
    GanArchitecture arch = GanArchitecture.of(res, r.atLeast(CHANNEL_BASE, 1), r.atLeast(CHANNEL_MAX, 1),
        r.atLeast(MBSTD_GROUP, 1));
    GanOptions training = GanOptions.builder(r.string(PRESET), arch)
        .batch(batch)
        .kimg(r.positive(KIMG))
        .learningRate((float) r.positive(LEARNING_RATE))
        // NVlabs auto's rules, for the presets that name them
        .r1Gamma((float) r.autoOr(R1_GAMMA, () -> 0.0002f * res * res / batch))
        .emaKimg((float) r.autoOr(EMA_KIMG, () -> batch * 10f / 32))
        .emaRampup((float) r.atLeast(EMA_RAMPUP, 0.0))
        .plWeight((float) r.atLeast(PL_WEIGHT, 0.0))
        .styleMixing((float) r.fraction(STYLE_MIXING))
        .ada(r.bool(ADA))
        .adaTarget((float) r.fraction(ADA_TARGET))
        .adaKimg((float) r.positive(ADA_KIMG))
        .augmentP((float) r.fraction(AUGMENT_P))
        .augmentPipe(r.choice(AUGPIPE, AugmentPipe.class))
        .tickKimg(r.positive(TICK_KIMG))
        .snapshotTicks(r.atLeast(SNAPSHOT_TICKS, 1))
        .keepSnapshots(r.atLeast(KEEP_SNAPSHOTS, 1))
        .gridImages(r.atLeast(GRID_IMAGES, 1))
        .seed(r.longValue(SEED))
        .build();
    Quality quality = new Quality(r.bool(QUALITY), r.string(QUALITY_CLASSIFIER), r.string(QUALITY_INCEPTION),
        r.atLeast(QUALITY_TICKS, 0), r.atLeast(QUALITY_FAKES, 2), r.atLeast(QUALITY_REALS, 2));
    GanModels.Pick pick;
    try {
      pick = GanModels.Pick.parse(r.string(SNAPSHOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(r.key(SNAPSHOT) + ": " + e.getMessage());
    }
    return new GanSettings(training, quality, r.atLeast(MAX_MINUTES, 0.0) * 60, r.bool(PROGRESS), pick);
  }
}
