package io.dermsynth.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestGanTrainer {

  static GanImages noiseImages(int n, int res, long seed) {
    Random r = new Random(seed);
    List<byte[]> px = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[3 * res * res];
      r.nextBytes(b);
      px.add(b);
    }
    return new GanImages(res, px);
  }

  /**
   * Every phase exercised early: R1 every 2nd step, path length every 2nd, p moving. Run on the 16 px
   * fixture architecture ({@link #tinyTrainer}) to keep the test quick.
   */
  static GanOptions busyOptions() {
    return tiny32(5).toBuilder().batch(4).kimg(1).r1Gamma(0.05f).r1Interval(2).plWeight(2f).plInterval(2)
        .adaInterval(1).adaKimg(0.5f).augmentP(0.3f).snapshotTicks(1).keepSnapshots(2).gridImages(4).build();
  }

  /** conf/presets/gan/tiny32.conf's values (NVlabs auto's rules at batch 16). */
  static GanOptions tiny32(long seed) {
    return GanOptions.builder("tiny32", GanArchitecture.of(32, 4096, 64, 4)).batch(16).kimg(10)
        .learningRate(0.0025f).r1Gamma(0.0002f * 32 * 32 / 16).emaKimg(16 * 10f / 32).emaRampup(0.05f).plWeight(0f)
        .adaKimg(100f).tickKimg(0.5).snapshotTicks(4).gridImages(36).seed(seed).build();
  }

  static GanTrainer tinyTrainer(GanOptions o) {
    return new GanTrainer(o, TestStyleGan2Equivalence.TINY, Device.cpu());
  }

  @Test
  void resumedRunTakesTheSameNextStepAsTheUninterruptedOne(@TempDir Path dir) throws IOException {
    GanImages data = noiseImages(12, 16, 1);
    CheckpointStore store = CheckpointStore.directory(dir);
    GanTrainer.Losses uninterrupted;
    float pAfter;
    try (GanTrainer a = tinyTrainer(busyOptions())) {
      for (int i = 0; i < 3; i++) {
        a.step(data);
      }
      a.save(store);
      uninterrupted = a.step(data);
      pAfter = a.augmentP();
    }
    assertTrue(Files.exists(dir.resolve("snapshot-000000003/manifest.json")));
    try (GanTrainer b = tinyTrainer(busyOptions())) {
      assertEquals("snapshot-000000003", b.resume(store));
      GanTrainer.Losses resumed = b.step(data);
      assertEquals(uninterrupted, resumed);
      assertEquals(pAfter, b.augmentP());
    }
    // Step 3 ran neither R1 nor path length (every 2nd step); the next test resumes across one that does.
    assertTrue(uninterrupted.r1() == null && uninterrupted.pl() == null, uninterrupted.toString());
  }

  /**
   * DJL wraps Java memory for arrays made from Java values (and for the scalar in x.mul(2f)), freed when the
   * garbage collector finds the Java side unreachable; autograd may still point there (OwnedArrays). Here
   * another thread collects garbage all the time: the steps must still be the quiet run's, bit for bit.
   */
  @Test
  void garbageCollectionDuringTheStepsChangesNothing() throws Exception {
    GanImages data = noiseImages(12, 16, 1);
    List<GanTrainer.Losses> quiet = new ArrayList<>();
    float[] quietWeights;
    try (GanTrainer a = tinyTrainer(busyOptions())) {
      for (int i = 0; i < 6; i++) {
        quiet.add(a.step(data));
      }
      quietWeights = weights(a.generatorEma());
    }
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread collector = new Thread(() -> {
      while (!stop.get()) {
        System.gc();
        for (int i = 0; i < 64; i++) {
          java.nio.ByteBuffer.allocateDirect(16).putFloat(0, Float.NaN).putFloat(4, Float.NaN);
        }
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    collector.setDaemon(true);
    collector.start();
    List<GanTrainer.Losses> busy = new ArrayList<>();
    float[] busyWeights;
    try (GanTrainer b = tinyTrainer(busyOptions())) {
      for (int i = 0; i < 6; i++) {
        busy.add(b.step(data));
      }
      busyWeights = weights(b.generatorEma());
    } finally {
      stop.set(true);
      collector.join();
    }
    assertEquals(quiet, busy);
    assertArrayEquals(quietWeights, busyWeights);
    assertTrue(quiet.stream().allMatch(l -> l.nonFinite() == 0), quiet.toString());
  }

  private static float[] weights(Generator g) {
    List<float[]> parts = new ArrayList<>();
    g.getParameters().forEach(p -> parts.add(p.getValue().getArray().toFloatArray()));
    float[] all = new float[parts.stream().mapToInt(a -> a.length).sum()];
    int at = 0;
    for (float[] a : parts) {
      System.arraycopy(a, 0, all, at, a.length);
      at += a.length;
    }
    return all;
  }

  @Test
  void resumeMatchesAcrossARegularisationStep(@TempDir Path dir) throws IOException {
    GanImages data = noiseImages(12, 16, 2);
    CheckpointStore store = CheckpointStore.directory(dir);
    GanTrainer.Losses uninterrupted;
    try (GanTrainer a = tinyTrainer(busyOptions())) {
      for (int i = 0; i < 2; i++) {
        a.step(data);
      }
      a.save(store);
      uninterrupted = a.step(data);
    }
    assertTrue(uninterrupted.r1() != null && uninterrupted.pl() != null, uninterrupted.toString());
    try (GanTrainer b = tinyTrainer(busyOptions())) {
      b.resume(store);
      assertEquals(uninterrupted, b.step(data));
    }
  }

  /** A trainer on the 16 px fixture architecture whose D has the PyTorch fixture's weights. */
  private static GanTrainer fixtureTrainer(Map<String, NDArray> fixture) {
    GanOptions o = busyOptions();
    GanOptions still = o.toBuilder().batch(2).r1Gamma(1f).r1Interval(16).plWeight(0f).plInterval(4).emaKimg(1f)
        .emaRampup(0f).ada(false).adaInterval(4).adaKimg(100f).augmentP(0f).tickKimg(1).keepSnapshots(1).seed(3)
        .build();
    GanTrainer t = tinyTrainer(still);
    GanWeights.load(t.discriminator().namedParameters(), TestStyleGan2Equivalence.prefixed(fixture, "D."));
    return t;
  }

  /**
   * NVlabs' path-length regulariser against PyTorch in float64 (tools/fixtures/make_pathlength_fixture.py) on
   * the fixture generator with const noise and fixed ws and image noise: the per-image lengths, the running
   * mean moved 1% inside the graph, the penalties, and the gradient of their mean in every synthesis weight
   * (the double backward through {@link InputGradient}).
   */
  @Test
  void pathLengthPenaltyEqualsPyTorch() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> f = TestStyleGan2Equivalence.fixture(m);
      Map<String, NDArray> pl = TestStyleGan2Equivalence.tensors(m, "/fixtures/stylegan2_tiny_pl.safetensors");
      try (GanTrainer t = fixtureTrainer(f)) {
        Map<String, Parameter> params = t.generator().namedParameters();
        GanWeights.load(params, TestStyleGan2Equivalence.prefixed(f, "G."));
        for (Parameter p : params.values()) {
          p.getArray().setRequiresGradient(true);
          try (NDArray g = p.getArray().getGradient()) {
            g.subi(g);
          }
        }
        float[] mean = pl.get("pl_mean").toFloatArray();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray ws = pl.get("ws").duplicate();
          ws.setRequiresGradient(true);
          NDArray img = t.generator().synthesis().forward(ws, NoiseMode.CONST);
          NDArray lengths = t.pathLengths(img, pl.get("noise"), ws);
          assertArrayEquals(pl.get("pl_lengths").toFloatArray(), lengths.toFloatArray(), 1e-5f, "pl_lengths");
          GanTrainer.PathLengthPenalty step = GanTrainer.plPenalty(lengths, mean[0]);
          assertEquals(mean[1], step.meanAfter().getFloat(), 1e-6f, "pl_mean after the step");
          assertArrayEquals(pl.get("pl_penalty").toFloatArray(), step.penalty().toFloatArray(), 1e-5f, "pl_penalty");
          gc.backward(step.penalty().mean());
        }
        int compared = 0;
        for (var e : params.entrySet()) {
          NDArray want = pl.get("pl_grad." + e.getKey());
          if (want == null) {
            continue;  // the mapping: ws are given here
          }
          float[] w = want.toFloatArray();
          float[] got = e.getValue().getArray().getGradient().toFloatArray();
          float scale = want.abs().max().getFloat();
          for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], got[i], 1e-4f * scale + 1e-7f, "∂ penalty / ∂ " + e.getKey() + "[" + i + "]");
          }
          compared++;
        }
        assertEquals(params.keySet().stream().filter(k -> k.startsWith("synthesis.")).count(), compared,
            "every synthesis tensor's gradient compared");
        assertTrue(compared >= 40, compared + " tensors compared");
      }
    }
  }

  /**
   * R1 = ‖∇ₓ Σ D(x)‖² per image (the sum couples images through minibatch std, as NVlabs' R1 does),
   * against central finite differences of D over every pixel.
   */
  @Test
  void r1PenaltyMatchesFiniteDifferences() throws IOException {
    try (NDManager m = NDManager.newBaseManager(); GanTrainer t = fixtureTrainer(TestStyleGan2Equivalence.fixture(m))) {
      Discriminator d = t.discriminator();
      NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 3, 16, 16));
      float[] penalty;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        penalty = t.r1Penalty(x, new SplittableRandom(1)).toFloatArray();
      }
      float[] base = x.toFloatArray();
      double h = 1e-2;
      double[] fd = new double[2];
      for (int j = 0; j < base.length; j++) {
        float[] plus = base.clone();
        float[] minus = base.clone();
        plus[j] += (float) h;
        minus[j] -= (float) h;
        double g = (sumLogits(d, m, plus) - sumLogits(d, m, minus)) / (2 * h);
        fd[j / (base.length / 2)] += g * g;
      }
      for (int i = 0; i < 2; i++) {
        assertEquals(fd[i], penalty[i], 0.02 * fd[i], "R1 of image " + i);
      }
    }
  }

  /**
   * The weight gradient of R1 (the double backward through {@link InputGradient}) against PyTorch's
   * autograd in float64 on the same D and input (tools/fixtures/make_stylegan2_fixture.py). Finite
   * differences cannot check this one: R1 of a leaky-ReLU network jumps wherever a weight change flips
   * a unit's sign, so a difference quotient in the weights is dominated by the jumps.
   */
  @Test
  void r1WeightGradientEqualsPyTorchDoubleBackward() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> f = TestStyleGan2Equivalence.fixture(m);
      try (GanTrainer t = fixtureTrainer(f)) {
        t.trainDiscriminator(true);
        Map<String, Parameter> params = t.discriminator().namedParameters();
        for (Parameter p : params.values()) {
          try (NDArray g = p.getArray().getGradient()) {
            g.subi(g);
          }
        }
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray penalty = t.r1Penalty(f.get("img").div(2f), new SplittableRandom(1));
          assertArrayEquals(f.get("r1").toFloatArray(), penalty.toFloatArray(), 1e-4f * f.get("r1").max().getFloat());
          gc.backward(penalty.sum());
        }
        for (var e : params.entrySet()) {
          float[] want = f.get("r1_grad." + e.getKey()).toFloatArray();
          float[] got = e.getValue().getArray().getGradient().toFloatArray();
          double diff = 0;
          double norm = 1e-12;
          for (int i = 0; i < want.length; i++) {
            diff += (want[i] - got[i]) * (want[i] - got[i]);
            norm += want[i] * want[i];
          }
          assertTrue(Math.sqrt(diff / norm) < 1e-3 || Math.sqrt(diff) < 1e-6,
              e.getKey() + ": relative L2 error " + Math.sqrt(diff / norm));
        }
      }
    }
  }

  private static double sumLogits(Discriminator d, NDManager m, float[] x) {
    try (NDScope scope = new NDScope()) {
      return d.forward(m.create(x, new Shape(2, 3, 16, 16))).sum().getFloat();
    }
  }

  /**
   * The TorchScript route to the input gradient must not keep graphs alive: RSS flat (within 5%) over 80
   * R1 steps after 20 of warm-up; a graph kept per step grows it by D's activations every step. (It ran
   * 200 steps, 139 s of the suite on the AMD machine; runs of thousands of steps are the bench's.)
   */
  @Test
  void rssStaysFlatOver80R1Steps() {
    GanImages data = noiseImages(8, 32, 3);
    try (GanTrainer t = new GanTrainer(tiny32(1), Device.cpu());
        NDManager m = NDManager.newBaseManager()) {
      t.trainDiscriminator(true);
      SplittableRandom rnd = new SplittableRandom(1);
      long before = 0;
      for (int i = 0; i < 100; i++) {
        if (i == 20) {
          System.gc();
          before = ProcessMemory.rssMiB();
        }
        try (NDScope scope = new NDScope()) {
          t.r1Step(data.batch(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, m), rnd);
        }
      }
      System.gc();
      long after = ProcessMemory.rssMiB();
      assertTrue(after <= before * 1.05, "RSS " + before + " MiB after 20 R1 steps, " + after + " MiB after 100");
    }
  }
}
