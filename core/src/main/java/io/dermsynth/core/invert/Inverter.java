package io.dermsynth.core.invert;

import io.dermsynth.core.OwnedArrays;
import io.dermsynth.core.BadInputException;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ModelFolder;
import io.dermsynth.core.ModelFormat;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.Scopes;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanBlock;
import io.dermsynth.core.gan.GanWeights;
import io.dermsynth.core.gan.Generator;
import io.dermsynth.core.gan.NoiseMode;
import io.dermsynth.core.gan.SynthesisLayer;
import io.dermsynth.core.metrics.Lpips;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained inverter: the frozen generator (G_ema), the e4e encoder, the HyperStyle hypernetwork and the
 * LPIPS network, from one self-contained folder:
 * <pre>
 *   generator/manifest.json, generator/G_ema.safetensors   the generator it inverts into
 *   lpips/manifest.json, lpips/weights.safetensors         the LPIPS feature network (a classifier)
 *   snapshot-NNNNNNNNN/E.safetensors, H.safetensors, manifest.json (+ optimiser states)
 * </pre>
 * Not thread-safe; one instance per thread (the Spark side keeps one per executor and serialises use).
 */
public final class Inverter implements AutoCloseable {

  public static final ModelFormat FORMAT = new ModelFormat("dermsynth-inverter", 1);
  /** The sub-folders with the fixed networks: the generator inverted into, the LPIPS network. */
  static final String GENERATOR = "generator";
  static final String LPIPS = "lpips";
  /** How a W+ (and weight offsets) is found for an image. */
  public enum Method { ENCODER, HYPERSTYLE, OPTIMISED }

  /**
   * One inversion of a batch.
   *
   * @param wPlus [N, numWs, wDim]
   * @param deltas HyperStyle weight offsets by layer ([N, out, in, 1, 1]); empty for the other methods
   * @param reconstruction [N, 3, R, R] in [−1, 1]
   * @param l2 per image, mean squared pixel error with pixels in [0, 1]
   * @param lpips per image
   */
  public record Inversion(NDArray wPlus, Map<String, NDArray> deltas, NDArray reconstruction, double[] l2,
      double[] lpips) {}

  /** What a snapshot's manifest.json holds. */
  public record Manifest(GanArchitecture architecture, InverterOptions options, long step,
      String version, String codeVersion) {}

  private final NDManager manager;
  private final Generator generator;
  private final ClassifierModel lpipsNet;
  private final Lpips lpips;
  private final Encoder4Editing encoder;
  private final HyperStyleNet hyper;
  private final InverterOptions options;
  private String version;

  /** Fresh encoder and hypernetwork around a generator and an LPIPS network (both frozen here). */
  Inverter(NDManager manager, Generator generator, ClassifierModel lpipsNet, InverterOptions options,
      String version) {
    this.manager = manager;
    this.generator = generator;
    this.lpipsNet = lpipsNet.freeze();
    this.lpips = Lpips.of(lpipsNet.lpipsBackbone());
    this.options = options;
    this.version = version;
    for (Parameter p : generator.namedParameters().values()) {
      p.getArray().setRequiresGradient(false);
    }
    GanArchitecture arch = generator.architecture();
    encoder = Encoder4Editing.create(arch, manager);
    hyper = HyperStyleNet.create(arch, tunedLayers(generator, options.tunedLayers()), options.hyperZ(), manager);
  }

  static Map<String, SynthesisLayer> tunedLayers(Generator g, List<String> names) {
    Map<String, SynthesisLayer> all = g.synthesis().convLayers();
    if (names.isEmpty()) {
      return all;
    }
    Map<String, SynthesisLayer> out = new LinkedHashMap<>();
    for (String n : names) {
      SynthesisLayer l = all.get(n);
      if (l == null) {
        throw new IllegalArgumentException("tuned layer '" + n + "' is not a synthesis conv; layers: "
            + all.keySet());
      }
      out.put(n, l);
    }
    return out;
  }

  /** The manifest of an inverter folder's newest snapshot (what {@link #load} would load). */
  public static Manifest newestManifest(CheckpointStore store) throws IOException {
    ModelFolder folder = new ModelFolder(store, FORMAT);
    String dir = folder.newestSnapshot().orElseThrow(() -> new BadInputException(
        "no inverter here: want snapshot-*/manifest.json (a train-inverter run)"));
    return folder.manifest(dir, Manifest.class);
  }

  /** Loads the newest snapshot of an inverter folder onto {@code device}. */
  public static Inverter load(CheckpointStore store, Device device) throws IOException {
    Manifest m = newestManifest(store);
    NDManager manager = NDManager.newBaseManager(device);
    try {
      Generator g = GanModels.loadGenerator(store.under(GENERATOR), manager).generator();
      ClassifierModel net = ClassifierModel.load(store.under(LPIPS), device);
      Inverter inv = new Inverter(manager, g, net, m.options(), m.version());
      inv.loadWeights(new ModelFolder(store, FORMAT), ModelFolder.snapshotName(m.step()));
      return inv;
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  void loadWeights(ModelFolder folder, String dir) throws IOException {
    GanWeights.load(encoderParams(), folder.read(dir, "E.safetensors"));
    GanWeights.load(hyperParams(), folder.read(dir, "H.safetensors"));
  }

  /** Writes generator/ and lpips/ (once per run folder). */
  void writeFixedParts(CheckpointStore store, String generatorSource) throws IOException {
    GanModels.saveGenerator(store.under(GENERATOR), generator, generatorSource);
    lpipsNet.save(store.under(LPIPS));
  }

  Map<String, Parameter> encoderParams() {
    return GanBlock.named(encoder, "");
  }

  Map<String, Parameter> hyperParams() {
    return GanBlock.named(hyper, "");
  }

  Encoder4Editing encoder() {
    return encoder;
  }

  HyperStyleNet hyper() {
    return hyper;
  }

  public Generator generator() {
    return generator;
  }

  public InverterOptions options() {
    return options;
  }

  void setVersion(String version) {
    this.version = version;
  }

  /**
   * Identifies these weights: "i-" + a content hash (InverterTrainer), or "&lt;run_id&gt;-s&lt;step&gt;" for
   * inverters saved before versions were content hashes.
   */
  public String version() {
    return version;
  }

  public List<String> tunedLayers() {
    return hyper.layers();
  }

  public NDManager manager() {
    return manager;
  }

  // ---- inversion -------------------------------------------------------------------------------

  /** e4e: real [N, 3, R, R] in [−1, 1] → W+ [N, numWs, wDim], every offset on. */
  public NDArray encode(NDArray real) {
    return Scopes.only(() -> Encoder4Editing.wPlus(encoder.forward(real, encoder.numWs() - 1),
        generator.mapping().wAvg()));
  }

  /** The generator's image for W+ with weight offsets (empty map = the generator as trained). */
  public NDArray synthesize(NDArray wPlus, Map<String, NDArray> deltas) {
    return Scopes.only(() -> generator.synthesis().forward(wPlus, NoiseMode.CONST, deltas));
  }

  /** HyperStyle's result: the summed weight offsets, and the generator's image with them. */
  public record Refinement(Map<String, NDArray> deltas, NDArray reconstruction) {}

  /**
   * HyperStyle: {@code refinementIterations} rounds of offsets predicted from the image and the current
   * reconstruction, accumulated. The last round's image is the result's reconstruction (rendering it
   * again cost one generator pass in 7 at 5 rounds).
   */
  public Refinement refine(NDArray real, NDArray wPlus) {
    NDArray y = synthesize(wPlus, Map.of());
    Map<String, NDArray> acc = new LinkedHashMap<>();
    for (int t = 0; t < options.refinementIterations(); t++) {
      NDArray image = y;
      acc = accumulate(acc, Scopes.onlyAll(() -> hyper.forward(real, image)));
      y = synthesize(wPlus, acc);
    }
    return new Refinement(acc, y);
  }

  static Map<String, NDArray> accumulate(Map<String, NDArray> acc, Map<String, NDArray> step) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    step.forEach((k, d) -> out.put(k, acc.containsKey(k) ? acc.get(k).add(d) : d));
    return out;
  }

  /** Per-image [N] pixel MSE (pixels in [0, 1]) and LPIPS of a reconstruction, in the autograd graph. */
  public NDList losses(NDArray reconstruction, NDArray real) {
    long n = real.getShape().get(0);
    NDArray mse = OwnedArrays.div(reconstruction.sub(real).square().reshape(n, -1).mean(new int[] {1}), 4);
    NDArray lp = lpips.distances(OwnedArrays.div(reconstruction.add(1f), 2), OwnedArrays.div(real.add(1f), 2));
    return new NDList(mse, lp);
  }

  /** The training and optimisation objective: λ_L2 · 4·MSE₀₁ (= MSE on [−1, 1]) + λ_LPIPS · LPIPS, mean. */
  NDArray objective(NDList losses) {
    return OwnedArrays.mul(losses.get(0), 4f * options.l2Lambda()).add(OwnedArrays.mul(losses.get(1),
        options.lpipsLambda())).mean();
  }

  /** Inverts real images [N, 3, R, R] in [−1, 1]; every array lives on the caller's NDScope/manager. */
  public Inversion invert(NDArray real, Method method) {
    return invert(real, method, -1);
  }

  /**
   * As {@link #invert(NDArray, Method)}, with {@code optSteps} Adam steps for {@link Method#OPTIMISED}
   * (negative: the manifest's {@code optSteps}).
   */
  public Inversion invert(NDArray real, Method method, int optSteps) {
    // Inference: on a thread where autograd is on (any but the one that loaded the engine, unless it is a
    // task set up by TaskDevice) it would record the encoder's and the hypernetwork's graph (their
    // weights are trainable) for no backward pass.
    return Scopes.noGrad(() -> inferred(real, method, optSteps));
  }

  private Inversion inferred(NDArray real, Method method, int optSteps) {
    NDArray w = encode(real);
    Map<String, NDArray> deltas = Map.of();
    NDArray y;
    switch (method) {
      case HYPERSTYLE -> {
        Refinement r = refine(real, w);
        deltas = r.deltas();
        y = r.reconstruction();
      }
      case OPTIMISED -> {
        w = new LatentOptimizer(this).optimise(real, w, optSteps < 0 ? options.optSteps() : optSteps,
            options.optLr());
        y = synthesize(w, deltas);
      }
      default -> y = synthesize(w, deltas);
    }
    NDList l = losses(y, real);
    return new Inversion(w, deltas, y, toDoubles(l.get(0)), toDoubles(l.get(1)));
  }

  public static double[] toDoubles(NDArray a) {
    float[] f = a.toType(DataType.FLOAT32, false).toFloatArray();
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  @Override
  public void close() {
    lpipsNet.close();
    manager.close();
  }
}
