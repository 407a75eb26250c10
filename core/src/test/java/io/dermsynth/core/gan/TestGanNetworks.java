package io.dermsynth.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TestGanNetworks {

  private static <T extends GanBlock> T init(T block, NDManager m) {
    block.initialize(m, DataType.FLOAT32, new Shape(1));
    return block;
  }

  /** Every layer at the preset resolutions (few channels: the shapes, not the widths, are under test). */
  @ParameterizedTest
  @ValueSource(ints = {32, 64, 256})
  void layerShapes(int r) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.randomNormal(new Shape(2, 512));
      SynthesisLayer up = init(new SynthesisLayer(8, 6, 512, r, true), m);
      assertEquals(new Shape(2, 6, r, r), up.forward(m.randomNormal(new Shape(2, 8, r / 2, r / 2)), w,
          NoiseMode.RANDOM).getShape());
      SynthesisLayer same = init(new SynthesisLayer(6, 6, 512, r, false), m);
      assertEquals(new Shape(2, 6, r, r), same.forward(m.randomNormal(new Shape(2, 6, r, r)), w,
          NoiseMode.CONST).getShape());
      assertThrows(IllegalArgumentException.class, () -> up.forward(m.randomNormal(new Shape(2, 8, r, r)),
          w, NoiseMode.NONE));
      ToRGBLayer torgb = init(new ToRGBLayer(6, 3, 512), m);
      assertEquals(new Shape(2, 3, r, r), torgb.forward(m.randomNormal(new Shape(2, 6, r, r)), w).getShape());
      SynthesisBlock block = init(new SynthesisBlock(8, 4, 512, r, 3), m);
      NDList o = block.forward(m.randomNormal(new Shape(2, 8, r / 2, r / 2)),
          m.randomNormal(new Shape(2, 3, r / 2, r / 2)), m.randomNormal(new Shape(2, 3, 512)), NoiseMode.RANDOM,
          java.util.Map.of());
      assertEquals(new Shape(2, 4, r, r), o.get(0).getShape());
      assertEquals(new Shape(2, 3, r, r), o.get(1).getShape());
      assertThrows(IllegalArgumentException.class, () -> block.forward(m.randomNormal(new Shape(2, 8, r / 2, r / 2)),
          null, m.randomNormal(new Shape(2, 2, 512)), NoiseMode.NONE, java.util.Map.of()));

      NDArray x = m.randomNormal(new Shape(4, 5, r, r));
      assertEquals(new Shape(4, 7, r / 2, r / 2), init(new Conv2dLayer(5, 7, 3, true, true, true), m).forward(x, 1f).getShape());
      assertEquals(new Shape(4, 7, r / 2, r / 2), init(new Conv2dLayer(5, 7, 1, false, false, true), m).forward(x, 1f).getShape());
      assertEquals(new Shape(4, 7, r, r), init(new Conv2dLayer(5, 7, 3, true, true, false), m).forward(x, 1f).getShape());
      DiscriminatorBlock first = init(new DiscriminatorBlock(0, 5, 9, r, 3), m);
      assertEquals(new Shape(4, 9, r / 2, r / 2), first.forward(m.randomNormal(new Shape(4, 3, r, r))).getShape());
      DiscriminatorBlock later = init(new DiscriminatorBlock(5, 5, 9, r, 3), m);
      assertEquals(new Shape(4, 9, r / 2, r / 2), later.forward(x).getShape());
    }
  }

  @Test
  void b4AndEpilogueShapes() {
    try (NDManager m = NDManager.newBaseManager()) {
      SynthesisBlock b4 = init(new SynthesisBlock(0, 8, 512, 4, 3), m);
      NDList o4 = b4.forward(null, null, m.randomNormal(new Shape(2, 2, 512)), NoiseMode.RANDOM,
          java.util.Map.of());
      assertEquals(new Shape(2, 8, 4, 4), o4.get(0).getShape());
      assertEquals(new Shape(2, 3, 4, 4), o4.get(1).getShape());
      assertEquals(new Shape(4, 6, 4, 4), DiscriminatorEpilogue.minibatchStd(m.randomNormal(new Shape(4, 5, 4, 4)), 4).getShape());
      DiscriminatorEpilogue epi = init(new DiscriminatorEpilogue(5, 2), m);
      assertEquals(new Shape(4, 1), epi.forward(m.randomNormal(new Shape(4, 5, 4, 4))).getShape());
      assertThrows(IllegalArgumentException.class, () -> epi.forward(m.randomNormal(new Shape(4, 5, 8, 8))));
    }
  }

  /** Minibatch std, against a direct computation: group of samples {i, i + N/G, …}. */
  @Test
  void minibatchStdEqualsTheDirectFormula() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomNormal(new Shape(4, 3, 2, 2));
      float[] v = x.toFloatArray();
      float[] y = DiscriminatorEpilogue.minibatchStd(x, 2).get(":, 3, 0, 0").toFloatArray();
      for (int i = 0; i < 4; i++) {
        int a = i % 2;
        int b = a + 2;
        double sum = 0;
        for (int f = 0; f < 12; f++) {
          double xa = v[a * 12 + f];
          double xb = v[b * 12 + f];
          double mean = (xa + xb) / 2;
          sum += Math.sqrt(((xa - mean) * (xa - mean) + (xb - mean) * (xb - mean)) / 2 + 1e-8);
        }
        assertEquals(sum / 12, y[i], 1e-5, "sample " + i);
      }
    }
  }

  /** tiny32, small64 and paper256 (conf/presets/gan). */
  static java.util.stream.Stream<GanArchitecture> presetArchitectures() {
    return java.util.stream.Stream.of(GanArchitecture.of(32, 4096, 64, 4), GanArchitecture.of(64, 8192, 128, 4),
        GanArchitecture.of(256, 16384, 512, 8));
  }

  @ParameterizedTest
  @MethodSource("presetArchitectures")
  void networksAtPresetResolutions(GanArchitecture a) {
    try (NDManager m = NDManager.newBaseManager()) {
      Generator g = Generator.create(a, m);
      Discriminator d = Discriminator.create(a, m);
      NDArray z = m.randomNormal(new Shape(2, 512));
      NDArray img = g.forward(z, 0.7f, NoiseMode.RANDOM);
      assertEquals(new Shape(2, 3, a.resolution(), a.resolution()), img.getShape());
      assertEquals(new Shape(2, 1), d.forward(img).getShape());
      int r = a.resolution();
      Set<String> gNames = g.namedParameters().keySet();
      for (String key : new String[] {"mapping.fc0.weight", "mapping.fc7.bias", "mapping.w_avg",
          "synthesis.b4.const", "synthesis.b4.conv1.affine.weight", "synthesis.b4.conv1.noise_strength",
          "synthesis.b4.torgb.weight", "synthesis.b" + r + ".conv0.weight",
          "synthesis.b" + r + ".conv1.noise_const", "synthesis.b" + r + ".torgb.affine.bias"}) {
        assertTrue(gNames.contains(key), key + " not in " + gNames);
      }
      assertTrue(!gNames.contains("synthesis.b4.conv0.weight"));
      Set<String> dNames = d.namedParameters().keySet();
      for (String key : new String[] {"b" + r + ".fromrgb.weight", "b" + r + ".conv0.bias", "b8.conv1.weight",
          "b8.skip.weight", "b4.conv.weight", "b4.fc.weight", "b4.out.bias"}) {
        assertTrue(dNames.contains(key), key + " not in " + dNames);
      }
      assertTrue(!dNames.contains("b8.skip.bias") && !dNames.contains("b8.fromrgb.weight"));
      assertEquals(2 * Integer.numberOfTrailingZeros(r) - 2, a.numWs());
      assertEquals(new Shape(3, a.channels(r), 1, 1),
          g.namedParameters().get("synthesis.b" + r + ".torgb.weight").getArray().getShape());
      assertEquals(new Shape(a.channels(r), a.channels(r / 2), 3, 3),
          g.namedParameters().get("synthesis.b" + r + ".conv0.weight").getArray().getShape());
    }
  }
}
