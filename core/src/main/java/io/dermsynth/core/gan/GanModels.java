package io.dermsynth.core.gan;

import io.dermsynth.core.BadInputException;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.dermsynth.core.CheckpointStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Finds and loads a trained generator (G_ema) from a folder: a snapshot folder (manifest.json), a run
 * folder (its newest snapshot), a folder written by {@code tools/import_stylegan2.py} (import.json), or
 * a train-inverter folder (the generator it inverts into, in generator/).
 */
public final class GanModels {

  private static final Gson GSON = new Gson();

  /** A loaded generator and where it came from. */
  public record Loaded(Generator generator, String source, double kimg) {}

  private GanModels() {}

  /** Which snapshot of a train-gan run folder: the newest, or the best by quality ({@link BestSnapshot}). */
  public enum Pick {
    NEWEST, BEST;

    public static Pick parse(String name) {
      try {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("snapshot pick must be newest or best, got '" + name + "'", e);
      }
    }
  }

  /** @param store the folder; entries are read relative to it */
  public static Loaded loadGenerator(CheckpointStore store, NDManager manager) throws IOException {
    return loadGenerator(store, manager, Pick.NEWEST);
  }

  /**
   * @param pick for a train-gan run folder, which of its snapshots; other folders hold one generator and
   *     ignore it
   */
  public static Loaded loadGenerator(CheckpointStore store, NDManager manager, Pick pick) throws IOException {
    String prefix = "";
    if (store.read("generator/manifest.json").isPresent()) {
      prefix = "generator/";
    }
    var manifest = store.read(prefix + "manifest.json");
    var imported = store.read("import.json");
    if (prefix.isEmpty() && manifest.isEmpty() && imported.isEmpty()) {
      List<String> snapshots = store.snapshots();
      if (snapshots.isEmpty()) {
        throw new BadInputException("no StyleGAN2 model here: want manifest.json (a snapshot), import.json "
            + "(tools/import_stylegan2.py), snapshot-*/ folders (a train-gan run) or generator/ (a "
            + "train-inverter run)");
      }
      if (pick == Pick.BEST) {
        String best = BestSnapshot.read(store).map(BestSnapshot::snapshot).orElseThrow(() -> new BadInputException(
            "this train-gan run has no " + BestSnapshot.FILE + ": none of its snapshots was scored (gan.quality "
                + "needs a trained classifier); pick the newest snapshot instead"));
        if (!snapshots.contains(best)) {
          throw new BadInputException(BestSnapshot.FILE + " names " + best + ", which is not a complete snapshot here");
        }
        prefix = best + "/";
      } else {
        prefix = snapshots.get(snapshots.size() - 1) + "/";
      }
      manifest = store.read(prefix + "manifest.json");
    }
    JsonObject json = GSON.fromJson(new String(manifest.or(() -> imported).orElseThrow(),
        StandardCharsets.UTF_8), JsonObject.class);
    GanArchitecture arch = GSON.fromJson(json.get("architecture"), GanArchitecture.class);
    double kimg = json.has("kimg") ? json.get("kimg").getAsDouble() : Double.NaN;
    Generator g = Generator.create(arch, manager);
    String file = prefix + "G_ema.safetensors";
    GanWeights.load(g.namedParameters(), store.read(file)
        .orElseThrow(() -> new BadInputException(file + " is missing")));
    return new Loaded(g, prefix.isEmpty() ? "." : prefix.substring(0, prefix.length() - 1), kimg);
  }
}
