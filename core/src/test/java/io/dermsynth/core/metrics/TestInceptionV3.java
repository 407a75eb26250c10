package io.dermsynth.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.dermsynth.core.HashedWeights;
import java.io.IOException;
import java.io.InputStream;
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
  static void readFixture() {
    fixture = InceptionWeights.fixture();
  }

  static Path weightsFile(String variant, Predicate<String> keep) throws IOException {
    return InceptionWeights.write(dir, variant, keep);
  }

  static NDArray images(NDManager m) {
    return HashedWeights.images(m, fixture.get("images").get("n").asInt(), fixture.get("images").get("size").asInt());
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
