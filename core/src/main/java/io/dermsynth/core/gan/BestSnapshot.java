package io.dermsynth.core.gan;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.dermsynth.core.CheckpointStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A train-gan run's best snapshot by generator quality: the lowest KID (unbiased at the few thousand
 * images a CPU run can afford, where FID is biased upwards by the sample size) among the snapshots that
 * were measured, kept in {@code best.json} of the run folder. Snapshot pruning never deletes it, and
 * {@code sample}, {@code factorize} and {@code train-inverter} can load it instead of the newest.
 *
 * <p>KIDs are compared only within one feature network ({@code features}): when a resumed run measures in
 * another (e.g. Inception weights brought after a start with the classifier's), the first snapshot scored
 * in the new features replaces the best, whatever its KID.
 *
 * @param snapshot its folder name, snapshot-NNNNNNNNN
 * @param features the feature network of the scores ({@link GanQuality#features()})
 */
public record BestSnapshot(String snapshot, int tick, double kimg, double kid, double fid, double diversity,
    String features) {

  public static final String FILE = "best.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
      .create();

  /** The run's best snapshot so far, if any was measured. */
  public static Optional<BestSnapshot> read(CheckpointStore store) throws IOException {
    return store.read(FILE).map(b -> GSON.fromJson(new String(b, StandardCharsets.UTF_8), BestSnapshot.class));
  }

  /** The feature network; best.json files written before it was recorded were all scored by a classifier. */
  public String featuresOrClassifier() {
    return features == null ? "classifier" : features;
  }

  /**
   * Records {@code snapshot} (scored in {@code t}, in {@code features}) as the best when its KID is below
   * the best so far in the same features, or the best so far is in other features or gone.
   */
  static void offer(CheckpointStore store, String snapshot, GanTrainer.Tick t, String features) throws IOException {
    if (!Double.isFinite(t.kid())) {
      return;
    }
    Optional<BestSnapshot> best = read(store);
    if (best.isEmpty() || !features.equals(best.get().featuresOrClassifier()) || t.kid() < best.get().kid()
        || store.read(best.get().snapshot() + "/" + io.dermsynth.core.ModelFolder.MANIFEST).isEmpty()) {
      store.write(FILE, GSON.toJson(new BestSnapshot(snapshot, t.tick(), t.kimg(), t.kid(), t.fid(), t.diversity(),
          features)).getBytes(StandardCharsets.UTF_8));
    }
  }
}
