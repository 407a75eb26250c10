package io.dermsynth.core.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dermsynth.core.HashedWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dermsynth's DenseNet against torchvision's on the same weights (tools/fixtures/make_densenet_fixture.py):
 * densenet121 with hash-generated weights by torchvision's names and shapes, and torchvision's own `small`
 * DenseNet-BC state dict as the safetensors file its conversion tool writes. Logits within 1e-4 and the
 * embedding (ReLU(features), globally averaged) within 1e-4 + 1e-4 relative: bringing torchvision's
 * ImageNet weights starts fine-tuning from the network torchvision runs.
 */
class TestDenseNetTorchvision {

  private static JsonNode fixture;
  @TempDir static Path dir;

  @BeforeAll
  static void readFixture() throws IOException {
    try (InputStream in = TestDenseNetTorchvision.class.getResourceAsStream("/fixtures/densenet_torchvision.json")) {
      fixture = new ObjectMapper().readTree(in);
    }
  }

  @Test
  void densenet121EqualsTorchvisionOnTheSameWeights() throws IOException {
    JsonNode want = fixture.get("densenet121");
    Path weights = HashedWeights.safetensors(dir, "densenet121", want.get("tensors"),
        new HashedWeights.Rule(name -> name.contains(".norm") && (name.endsWith("weight") || name.endsWith("bias")),
            "classifier.bias"), name -> true);
    try (InputStream in = Files.newInputStream(weights)) {
      assertEqualsTorchvision(DenseNet.Config.densenet121(7), in, want);
    }
  }

  @Test
  void torchvisionsOwnSmallDenseNetLoadsAndAgrees() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/densenet_small_torchvision.safetensors")) {
      assertEqualsTorchvision(DenseNet.Config.small(7), in, fixture.get("small"));
    }
  }

  private static void assertEqualsTorchvision(DenseNet.Config config, InputStream weights, JsonNode want)
      throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      DenseNet net = new DenseNet(config);
      int size = fixture.get("images").get("size").asInt();
      net.initialize(m, size, size);
      List<String> skipped = net.loadSafetensors(weights, m, false);
      assertEquals(List.of(), skipped, "every tensor of the file is used");
      NDArray x = HashedWeights.images(m, fixture.get("images").get("n").asInt(), size);
      ParameterStore store = new ParameterStore(m, false);
      assertClose(want.get("logits"), net.block().forward(store, new NDList(x), false).singletonOrThrow(), 0,
          "logits");
      assertClose(want.get("embedding"), net.embedding(store, x), 1e-4, "embedding");
    }
  }

  private static void assertClose(JsonNode want, NDArray got, double relative, String what) {
    assertEquals(want.size(), got.getShape().get(0), what + " rows");
    assertEquals(want.get(0).size(), got.getShape().get(1), what + " columns");
    float[] g = got.toFloatArray();
    int columns = want.get(0).size();
    for (int i = 0; i < want.size(); i++) {
      for (int c = 0; c < columns; c++) {
        double w = want.get(i).get(c).asDouble();
        assertEquals(w, g[i * columns + c], 1e-4 + relative * Math.abs(w), what + " [" + i + ", " + c + "]");
      }
    }
  }
}
