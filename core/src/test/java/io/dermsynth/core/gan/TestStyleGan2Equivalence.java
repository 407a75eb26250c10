package io.dermsynth.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.CheckpointStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Java StyleGAN2 against an independent PyTorch implementation written the NVlabs way
 * ({@code tools/fixtures/make_stylegan2_fixture.py}: transposed convolution + FIR upsampling,
 * per-sample modulated convolutions, float64), on a tiny network with random weights.
 */
class TestStyleGan2Equivalence {

  static final GanArchitecture TINY = new GanArchitecture(16, 128, 8, 32, 32, 2, 3, 2);

  static Map<String, NDArray> fixture(NDManager m) throws IOException {
    return tensors(m, "/fixtures/stylegan2_tiny.safetensors");
  }

  /** A safetensors resource's tensors by name. */
  static Map<String, NDArray> tensors(NDManager m, String resource) throws IOException {
    try (InputStream in = TestStyleGan2Equivalence.class.getResourceAsStream(resource)) {
      Map<String, NDArray> out = new HashMap<>();
      for (NDArray a : NDList.decode(m, in.readAllBytes())) {
        out.put(a.getName(), a);
      }
      return out;
    }
  }

  static Map<String, NDArray> prefixed(Map<String, NDArray> all, String prefix) {
    Map<String, NDArray> out = new HashMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }

  @Test
  void generatorAndDiscriminatorEqualThePyTorchReference() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> f = fixture(m);
      Generator g = new Generator(TINY);
      g.initialize(m, DataType.FLOAT32, new Shape(1, TINY.zDim()));
      GanWeights.load(g.namedParameters(), prefixed(f, "G."));
      Discriminator d = new Discriminator(TINY);
      d.initialize(m, DataType.FLOAT32, new Shape(1));
      GanWeights.load(d.namedParameters(), prefixed(f, "D."));

      NDArray img = g.forward(f.get("z"), 0.7f, NoiseMode.CONST);
      assertEquals(f.get("img").getShape(), img.getShape());
      float[] want = f.get("img").toFloatArray();
      float[] got = img.toFloatArray();
      double maxDiff = 0;
      for (int i = 0; i < want.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
      }
      assertTrue(maxDiff <= 1e-4, "max |Java − PyTorch| over the image = " + maxDiff);
      // The border pixels are where an up-convolution done another way would differ: check them too.
      assertArrayEquals(f.get("img").get(":, :, 0, :").toFloatArray(), img.get(":, :, 0, :").toFloatArray(), 1e-4f);
      assertArrayEquals(f.get("logits").toFloatArray(), d.forward(f.get("img")).toFloatArray(), 1e-4f);
    }
  }

  /** A folder as tools/import_stylegan2.py writes it loads through {@link GanModels} and gives the same image. */
  @Test
  void importedFolderLoads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> f = fixture(m);
      NDList g = new NDList();
      prefixed(f, "G.").forEach((k, v) -> {
        v.setName(k);
        g.add(v);
      });
      java.nio.file.Files.write(dir.resolve("G_ema.safetensors"), g.encode(NDList.Encoding.SAFETENSORS));
      java.nio.file.Files.writeString(dir.resolve("import.json"), "{\"format\": \"dermsynth-stylegan2-import/1\", "
          + "\"architecture\": {\"resolution\": 16, \"channelBase\": 128, \"channelMax\": 8, \"zDim\": 32, "
          + "\"wDim\": 32, \"mappingLayers\": 2, \"imgChannels\": 3, \"mbstdGroup\": 2}}");
      GanModels.Loaded loaded = GanModels.loadGenerator(CheckpointStore.directory(dir), m);
      assertEquals(TINY, loaded.generator().architecture());
      assertArrayEquals(f.get("img").toFloatArray(),
          loaded.generator().forward(f.get("z"), 0.7f, NoiseMode.CONST).toFloatArray(), 1e-4f);
    }
  }

  @Test
  void weightsRoundTripAndStrictLoading() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Generator a = Generator.create(TINY, m);
      Generator b = Generator.create(TINY, m);
      GanWeights.load(b.namedParameters(), GanWeights.encode(a.namedParameters()));
      NDArray z = m.randomNormal(new Shape(2, TINY.zDim()));
      assertArrayEquals(a.forward(z, 1f, NoiseMode.CONST).toFloatArray(),
          b.forward(z, 1f, NoiseMode.CONST).toFloatArray(), 0f);
      Generator wider = Generator.create(new GanArchitecture(16, 256, 16, 32, 32, 2, 3, 2), m);
      var bad = assertThrows(IllegalArgumentException.class,
          () -> GanWeights.load(wider.namedParameters(), GanWeights.encode(a.namedParameters())));
      assertTrue(bad.getMessage().contains("wrong shape: synthesis.b4.const (8, 4, 4) (want (16, 4, 4))"),
          bad.getMessage());
      Map<String, NDArray> missing = new HashMap<>(prefixed(fixture(m), "G."));
      missing.remove("mapping.w_avg");
      missing.put("mapping.fc9.weight", m.zeros(new Shape(1)));
      var bad2 = assertThrows(IllegalArgumentException.class, () -> GanWeights.load(a.namedParameters(), missing));
      assertTrue(bad2.getMessage().contains("missing [mapping.w_avg], unexpected [mapping.fc9.weight]"),
          bad2.getMessage());
    }
  }
}
