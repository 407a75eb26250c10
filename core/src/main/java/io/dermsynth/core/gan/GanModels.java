package io.dermsynth.core.gan;

import io.dermsynth.core.BadInputException;
import ai.djl.ndarray.NDManager;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ModelFolder;
import io.dermsynth.core.ModelFormat;
import java.io.IOException;
import java.util.List;

/**
 * Finds and loads a trained generator (G_ema) from a folder: a snapshot folder (manifest.json), a run
 * folder (its newest snapshot), a folder written by {@code tools/import_stylegan2.py} (import.json), or
 * a train-inverter folder (the generator it inverts into, in generator/).
 */
public final class GanModels {

  /** A generator on its own: G_ema.safetensors and a manifest. */
  public static final ModelFormat GENERATOR_FORMAT = new ModelFormat("dermsynth-stylegan2-generator", 1);
  /** What tools/import_stylegan2.py writes (import.json beside the safetensors). */
  static final ModelFormat IMPORT_FORMAT = new ModelFormat("dermsynth-stylegan2-import", 1);
  private static final String IMPORT_FILE = "import.json";
  private static final String G_EMA = "G_ema.safetensors";

  /**
   * The part of every generator manifest (snapshot, generator, import) that loading needs.
   *
   * @param kimg training progress, when the manifest records it
   * @param source where a generator on its own came from
   */
  record Description(GanArchitecture architecture, Double kimg, String source) {}

  /** A loaded generator and where it came from. */
  public record Loaded(Generator generator, String source, double kimg) {}

  private GanModels() {}

  /** Which snapshot of a train-gan run folder: the newest, or the best by quality ({@link BestSnapshot}). */
  public enum Pick {
    NEWEST, BEST;

    public static Pick parse(String name) {
      return io.dermsynth.core.Choices.parse(Pick.class, name, "snapshot pick");
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
    ModelFolder inverterGenerator = new ModelFolder(store.under("generator"), GENERATOR_FORMAT);
    if (inverterGenerator.hasModel()) {
      return load(inverterGenerator.store(), "", inverterGenerator.modelManifest(Description.class), manager,
          "generator");
    }
    if (ModelFolder.formatName(store).filter(GENERATOR_FORMAT.name()::equals).isPresent()) {
      ModelFolder own = new ModelFolder(store, GENERATOR_FORMAT);
      return load(store, "", own.modelManifest(Description.class), manager, ".");
    }
    var imported = store.read(IMPORT_FILE);
    if (imported.isPresent()) {
      return load(store, "", new ModelFolder(store, IMPORT_FORMAT).decode(imported.get(), Description.class,
          IMPORT_FILE), manager, ".");
    }
    ModelFolder run = new ModelFolder(store, GanTrainer.FORMAT);
    if (run.hasModel()) {
      return load(store, "", run.modelManifest(Description.class), manager, ".");
    }
    List<String> snapshots = run.snapshots();
    if (snapshots.isEmpty()) {
      throw new BadInputException("no StyleGAN2 model here: want manifest.json (a snapshot), " + IMPORT_FILE
          + " (tools/import_stylegan2.py), snapshot-*/ folders (a train-gan run) or generator/ (a "
          + "train-inverter run)");
    }
    String snapshot = snapshots.get(snapshots.size() - 1);
    if (pick == Pick.BEST) {
      snapshot = BestSnapshot.read(store).map(BestSnapshot::snapshot).orElseThrow(() -> new BadInputException(
          "this train-gan run has no " + BestSnapshot.FILE + ": none of its snapshots was scored (gan.quality "
              + "needs a trained classifier); pick the newest snapshot instead"));
      if (!snapshots.contains(snapshot)) {
        throw new BadInputException(BestSnapshot.FILE + " names " + snapshot + ", which is not a complete snapshot here");
      }
    }
    return load(store, snapshot, run.manifest(snapshot, Description.class), manager, snapshot);
  }

  /**
   * Writes a generator on its own (G_ema and its architecture), e.g. the one an inverter inverts into.
   *
   * @param source where it came from, for the manifest
   */
  public static void saveGenerator(CheckpointStore store, Generator g, String source) throws IOException {
    new ModelFolder(store, GENERATOR_FORMAT).model()
        .write(G_EMA, GanWeights.encode(g.namedParameters()))
        .commit(new Description(g.architecture(), null, source));
  }

  private static Loaded load(CheckpointStore store, String dir, Description d, NDManager manager, String source)
      throws IOException {
    Generator g = Generator.create(d.architecture(), manager);
    GanWeights.load(g.namedParameters(), store.readRequired(dir.isEmpty() ? G_EMA : dir + "/" + G_EMA));
    return new Loaded(g, source, d.kimg() == null ? Double.NaN : d.kimg());
  }
}
