package io.dermsynth.core.invert;

import io.dermsynth.core.OwnedArrays;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ModelFolder;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.CodeVersion;
import io.dermsynth.core.ProcessMemory;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.data.Hashing;
import io.dermsynth.core.gan.Adam;
import io.dermsynth.core.gan.GanWeights;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.Generator;
import io.dermsynth.core.gan.SampleGrid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Trains the inverter on real images in two phases, as e4e and HyperStyle are trained: (1) the encoder,
 * with the generator frozen, on λ_L2·L2 + λ_LPIPS·LPIPS + λ_Δ·Σ‖Δᵢ‖₂, offsets switched on progressively;
 * (2) the hypernetwork, with encoder and generator frozen, on the same reconstruction loss summed over
 * its refinement iterations (each iteration starts from the previous one's detached reconstruction and
 * offsets, as HyperStyle's coach does). Snapshots hold both networks and both optimisers, so a run
 * resumes exactly where it stopped.
 */
public final class InverterTrainer implements AutoCloseable {

  private static final Gson LINE = new Gson().newBuilder().serializeSpecialFloatingPointValues().create();

  /** One minibatch's figures; {@code phase} is "encoder" or "hyperstyle". */
  public record Losses(long step, String phase, float loss, float l2, float lpips, float deltaNorm,
      int activeDeltas) {}

  /** A tick's row of metrics.jsonl. */
  public record Tick(int tick, long step, String phase, float loss, float l2, float lpips, float deltaNorm,
      int activeDeltas, double secPerStep, long rssMiB, String snapshot) {}

  private final InverterOptions o;
  private final Inverter model;
  private final String runId;
  private final String generatorSource;
  private final Adam optE;
  private final Adam optH;
  private long step;
  private int tick;

  /**
   * @param generator the generator to invert into (G_ema of a train-gan run); this trainer owns it
   * @param lpipsNet the LPIPS feature network; this trainer owns it
   * @param generatorSource where the generator came from (recorded in generator/manifest.json)
   * @param runId the training run (the version before the first snapshot; snapshots are named by content)
   */
  public InverterTrainer(InverterOptions options, Generator generator, NDManager generatorManager,
      String generatorSource, ClassifierModel lpipsNet, String runId) {
    this.o = options;
    this.runId = runId;
    this.generatorSource = generatorSource;
    Engine.getInstance().setRandomSeed((int) options.seed());
    model = new Inverter(generatorManager, generator, lpipsNet, options, runId + "-s0");
    optE = new Adam(model.encoderParams(), generatorManager);
    optH = new Adam(model.hyperParams(), generatorManager);
  }

  public Inverter model() {
    return model;
  }

  public long step() {
    return step;
  }

  private long totalSteps() {
    return (long) o.encoderSteps() + o.hyperSteps();
  }

  /**
   * Trains to encoderSteps + hyperSteps, resuming from the newest snapshot in {@code store}; a metrics row
   * and a grid (rows: real, encoder, HyperStyle) every tick, a snapshot every snapshotTicks ticks and at
   * the end. With maxSeconds &gt; 0 it also stops (with a snapshot) at the first tick past that budget.
   */
  public void train(GanImages data, CheckpointStore store, double maxSeconds,
      Consumer<Tick> onTick) throws IOException {
    int r = model.generator().architecture().resolution();
    if (data.resolution() != r || data.size() == 0) {
      throw new IllegalArgumentException("inverter for a " + r + " px generator got " + data.size()
          + " images at " + data.resolution() + " px");
    }
    resume(store);
    int[] gridIdx = new int[Math.min(8, data.size())];
    java.util.Arrays.setAll(gridIdx, i -> i);
    long start = System.nanoTime();
    long tickStart = start;
    long tickStartStep = step;
    java.util.List<Losses> window = new java.util.ArrayList<>();
    boolean done = step >= totalSteps();
    while (!done) {
      window.add(step(data));
      boolean tickDue = step % o.tickSteps() == 0;
      done = step >= totalSteps()
          || (maxSeconds > 0 && tickDue && System.nanoTime() - start >= maxSeconds * 1e9);
      if (tickDue || done) {
        tick++;
        String snapshot = done || tick % o.snapshotTicks() == 0 ? save(store) : null;
        try (NDScope scope = new NDScope()) {
          store.write(String.format(Locale.ROOT, "grids/inversions-%06d.png", tick),
              grid(data.batch(gridIdx, model.manager())));
        }
        long now = System.nanoTime();
        Losses last = window.get(window.size() - 1);
        Tick t = new Tick(tick, step, last.phase(), mean(window, Losses::loss), mean(window, Losses::l2),
            mean(window, Losses::lpips), mean(window, Losses::deltaNorm), last.activeDeltas(),
            (now - tickStart) / 1e9 / (step - tickStartStep), ProcessMemory.rssMiB(), snapshot);
        store.appendLine("metrics.jsonl", LINE.toJson(t));
        onTick.accept(t);
        window.clear();
        tickStart = now;
        tickStartStep = step;
      }
    }
  }

  private static float mean(List<Losses> w, java.util.function.ToDoubleFunction<Losses> f) {
    return (float) w.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  /** Rows of real | encoder | HyperStyle reconstructions. */
  private byte[] grid(NDArray real) {
    NDArray w = model.encode(real);
    NDArray enc = model.synthesize(w, Map.of());
    NDArray hyp = model.refine(real, w).reconstruction();
    return SampleGrid.png(NDArrays.concat(new NDList(real, enc, hyp), 0), (int) real.getShape().get(0));
  }

  /** One minibatch of the current phase. */
  public Losses step(GanImages data) {
    SplittableRandom rnd = new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + step);
    JniUtils.setSeed(rnd.nextLong());
    Losses out;
    try (NDScope scope = new NDScope()) {
      NDArray real = data.batch(rnd.ints(o.batch(), 0, data.size()).toArray(), model.manager());
      out = step < o.encoderSteps() ? encoderStep(real) : hyperStep(real);
    }
    step++;
    return out;
  }

  private Losses encoderStep(NDArray real) {
    Encoder4Editing e = model.encoder();
    int active = o.activeDeltas(step, e.numWs());
    optE.zeroGradients();
    float loss;
    float deltaNorm;
    NDList parts;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray codes = e.forward(real, active);
      NDArray y = model.synthesize(Encoder4Editing.wPlus(codes, model.generator().mapping().wAvg()), Map.of());
      parts = model.losses(y, real);
      NDArray reg = Encoder4Editing.deltaNorm(codes);
      NDArray total = model.objective(parts).add(OwnedArrays.mul(reg, o.deltaNormLambda()));
      collector.backward(total);
      loss = total.getFloat();
      deltaNorm = reg.getFloat();
    }
    optE.step(o.lr(), 0.9f, 0.999f, 1e-8f);
    return new Losses(step, "encoder", loss, parts.get(0).mean().getFloat(), parts.get(1).mean().getFloat(),
        deltaNorm, active);
  }

  private Losses hyperStep(NDArray real) {
    NDArray w = model.encode(real);  // outside the collector: the encoder stays frozen
    NDArray y = model.synthesize(w, Map.of());
    Map<String, NDArray> acc = new LinkedHashMap<>();
    optH.zeroGradients();
    float loss;
    NDList parts = null;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray total = null;
      for (int t = 0; t < o.refinementIterations(); t++) {
        Map<String, NDArray> deltas = Inverter.accumulate(acc, model.hyper().forward(real, y));
        y = model.synthesize(w, deltas);
        parts = model.losses(y, real);
        NDArray l = model.objective(parts);
        total = total == null ? l : total.add(l);
        acc = new LinkedHashMap<>();
        for (var d : deltas.entrySet()) {
          acc.put(d.getKey(), d.getValue().stopGradient());
        }
        y = y.stopGradient();
      }
      total = OwnedArrays.div(total, o.refinementIterations());
      collector.backward(total);
      loss = total.getFloat();
    }
    optH.step(o.lr(), 0.9f, 0.999f, 1e-8f);
    return new Losses(step, "hyperstyle", loss, parts.get(0).mean().getFloat(), parts.get(1).mean().getFloat(),
        Float.NaN, model.encoder().numWs() - 1);
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** Writes snapshot-&lt;step&gt;/ (and the run's generator/ and lpips/ the first time); keeps the newest N. */
  public String save(CheckpointStore store) throws IOException {
    if (!new ModelFolder(store.under(Inverter.GENERATOR), GanModels.GENERATOR_FORMAT).hasModel()) {
      model.writeFixedParts(store, generatorSource);
    }
    ModelFolder folder = new ModelFolder(store, Inverter.FORMAT);
    ModelFolder.Commit snapshot = folder.snapshot(step);
    try (NDScope scope = new NDScope()) {
      byte[] e = GanWeights.encode(model.encoderParams());
      byte[] h = GanWeights.encode(model.hyperParams());
      model.setVersion(contentVersion(e, h));
      snapshot.write("E.safetensors", e).write("H.safetensors", h);
    }
    snapshot.write("E_opt.safetensors", optE.encodeState()).write("H_opt.safetensors", optH.encodeState())
        .commit(new Inverter.Manifest(model.generator().architecture(), o, step, model.version(), CodeVersion.get()));
    folder.keepNewest(o.keepSnapshots(), null);
    return ModelFolder.snapshotName(step);
  }

  /**
   * Identifies the inverter by content, not by run: "i-" and 16 hex digits of the SHA-256 of its encoder's
   * and hypernetwork's safetensors and its generator's content id. Latents, synth_ids and the order of
   * augment's render batches derive from it, so two runs that train the same weights write the same tables.
   */
  private String contentVersion(byte[] encoder, byte[] hyper) {
    String generator = GanWeights.contentVersion(model.generator().namedParameters());
    return "i-" + Hashing.sha256Hex(encoder, hyper, generator.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
  }

  /** Loads the newest snapshot; returns its name, or null when there is none. */
  public String resume(CheckpointStore store) throws IOException {
    ModelFolder folder = new ModelFolder(store, Inverter.FORMAT);
    String dir = folder.newestSnapshot().orElse(null);
    if (dir == null) {
      return null;
    }
    Inverter.Manifest m = folder.manifest(dir, Inverter.Manifest.class);
    if (!m.architecture().equals(model.generator().architecture())) {
      throw new IllegalStateException(dir + " inverts a " + m.architecture() + " generator, this run's is "
          + model.generator().architecture());
    }
    model.loadWeights(folder, dir);
    optE.decodeState(folder.read(dir, "E_opt.safetensors"));
    optH.decodeState(folder.read(dir, "H_opt.safetensors"));
    step = m.step();
    tick = (int) (step / o.tickSteps());
    model.setVersion(m.version());
    return dir;
  }

  @Override
  public void close() {
    model.close();
  }
}
