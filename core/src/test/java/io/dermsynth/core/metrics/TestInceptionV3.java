package io.dermsynth.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inception-v3 pool3 features against PyTorch (tools/fixtures/make_inception_fixture.py): the FID network
 * as pytorch-fid defines it and torchvision's, with the same hash-generated weights on both sides, read
 * through the safetensors import by torchvision's names.
 */
class TestInceptionV3 {

  private static JsonNode fixture;
  @TempDir static Path dir;

  @BeforeAll
  static void readFixture() throws IOException {
    try (InputStream in = TestInceptionV3.class.getResourceAsStream("/fixtures/inception_hash.json")) {
      fixture = new ObjectMapper().readTree(in);
    }
  }

  /** The fixture's counter-based hash: u in [−1, 1) for element i of tensor t (splitmix64). */
  static double hashUniform(long t, long i) {
    long x = (i + 1) * 0x9E3779B97F4A7C15L + t * 0xBF58476D1CE4E5B9L;
    x ^= x >>> 31;
    x *= 0x94D049BB133111EBL;
    x ^= x >>> 29;
    return (x >>> 11) / 0x1p53 * 2.0 - 1.0;
  }

  /** The fixture's weight values: He-uniform convolutions, batch norm near identity. */
  static float[] hashWeights(String name, long[] shape, int index) {
    int n = 1;
    for (long s : shape) {
      n *= (int) s;
    }
    double he = Math.sqrt(6.0 / (n / shape[0]));
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double u = hashUniform(index, i);
      double w;
      if (name.endsWith("running_var")) {
        w = 1.0 + 0.25 * (u + 1.0);
      } else if (name.endsWith("bn.weight")) {
        w = 1.0 + 0.1 * u;
      } else if (name.endsWith("bn.bias") || name.endsWith("running_mean") || name.endsWith("fc.bias")) {
        w = 0.1 * u;
      } else {
        w = u * he;
      }
      v[i] = (float) w;
    }
    return v;
  }

  /** Writes the variant's weights (all tensors the filter keeps) as safetensors and returns the file. */
  static Path weightsFile(String variant, Predicate<String> keep) throws IOException {
    Path file = Files.createTempFile(dir, variant, ".safetensors");
    JsonNode tensors = fixture.get("variants").get(variant).get("tensors");
    try (NDManager m = NDManager.newBaseManager(); OutputStream out = Files.newOutputStream(file)) {
      NDList list = new NDList();
      for (int t = 0; t < tensors.size(); t++) {
        String name = tensors.get(t).get(0).asText();
        JsonNode dims = tensors.get(t).get(1);
        long[] shape = new long[dims.size()];
        for (int k = 0; k < shape.length; k++) {
          shape[k] = dims.get(k).asLong();
        }
        if (keep.test(name)) {
          NDArray a = m.create(hashWeights(name, shape, t), new Shape(shape));
          a.setName(name);
          list.add(a);
        }
      }
      list.encode(out, NDList.Encoding.SAFETENSORS);
    }
    return file;
  }

  static NDArray images(NDManager m) {
    int n = fixture.get("images").get("n").asInt();
    int size = fixture.get("images").get("size").asInt();
    float[] v = new float[n * 3 * size * size];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            v[k++] = (float) (0.5 + 0.45 * Math.sin(0.21 * x + 0.17 * (c + 1) * y + 1.3 * i));
          }
        }
      }
    }
    return m.create(v, new Shape(n, 3, size, size));
  }

  private static void assertFeaturesEqualPytorch(String variant) throws IOException {
    Path file = weightsFile(variant, name -> true);
    try (InputStream in = Files.newInputStream(file);
        InceptionV3 net = InceptionV3.load(NDManager.newBaseManager(), in);
        NDManager m = NDManager.newBaseManager()) {
      assertEquals("inception-" + variant, net.featuresName());
      NDArray f = net.embedding(images(m));
      JsonNode want = fixture.get("variants").get(variant).get("features");
      assertEquals(new Shape(want.size(), InceptionV3.FEATURES), f.getShape());
      float[] got = f.toFloatArray();
      for (int i = 0; i < want.size(); i++) {
        for (int c = 0; c < InceptionV3.FEATURES; c++) {
          double w = want.get(i).get(c).asDouble();
          assertEquals(w, got[i * InceptionV3.FEATURES + c], 2e-5 + 1e-3 * Math.abs(w), variant + " image " + i + " feature " + c);
        }
      }
    }
  }

  @Test
  void fidNetworkEqualsPytorchFid() throws IOException {
    assertFeaturesEqualPytorch("fid");
  }

  @Test
  void torchvisionNetworkEqualsTorchvision() throws IOException {
    assertFeaturesEqualPytorch("torchvision");
  }

  /** The LPIPS taps: one per stage, at the channel counts of Inception-v3. */
  @Test
  void lpipsBackboneTapsEveryStage() throws IOException {
    Path file = weightsFile("fid", name -> !name.startsWith("fc."));
    try (InputStream in = Files.newInputStream(file);
        InceptionV3 net = InceptionV3.load(NDManager.newBaseManager(), in);
        NDManager m = NDManager.newBaseManager()) {
      assertEquals("inception-fid", net.featuresName(), "no fc: the FID network");
      List<NDArray> taps = net.lpipsBackbone().features(images(m));
      long[] channels = {64, 192, 288, 768, 2048};
      long[] side = {147, 71, 35, 17, 8};
      assertEquals(channels.length, taps.size());
      for (int k = 0; k < channels.length; k++) {
        assertEquals(new Shape(2, channels[k], side[k], side[k]), taps.get(k).getShape(), "tap " + k);
      }
      double d = Lpips.of(net.lpipsBackbone()).distance(images(m).get("0:1"), images(m).get("1:2"))[0];
      assertTrue(d > 0 && d < 1, "LPIPS between two different images in (0, 1): " + d);
    }
  }

  @Test
  void aMissingTensorIsNamed() throws IOException {
    Path file = weightsFile("fid", name -> name.startsWith("Conv2d_1a") || name.startsWith("fc."));
    try (InputStream in = Files.newInputStream(file)) {
      NDManager m = NDManager.newBaseManager();
      IOException e = assertThrows(IOException.class, () -> InceptionV3.load(m, in));
      assertThrows(IllegalStateException.class, () -> m.create(1f), "a failed load closes its manager");
      assertTrue(e.getMessage().contains("Conv2d_2a_3x3.conv.weight"), e.getMessage());
    }
  }
}
