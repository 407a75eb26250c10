package io.dermsynth.jobs.augment;

import io.dermsynth.core.classify.SyntheticAllocation;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.settings.Settings;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@code augment} section, typed.
 *
 * @param model the train-inverter run whose latents are edited; empty: the newest
 * @param classifier the train-classifier run that judges label consistency; empty: the newest
 * @param source approved (direction_reviews) or all_top_k (unattended)
 * @param topK with all_top_k, the directions of rank below it
 * @param alphas the edit strengths, in {@code alphaUnit}
 * @param alphaUnit w_std or raw
 * @param render residual or generator
 * @param target synthetic images to make (0: every train latent × direction × alpha)
 * @param balance how the target is spread over the classes
 * @param cap the most of the target one class may take
 * @param lpipsThreshold lpips_ok = LPIPS to the source ≤ this
 * @param batchSize edits per forward pass on an executor
 * @param chunkRows rows per Delta commit
 * @param partitions Spark partitions of the edit plan
 */
public record AugmentSettings(String model, String classifier, String source, int topK, List<Double> alphas,
    String alphaUnit, EditRenderer.Render render, int target, String balance, double cap, double lpipsThreshold,
    int batchSize, int chunkRows, int partitions) {

  static final String SECTION = "augment";
  static final String MODEL = "model";
  static final String CLASSIFIER = "classifier";
  static final String DIRECTIONS = "directions";
  static final String TOP_K = "top_k";
  static final String ALPHAS = "alphas";
  static final String ALPHA_UNIT = "alpha_unit";
  static final String RENDER = "render";
  static final String TARGET = "target";
  static final String BALANCE = "balance";
  static final String CAP = "cap";
  static final String LPIPS_THRESHOLD = "lpips_threshold";
  static final String BATCH_SIZE = "batch_size";
  static final String CHUNK_ROWS = "chunk_rows";
  static final String PARTITIONS = "partitions";

  public static final List<String> SOURCES = List.of("approved", "all_top_k");
  public static final List<String> ALPHA_UNITS = List.of("w_std", "raw");

  public static AugmentSettings of(Settings settings) {
    ConfigReader r = ConfigReader.of(settings, SECTION);
    List<Double> alphas = r.numbers(ALPHAS);
    if (alphas.isEmpty()) {
      throw new IllegalArgumentException(r.key(ALPHAS) + " is empty: give at least one edit strength");
    }
    return new AugmentSettings(r.string(MODEL), r.string(CLASSIFIER), r.oneOf(DIRECTIONS, SOURCES),
        r.atLeast(TOP_K, 1), alphas, r.oneOf(ALPHA_UNIT, ALPHA_UNITS),
        EditRenderer.Render.parse(r.oneOf(RENDER, names(EditRenderer.Render.values()))), r.atLeast(TARGET, 0),
        r.oneOf(BALANCE, names(SyntheticAllocation.Policy.values())), r.fraction(CAP), r.atLeast(LPIPS_THRESHOLD, 0.0),
        r.atLeast(BATCH_SIZE, 1), r.atLeast(CHUNK_ROWS, 1), r.atLeast(PARTITIONS, 1));
  }

  private static List<String> names(Enum<?>[] values) {
    return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
  }
}
