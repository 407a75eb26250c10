package io.dermsynth.core.invert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.Generator;
import io.dermsynth.core.gan.NoiseMode;
import io.dermsynth.core.gan.SynthesisLayer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestInverter {

  /** 32 px, 16 channels, w 64: the smallest generator e4e's pyramid fits. */
  static final GanArchitecture TINY = new GanArchitecture(32, 512, 16, 64, 64, 2, 3, 4);

  static ClassifierModel lpipsNet(int size) {
    return ClassifierModel.create(new ClassifierModel.Manifest("small",
        List.of("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"), size, 0, Double.NaN, "test"), Device.cpu());
  }

  /** Images the generator itself makes (so a perfect inversion exists), as 8-bit pixels. */
  static GanImages generated(Generator g, int n, long seed) {
    int r = g.architecture().resolution();
    List<byte[]> px = new ArrayList<>();
    try (NDScope scope = new NDScope()) {
      NDManager m = g.namedParameters().values().iterator().next().getArray().getManager();
      ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
      NDArray img = g.forward(m.randomNormal(new Shape(n, g.architecture().zDim())), 1f, NoiseMode.CONST);
      float[] v = img.clip(-1f, 1f).add(1f).mul(127.5f).round().toFloatArray();
      int len = 3 * r * r;
      for (int i = 0; i < n; i++) {
        byte[] b = new byte[len];
        for (int j = 0; j < len; j++) {
          b[j] = (byte) (int) v[i * len + j];
        }
        px.add(b);
      }
    }
    return new GanImages(r, px);
  }

  static InverterOptions quick(int encoderSteps, int hyperSteps) {
    return InverterOptions.builder(encoderSteps, hyperSteps).batch(4).lr(0.002f).progressiveStart(4)
        .progressiveStep(2).refinementIterations(2).hyperZ(16).optSteps(5).optLr(0.02f)
        .tickSteps(Math.max(1, (encoderSteps + hyperSteps) / 2)).snapshotTicks(1).keepSnapshots(2).seed(3)
        .build(TINY.numWs());
  }

  @Test
  void encoderAndHypernetworkShapesAtThirtyTwoAndSixtyFour() {
    for (GanArchitecture arch : List.of(TINY, GanArchitecture.of(64, 8192, 128))) {
      try (NDManager m = NDManager.newBaseManager(Device.cpu()); NDScope scope = new NDScope()) {
        int r = arch.resolution();
        Encoder4Editing e = Encoder4Editing.create(arch, m);
        NDArray img = m.randomUniform(-1f, 1f, new Shape(2, 3, r, r));
        NDArray codes = e.forward(img, 3);
        assertEquals(new Shape(2, arch.numWs(), arch.wDim()), codes.getShape());
        // Offsets past `active` are exactly zero (progressive training).
        assertEquals(0f, codes.get(":, 4:, :").abs().sum().getFloat());
        assertTrue(codes.get(":, 1:4, :").abs().sum().getFloat() > 0);
        NDArray wAvg = m.zeros(new Shape(arch.wDim()));
        assertEquals(new Shape(2, arch.numWs(), arch.wDim()), Encoder4Editing.wPlus(codes, wAvg).getShape());
        assertThrows(IllegalArgumentException.class, () -> e.forward(m.zeros(new Shape(2, 3, r / 2, r / 2)), 0));

        Generator g = Generator.create(arch, m);
        Map<String, SynthesisLayer> layers = g.synthesis().convLayers();
        assertEquals(2 * arch.blockResolutions().size() - 1, layers.size());
        HyperStyleNet h = HyperStyleNet.create(arch, layers, 8, m);
        Map<String, NDArray> deltas = h.forward(img, img);
        assertEquals(layers.keySet(), deltas.keySet());
        layers.forEach((name, l) -> assertEquals(new Shape(2, l.outChannels(), l.inChannels(), 1, 1),
            deltas.get(name).getShape(), name));
        assertThrows(IllegalArgumentException.class, () -> h.forward(img, img.get(":, 0:2, :, :")));
      }
    }
  }

  @Test
  void weightOffsetsScaleTheConvolutionWeights() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu()); NDScope scope = new NDScope()) {
      Generator g = Generator.create(TINY, m);
      NDArray ws = g.mapping().forward(m.randomNormal(new Shape(1, TINY.zDim())));
      SynthesisLayer layer = g.synthesis().convLayers().get("b16.conv0");
      NDArray delta = m.randomNormal(0f, 0.3f, new Shape(1, layer.outChannels(), layer.inChannels(), 1, 1),
          ai.djl.ndarray.types.DataType.FLOAT32);
      NDArray withOffsets = g.synthesis().forward(ws, NoiseMode.CONST, Map.of("b16.conv0", delta));
      // The same image from a generator whose b16.conv0 weight is W ⊙ (1 + Δ).
      NDArray weight = g.namedParameters().get("synthesis.b16.conv0.weight").getArray();
      NDArray original = weight.duplicate();
      weight.set(original.mul(delta.get(0).add(1f)).toFloatArray());
      NDArray edited = g.synthesis().forward(ws, NoiseMode.CONST);
      assertTrue(withOffsets.sub(edited).abs().max().getFloat() < 1e-4f);
      weight.set(original.toFloatArray());
      NDArray plain = g.synthesis().forward(ws, NoiseMode.CONST);
      assertTrue(withOffsets.sub(plain).abs().max().getFloat() > 1e-2f, "the offsets change the image");
      assertThrows(IllegalArgumentException.class,
          () -> g.synthesis().forward(ws, NoiseMode.CONST, Map.of("b16.torgb", delta)));
    }
  }

  @Test
  void trainingLowersTheLossOfBothPhasesAndTheFolderReloads(@TempDir Path dir) throws Exception {
    NDManager gm = NDManager.newBaseManager(Device.cpu());
    Generator g = Generator.create(TINY, gm);
    GanImages data = generated(g, 16, 11);
    InverterOptions o = quick(30, 40);
    CheckpointStore store = CheckpointStore.directory(dir);
    List<InverterTrainer.Losses> enc = new ArrayList<>();
    List<InverterTrainer.Losses> hyp = new ArrayList<>();
    int[] all = java.util.stream.IntStream.range(0, data.size()).toArray();
    double before;
    double afterEncoder;
    double afterHyper;
    double encoderL2;
    double hyperL2;
    float[] codes;
    String version;
    try (InverterTrainer t = new InverterTrainer(o, g, gm, "test generator", lpipsNet(32), "test")) {
      Inverter model = t.model();
      // An untrained hypernetwork changes nothing (its last layer starts at zero).
      try (NDScope scope = new NDScope()) {
        NDArray real = data.batch(new int[] {0, 1}, gm);
        NDArray w = model.encode(real);
        NDArray a = model.synthesize(w, Map.of());
        Inverter.Refinement refined = model.refine(real, w);
        NDArray b = refined.reconstruction();
        assertEquals(0f, model.synthesize(w, refined.deltas()).sub(b).abs().max().getFloat(), 0f,
            "the reconstruction is the generator's image with the summed offsets");
        assertEquals(0f, a.sub(b).abs().max().getFloat(), 1e-6f);
      }
      before = objective(model, data.batch(all, gm), Inverter.Method.ENCODER);
      for (int s = 0; s < o.encoderSteps(); s++) {
        enc.add(t.step(data));
      }
      afterEncoder = objective(model, data.batch(all, gm), Inverter.Method.ENCODER);
      for (int s = 0; s < o.hyperSteps(); s++) {
        hyp.add(t.step(data));
      }
      afterHyper = objective(model, data.batch(all, gm), Inverter.Method.HYPERSTYLE);
      t.save(store);
      version = model.version();
      try (NDScope scope = new NDScope()) {
        NDArray real = data.batch(all, gm);
        encoderL2 = mean(model.invert(real, Inverter.Method.ENCODER).l2());
        hyperL2 = mean(model.invert(real, Inverter.Method.HYPERSTYLE).l2());
        codes = model.encode(real).toFloatArray();
      }
    }
    assertTrue(enc.stream().allMatch(l -> l.phase().equals("encoder")));
    assertTrue(hyp.stream().allMatch(l -> l.phase().equals("hyperstyle")));
    assertEquals(TINY.numWs() - 1, enc.get(enc.size() - 1).activeDeltas(), "every offset on by the end");
    assertEquals(0, enc.get(0).activeDeltas());
    // On the same 16 images: e4e training lowers the objective, HyperStyle lowers it further.
    assertTrue(afterEncoder < 0.8 * before, "encoder objective " + before + " → " + afterEncoder);
    assertTrue(afterHyper < 0.95 * afterEncoder, "HyperStyle objective " + afterEncoder + " → " + afterHyper);
    assertTrue(hyperL2 < encoderL2, "HyperStyle L2 " + hyperL2 + " vs encoder " + encoderL2);

    // The folder is self-contained: generator, LPIPS network and the newest snapshot reload.
    try (Inverter loaded = Inverter.load(store, Device.cpu()); NDScope scope = new NDScope()) {
      NDArray real = data.batch(all, loaded.manager());
      float[] again = loaded.encode(real).toFloatArray();
      for (int i = 0; i < codes.length; i++) {
        assertEquals(codes[i], again[i], 1e-5f);
      }
      // Named by content (weights and generator), not by run: the same weights get the same version.
      assertTrue(version.matches("i-[0-9a-f]{16}"), version);
      assertEquals(version, loaded.version());
      assertEquals(g.synthesis().convLayers().keySet().stream().toList(), loaded.tunedLayers());
      // Optimisation from the encoder's W+ lowers the objective.
      Inverter.Inversion e = loaded.invert(real, Inverter.Method.ENCODER);
      Inverter.Inversion opt = loaded.invert(real, Inverter.Method.OPTIMISED);
      assertTrue(mean(opt.l2()) < mean(e.l2()), "optimised L2 " + mean(opt.l2()) + " vs " + mean(e.l2()));
      assertTrue(opt.deltas().isEmpty());
    }
  }

  private static double mean(double[] v) {
    return java.util.Arrays.stream(v).average().orElseThrow();
  }

  private static double objective(Inverter model, NDArray real, Inverter.Method method) {
    try (NDScope scope = new NDScope()) {
      Inverter.Inversion inv = model.invert(real, method);
      return 4 * mean(inv.l2()) + 0.8 * mean(inv.lpips());
    }
  }
}
