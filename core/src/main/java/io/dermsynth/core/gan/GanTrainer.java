package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ModelFolder;
import io.dermsynth.core.ModelFormat;
import io.dermsynth.core.ProcessCpu;
import io.dermsynth.core.ProcessMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * StyleGAN2 training as NVlabs' training_loop/loss: per minibatch Gmain (non-saturating logistic
 * loss), optional lazy path-length regularisation, Dmain, lazy R1 every {@code r1Interval}
 * minibatches, G_ema, and ADA's p adjusted towards r_t. Adam uses β = (0, 0.99), corrected for the
 * lazy regularisation (lr·c, β^c with c = interval / (interval + 1)).
 *
 * <p>Reproducible: each minibatch reseeds libtorch and a Java generator from (seed, step), so a run
 * resumed from a snapshot continues exactly as the uninterrupted run would.
 */
public final class GanTrainer implements AutoCloseable {

  /** Snapshot file layout version, written to and checked in every manifest. */
  public static final ModelFormat FORMAT = new ModelFormat("dermsynth-stylegan2", 1);
  private static final Gson LINE = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  /**
   * One minibatch's losses; r1 and pl are null where that phase did not run. {@code nonFinite} counts
   * gradient elements that were NaN or infinite and were sanitised before the Adam steps.
   */
  public record Losses(long step, float gMain, float dMain, Float r1, Float pl, float realSign,
      long nonFinite) {}

  /**
   * What a tick reports; also one row of metrics.jsonl (r1/pl NaN when they did not run; fid, kid and
   * diversity NaN on ticks without a quality measurement, see {@link #measureQuality}); cpuSeconds is the
   * CPU time this JVM spent in the tick, all threads (NaN where the JVM cannot say), for cost per CPU-hour.
   */
  public record Tick(int tick, double kimg, double secPerKimg, double etaSeconds, double cpuSeconds, float lossG,
      float lossD, float r1, float pl, float augmentP, float rt, long nonFiniteGradients, long rssMiB,
      String snapshot, double fid, double kid, double diversity) {}

  /** Counters that a snapshot keeps next to the weights. */
  record Manifest(String preset, GanArchitecture architecture, GanOptions options,
      long step, long nimg, double kimg, int tick, float augmentP, double adaSum, long adaCount,
      float plMean, String codeVersion) {}

  private final GanOptions o;
  private final GanArchitecture arch;
  private final NDManager manager;
  private final Generator g;
  private final Generator gEma;
  private final Discriminator d;
  private final Adam optG;
  private final Adam optD;
  private final InputGradient inputGradient;
  private final Map<String, Parameter> gParams;
  private final Map<String, Parameter> gEmaParams;
  private long step;
  private long nimg;
  private int tick;
  private String resumedFrom;
  private float augmentP;
  private double adaSum;
  private long adaCount;
  private float plMean;
  private GanQuality quality;
  private int qualityTicks;

  public GanTrainer(GanOptions options, Device device) {
    this(options, options.architecture(), device);
  }

  /** With an architecture other than the preset's (other widths; tests use tiny ones). */
  public GanTrainer(GanOptions options, GanArchitecture architecture, Device device) {
    this.o = options;
    this.arch = architecture;
    this.manager = NDManager.newBaseManager(device);
    Engine.getInstance().setRandomSeed((int) options.seed());
    g = Generator.create(arch, manager);
    d = Discriminator.create(arch, manager);
    gEma = Generator.create(arch, manager);
    gParams = g.namedParameters();
    gEmaParams = gEma.namedParameters();
    copyInto(gParams, gEmaParams, 0f);
    optG = new Adam(gParams, manager);
    optD = new Adam(d.namedParameters(), manager);
    inputGradient = new InputGradient(manager);
    augmentP = options.augmentP();
  }

  /**
   * Measures G_ema's quality at every snapshot and, with {@code everyTicks} &gt; 0, every that many ticks,
   * into the tick's metrics row; snapshots then carry a score to be chosen by.
   */
  public void measureQuality(GanQuality q, int everyTicks) {
    this.quality = q;
    this.qualityTicks = everyTicks;
  }

  public Generator generatorEma() {
    return gEma;
  }

  public long step() {
    return step;
  }

  public double kimg() {
    return nimg / 1000.0;
  }

  public float augmentP() {
    return augmentP;
  }

  /**
   * Trains to {@code options.kimg}, continuing from the newest snapshot in {@code store} if there is
   * one. Writes a sample grid and a metrics row every tick and a snapshot every
   * {@code snapshotTicks} ticks and at the end. With {@code maxSeconds} &gt; 0 it also ends (with a
   * snapshot) at the first tick past that wall-clock budget; run it again to continue.
   */
  public void train(GanImages data, CheckpointStore store, boolean progressBar, double maxSeconds,
      Consumer<Tick> onTick) throws IOException {
    if (data.resolution() != arch.resolution() || data.size() == 0) {
      throw new IllegalArgumentException("GAN at " + arch.resolution() + " px got " + data.size()
          + " images at " + data.resolution() + " px");
    }
    resumedFrom = resume(store);
    NDArray gridZ = gridLatents();
    if (resumedFrom != null) {
      dropMetricsAfterSnapshot(store);
    } else {
      int[] first = new int[Math.min(o.gridImages(), data.size())];
      java.util.Arrays.setAll(first, i -> i);
      try (NDScope scope = new NDScope()) {
        store.write("grids/reals.png", SampleGrid.png(data.batch(first, manager), gridCols()));
      }
    }
    long total = Math.round(o.kimg() * 1000);
    List<Losses> window = new ArrayList<>();
    long tickStartNimg = nimg;
    long tickStartNanos = System.nanoTime();
    long tickStartCpu = ProcessCpu.nanos();
    long runStartNimg = nimg;
    long runStartNanos = tickStartNanos;
    double lastSecPerKimg = Double.NaN;
    ProgressBarBuilder pb = new ProgressBarBuilder().setTaskName("train-gan " + o.preset())
        .setInitialMax(total).setUnit(" kimg", 1000).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(2000).startsFrom(nimg, java.time.Duration.ZERO);
    try (ProgressBar bar = progressBar ? pb.build() : null) {
      boolean done = false;
      while (!done && nimg < total) {
        window.add(step(data));
        if (bar != null) {
          bar.stepTo(nimg);
          Losses l = window.get(window.size() - 1);
          bar.setExtraMessage(String.format(Locale.ROOT, " %.0f s/kimg, G %.3f D %.3f p %.3f",
              lastSecPerKimg, l.gMain(), l.dMain(), augmentP));
        }
        boolean tickDue = nimg - tickStartNimg >= o.tickKimg() * 1000;
        boolean outOfTime = maxSeconds > 0 && tickDue
            && System.nanoTime() - runStartNanos >= maxSeconds * 1e9;
        done = nimg >= total || outOfTime;
        if (tickDue || done) {
          tick++;
          long now = System.nanoTime();
          long nowCpu = ProcessCpu.nanos();
          double secPerKimg = (now - tickStartNanos) / 1e9 / ((nimg - tickStartNimg) / 1000.0);
          double runRate = (now - runStartNanos) / 1e9 / Math.max(1e-9, (nimg - runStartNimg) / 1000.0);
          boolean snapshotDue = done || tick % o.snapshotTicks() == 0;
          GanQuality.Scores q = null;
          if (quality != null && (snapshotDue || (qualityTicks > 0 && tick % qualityTicks == 0))) {
            q = quality.measure(gEma, manager);
          }
          String snapshot = snapshotDue ? save(store) : null;
          try (NDScope scope = new NDScope()) {
            store.write(String.format(Locale.ROOT, "grids/fakes-%06d.png", tick),
                SampleGrid.png(gEma.forward(gridZ, 1f, NoiseMode.CONST), gridCols()));
          }
          double eta = runRate * (total - nimg) / 1000.0;
          if (maxSeconds > 0) {
            eta = Math.min(eta, Math.max(0, maxSeconds - (now - runStartNanos) / 1e9));
          }
          lastSecPerKimg = secPerKimg;
          Double cpu = ProcessCpu.seconds(tickStartCpu, nowCpu);
          Tick t = new Tick(tick, kimg(), secPerKimg, done ? 0 : eta, cpu == null ? Double.NaN : cpu,
              mean(window, Losses::gMain), mean(window, Losses::dMain), mean(window, Losses::r1),
              mean(window, Losses::pl), augmentP, mean(window, Losses::realSign),
              window.stream().mapToLong(Losses::nonFinite).sum(), ProcessMemory.rssMiB(), snapshot,
              q == null ? Double.NaN : q.fid(), q == null ? Double.NaN : q.kid(),
              q == null ? Double.NaN : q.diversity());
          appendMetrics(store, t);
          if (snapshot != null && q != null) {
            BestSnapshot.offer(store, snapshot, t, q.features());
          }
          onTick.accept(t);
          window.clear();
          tickStartNimg = nimg;
          tickStartNanos = now;
          tickStartCpu = nowCpu;
        }
      }
    }
    gridZ.close();
  }

  /** One minibatch: all phases, EMA, ADA. Public for tests that compare single steps. */
  public Losses step(GanImages data) {
    SplittableRandom rnd = new SplittableRandom(o.seed() * 0x9E3779B97F4A7C15L + step);
    JniUtils.setSeed(rnd.nextLong());
    int n = o.batch();
    float gMain;
    float dMain;
    Float r1 = null;
    Float pl = null;
    long nonFiniteBefore = optG.nonFinite() + optD.nonFinite();
    float realSign;
    try (NDScope scope = new NDScope()) {
      int[] idx = rnd.ints(n, 0, data.size()).toArray();
      NDArray real = data.batch(idx, manager);

      // Each phase in its own scope: its activations go when it ends, not at the end of the step, which
      // halves a step's peak RSS (bench/RESULTS.md; docs/ARCHITECTURE.md, "One NDScope per training phase").
      // Gmain: G learns to make D say "real" (D frozen).
      trainDiscriminator(false);
      g(true);
      optG.zeroGradients();
      float gc = plOn() ? lazy(o.plInterval()) : 1f;
      try (NDScope phase = new NDScope();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray logits = d.forward(augment(generate(n, rnd, true), rnd));
        NDArray loss = softplus(logits.neg()).mean();
        collector.backward(loss);
        gMain = loss.getFloat();
      }
      try (NDScope phase = new NDScope()) {
        optG.step(o.lrG() * gc, 0f, (float) Math.pow(0.99, gc), 1e-8f);
      }

      if (plOn() && step % o.plInterval() == 0) {
        try (NDScope phase = new NDScope()) {
          pl = pathLength(rnd, gc);
        }
      }

      // Dmain: D learns real from fake (G frozen).
      g(false);
      trainDiscriminator(true);
      optD.zeroGradients();
      float dc = lazy(o.r1Interval());
      try (NDScope phase = new NDScope();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray fakeLogits = d.forward(augment(generate(n, rnd, true), rnd));
        NDArray realLogits = d.forward(augment(real, rnd));
        NDArray loss = softplus(fakeLogits).mean().add(softplus(realLogits.neg()).mean());
        collector.backward(loss);
        dMain = loss.getFloat();
        realSign = realLogits.sign().mean().getFloat();
      }
      try (NDScope phase = new NDScope()) {
        optD.step(o.lrD() * dc, 0f, (float) Math.pow(0.99, dc), 1e-8f);
      }
      adaSum += realSign;
      adaCount++;

      // Dreg: lazy R1 = γ/2 · E‖∇ₓD(x)‖² on reals, scaled by the interval.
      if (step % o.r1Interval() == 0) {
        try (NDScope phase = new NDScope()) {
          r1 = r1Step(real, rnd);
        }
      }
      trainDiscriminator(false);
      updateEma();
    }
    nimg += n;
    step++;
    if (o.ada() && step % o.adaInterval() == 0) {
      double rt = adaSum / adaCount;
      double adjust = Math.signum(rt - o.adaTarget()) * n * o.adaInterval() / (o.adaKimg() * 1000);
      augmentP = (float) Math.max(0, augmentP + adjust);
      adaSum = 0;
      adaCount = 0;
    }
    return new Losses(step - 1, gMain, dMain, r1, pl, realSign,
        optG.nonFinite() + optD.nonFinite() - nonFiniteBefore);
  }

  /**
   * The Dreg phase: one Adam step of D on γ/2 · interval · mean R1 penalty (D must be trainable).
   * Returns the mean penalty. Package-private for the memory test, which runs it hundreds of times.
   */
  float r1Step(NDArray real, SplittableRandom rnd) {
    float dc = lazy(o.r1Interval());
    optD.zeroGradients();
    float r1;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray penalty = r1Penalty(real, rnd);
      collector.backward(OwnedArrays.mul(penalty.mean(), o.r1Gamma() / 2 * o.r1Interval()));
      r1 = penalty.mean().getFloat();
    }
    optD.step(o.lrD() * dc, 0f, (float) Math.pow(0.99, dc), 1e-8f);
    return r1;
  }

  Discriminator discriminator() {
    return d;
  }

  /**
   * Per-image R1 penalty ‖∇ₓ D(augment(x))‖² for reals x; differentiable in D's weights (double
   * backward through {@link InputGradient}). Package-private for the finite-difference test.
   */
  NDArray r1Penalty(NDArray real, SplittableRandom rnd) {
    NDArray x = real.duplicate();
    x.setRequiresGradient(true);
    NDArray logits = d.forward(augment(x, rnd));
    NDArray grad = inputGradient.of(logits, x);
    return grad.square().reshape(grad.getShape().get(0), -1).sum(new int[] {1});
  }

  /** What D sees of images: ADA's pipeline at the current p. */
  private NDArray augment(NDArray images, SplittableRandom rnd) {
    return AdaptiveAugment.apply(images, augmentP, o.augmentPipe(), rnd);
  }

  /** NVlabs' path-length regulariser on half a minibatch; returns the mean penalty. */
  private float pathLength(SplittableRandom rnd, float gain) {
    int n = Math.max(1, o.batch() / 2);
    optG.zeroGradients();
    float out;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray ws = mixedWs(n, rnd, false);
      NDArray img = g.synthesis().forward(ws, NoiseMode.RANDOM);
      NDArray noise = OwnedArrays.div(manager.randomNormal(img.getShape()), arch.resolution());
      PathLengthPenalty pl = plPenalty(pathLengths(img, noise, ws), plMean);
      plMean = pl.meanAfter().getFloat();
      collector.backward(OwnedArrays.mul(pl.penalty().mean(), o.plWeight() * o.plInterval()));
      out = pl.penalty().mean().getFloat();
    }
    optG.step(o.lrG() * gain, 0f, (float) Math.pow(0.99, gain), 1e-8f);
    return out;
  }

  /**
   * Per-image path lengths √(mean over ws of ‖∂ Σ(img · noise) / ∂w‖²) for images rendered from ws, with the
   * graph kept (NVlabs' pl_lengths; noise is randn / √(H·W)). Package-private for the fixture test.
   */
  NDArray pathLengths(NDArray img, NDArray noise, NDArray ws) {
    NDArray grads = inputGradient.of(img.mul(noise), ws);
    return grads.square().sum(new int[] {2}).mean(new int[] {1}).sqrt();
  }

  /** Per-image penalties (lengths − pl_mean)² and the running mean they were taken against. */
  record PathLengthPenalty(NDArray penalty, NDArray meanAfter) {}

  /**
   * NVlabs' penalty against pl_mean.lerp(mean(lengths), 0.01), the mean inside the graph as there: the
   * penalty's gradient also flows through the 1% of this batch's mean that moves the running mean.
   */
  static PathLengthPenalty plPenalty(NDArray lengths, float meanBefore) {
    NDArray mean = OwnedArrays.mul(lengths.mean().sub(meanBefore), 0.01).add(meanBefore);
    return new PathLengthPenalty(lengths.sub(mean).square(), mean);
  }

  Generator generator() {
    return g;
  }

  private boolean plOn() {
    return o.plWeight() > 0;
  }

  /** Lazy-regularisation correction c = interval / (interval + 1). */
  private static float lazy(int interval) {
    return interval / (interval + 1f);
  }

  private NDArray generate(int n, SplittableRandom rnd, boolean trackWAvg) {
    return g.synthesis().forward(mixedWs(n, rnd, trackWAvg), NoiseMode.RANDOM);
  }

  /** ws for n fresh latents; with probability styleMixing the layers from a random cutoff take a second latent. */
  private NDArray mixedWs(int n, SplittableRandom rnd, boolean trackWAvg) {
    NDArray ws = g.mapping().forward(manager.randomNormal(new Shape(n, arch.zDim())));
    if (trackWAvg) {
      g.mapping().trackWAvg(ws);
    }
    int numWs = arch.numWs();
    int cutoff = rnd.nextInt(1, numWs);
    if (rnd.nextDouble() >= o.styleMixing()) {
      cutoff = numWs;
    }
    if (cutoff < numWs) {
      NDArray ws2 = g.mapping().forward(manager.randomNormal(new Shape(n, arch.zDim())));
      ws = ws.get(":, :{}, :", cutoff).concat(ws2.get(":, {}:, :", cutoff), 1);
    }
    return ws;
  }

  /** softplus(x) = max(x, 0) + log(1 + e^−|x|), stable for large |x|. */
  static NDArray softplus(NDArray x) {
    return OwnedArrays.maximum(x, 0).add(x.abs().neg().exp().add(1f).log());
  }

  private void g(boolean train) {
    optG.requireGradients(train);
  }

  /** Makes D trainable (or frozen), as the D phases do; package-private for the R1 tests. */
  void trainDiscriminator(boolean train) {
    optD.requireGradients(train);
  }

  /** G_ema ← G + (G_ema − G)·β with β = 0.5^(batch / ema_nimg); buffers (w_avg, noise_const) copied. */
  private void updateEma() {
    double emaNimg = o.emaKimg() * 1000;
    if (o.emaRampup() > 0) {
      emaNimg = Math.min(emaNimg, nimg * o.emaRampup());
    }
    float beta = (float) Math.pow(0.5, o.batch() / Math.max(emaNimg, 1e-8));
    copyInto(gParams, gEmaParams, beta);
  }

  /** to ← from + (to − from)·beta for trainable parameters; buffers are copied. */
  private static void copyInto(Map<String, Parameter> from, Map<String, Parameter> to, float beta) {
    io.dermsynth.core.Scopes.noGrad(() -> blend(from, to, beta));
  }

  private static void blend(Map<String, Parameter> from, Map<String, Parameter> to, float beta) {
    for (var e : from.entrySet()) {
      NDArray src = e.getValue().getArray();
      NDArray dst = to.get(e.getKey()).getArray();
      if (!e.getValue().requiresGradient() || beta == 0f) {
        OwnedArrays.assign(dst, src.toFloatArray());
      } else {
        try (NDArray part = src.mul(1 - beta)) {
          dst.muli(beta).addi(part);
        }
      }
    }
  }

  private NDArray gridLatents() {
    float[] z = arch.randomZ(new java.util.Random(o.seed()), o.gridImages());
    return OwnedArrays.of(manager, z, new Shape(o.gridImages(), arch.zDim()));
  }

  private int gridCols() {
    return (int) Math.ceil(Math.sqrt(o.gridImages()));
  }

  /** Mean over the steps where the phase ran (non-null); a NaN loss stays visible as NaN. */
  private static float mean(List<Losses> window, java.util.function.Function<Losses, Float> f) {
    return (float) window.stream().map(f).filter(java.util.Objects::nonNull).mapToDouble(Float::doubleValue)
        .average().orElse(Double.NaN);
  }

  /**
   * A run killed after a tick but before that tick's snapshot left metrics rows the resumed run will
   * write again; they go, so metrics.jsonl has each tick once.
   */
  private void dropMetricsAfterSnapshot(CheckpointStore store) throws IOException {
    String old = store.read("metrics.jsonl").map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
    StringBuilder kept = new StringBuilder();
    old.lines().filter(l -> !l.isBlank()
        && com.google.gson.JsonParser.parseString(l).getAsJsonObject().get("tick").getAsInt() <= tick)
        .forEach(l -> kept.append(l).append('\n'));
    if (!kept.toString().equals(old)) {
      store.write("metrics.jsonl", kept.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The snapshot the last {@link #train} call resumed from, or null when it started afresh. */
  public String resumedFrom() {
    return resumedFrom;
  }

  private void appendMetrics(CheckpointStore store, Tick t) throws IOException {
    store.appendLine("metrics.jsonl", LINE.toJson(t));
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** Writes snapshot-&lt;step&gt;/ (G, D, G_ema, optimiser states, manifest.json); keeps the newest N. */
  public String save(CheckpointStore store) throws IOException {
    ModelFolder folder = new ModelFolder(store, FORMAT);
    ModelFolder.Commit snapshot = folder.snapshot(step);
    try (NDScope scope = new NDScope()) {
      snapshot.write("G.safetensors", GanWeights.encode(gParams))
          .write("G_ema.safetensors", GanWeights.encode(gEmaParams))
          .write("D.safetensors", GanWeights.encode(d.namedParameters()));
    }
    snapshot.write("G_opt.safetensors", optG.encodeState()).write("D_opt.safetensors", optD.encodeState())
        .commit(new Manifest(o.preset(), arch, o, step, nimg, kimg(), tick, augmentP, adaSum, adaCount, plMean,
            io.dermsynth.core.CodeVersion.get()));
    folder.keepNewest(o.keepSnapshots(), BestSnapshot.read(store).map(BestSnapshot::snapshot).orElse(null));
    return ModelFolder.snapshotName(step);
  }

  /** Loads the newest complete snapshot in {@code store}; returns its name, or null when there is none. */
  public String resume(CheckpointStore store) throws IOException {
    ModelFolder folder = new ModelFolder(store, FORMAT);
    String dir = folder.newestSnapshot().orElse(null);
    if (dir == null) {
      return null;
    }
    Manifest m = folder.manifest(dir, Manifest.class);
    if (!arch.equals(m.architecture())) {
      throw new IllegalStateException(dir + " is a " + m.architecture() + " network; this run's is " + arch);
    }
    GanWeights.load(gParams, folder.read(dir, "G.safetensors"));
    GanWeights.load(gEmaParams, folder.read(dir, "G_ema.safetensors"));
    GanWeights.load(d.namedParameters(), folder.read(dir, "D.safetensors"));
    optG.decodeState(folder.read(dir, "G_opt.safetensors"));
    optD.decodeState(folder.read(dir, "D_opt.safetensors"));
    step = m.step();
    nimg = m.nimg();
    tick = m.tick();
    augmentP = m.augmentP();
    adaSum = m.adaSum();
    adaCount = m.adaCount();
    plMean = m.plMean();
    return dir;
  }

  @Override
  public void close() {
    inputGradient.close();
    manager.close();
  }
}
