package io.dermsynth.core.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class TestDenseNet {

  static float[] forward(DenseNet net, NDManager m, NDArray x) {
    NDList out = net.block().forward(new ParameterStore(m, false), new NDList(x), false);
    return out.singletonOrThrow().toFloatArray();
  }

  @Test
  void densenet121HasTorchvisionsParameterCountAndNames() {
    try (NDManager m = NDManager.newBaseManager()) {
      DenseNet net = new DenseNet(DenseNet.Config.densenet121(1000));
      net.initialize(m, 64, 64);
      assertEquals(7_978_856L, net.trainableParameterCount());
      var names = net.namedParameters().keySet();
      assertTrue(names.contains("features.conv0.weight"));
      assertTrue(names.contains("features.denseblock3.denselayer24.conv2.weight"));
      assertTrue(names.contains("features.transition3.conv.weight"));
      assertTrue(names.contains("features.norm5.running_var"));
      assertTrue(names.contains("classifier.bias"));
      // torchvision's state dict besides its num_batches_tracked counters: 121 BatchNorms × 4
      // (norm0, 2 per each of 58 dense layers, 3 transitions, norm5) + 120 convs + classifier W, b.
      assertEquals(121 * 4 + 120 + 2, names.size());
      assertEquals(new Shape(128, 64, 1, 1),
          net.namedParameters().get("features.denseblock1.denselayer1.conv1.weight").getArray().getShape());
      assertEquals(1024, net.config().featureChannels());
    }
  }

  @Test
  void forwardShapes() {
    try (NDManager m = NDManager.newBaseManager()) {
      DenseNet big = new DenseNet(DenseNet.Config.densenet121(7));
      big.initialize(m, 224, 224);
      NDArray x = m.randomNormal(new Shape(2, 3, 224, 224));
      NDList out = big.block().forward(new ParameterStore(m, false), new NDList(x), false);
      assertEquals(new Shape(2, 7), out.singletonOrThrow().getShape());
      DenseNet small = new DenseNet(DenseNet.Config.small(7));
      small.initialize(m, 64, 64);
      NDList o2 = small.block().forward(new ParameterStore(m, false),
          new NDList(m.randomNormal(new Shape(3, 3, 64, 64))), false);
      assertEquals(new Shape(3, 7), o2.singletonOrThrow().getShape());
      assertTrue(small.trainableParameterCount() < 300_000, "small: " + small.trainableParameterCount());
    }
  }

  @Test
  void safetensorsRoundTripGivesIdenticalOutputs() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      DenseNet a = new DenseNet(DenseNet.Config.small(7));
      a.initialize(m, 64, 64);
      // Non-trivial running statistics, so that loading them is tested too.
      a.namedParameters().forEach((n, p) -> {
        if (n.endsWith("running_mean")) {
          p.getArray().set(m.randomUniform(-0.1f, 0.1f, p.getArray().getShape()).toFloatArray());
        }
      });
      NDArray x = m.randomNormal(new Shape(2, 3, 64, 64));
      float[] before = forward(a, m, x);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      a.saveSafetensors(bytes);

      DenseNet b = new DenseNet(DenseNet.Config.small(7));
      b.initialize(m, 64, 64);
      assertFalse(java.util.Arrays.equals(before, forward(b, m, x)), "fresh init differs");
      var skipped = b.loadSafetensors(new ByteArrayInputStream(bytes.toByteArray()), m, false);
      assertTrue(skipped.isEmpty(), skipped.toString());
      assertArrayEquals(before, forward(b, m, x));

      DenseNet other = new DenseNet(DenseNet.Config.small(3));
      other.initialize(m, 64, 64);
      var e = assertThrows(IOException.class,
          () -> other.loadSafetensors(new ByteArrayInputStream(bytes.toByteArray()), m, false));
      assertTrue(e.getMessage().contains("classifier.weight"), e.getMessage());
      // A backbone can be taken without its classifier (e.g. ImageNet weights for 7 classes).
      var skippedHead = other.loadSafetensors(new ByteArrayInputStream(bytes.toByteArray()), m, true);
      assertEquals(java.util.List.of("classifier.weight", "classifier.bias"), skippedHead.subList(0, 2));
    }
  }
}
