package io.dermsynth.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dermsynth.core.classify.ClassifierModel;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestLpips {

  static float[] floats(JsonNode n) {
    float[] v = new float[n.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) n.get(i).asDouble();
    }
    return v;
  }

  /** The published AlexNet LPIPS, weights by torchvision/lpips names, against PyTorch. */
  @Test
  void alexNetVariantEqualsPytorch() throws Exception {
    JsonNode f;
    try (InputStream in = getClass().getResourceAsStream("/fixtures/lpips_alex_random.json")) {
      f = new ObjectMapper().readTree(in);
    }
    try (NDManager m = NDManager.newBaseManager();
        InputStream weights = getClass().getResourceAsStream("/fixtures/lpips_alex_random.npz")) {
      Lpips lpips = Lpips.alexNet(m, weights);
      Shape shape = new Shape(3, 3, 64, 64);
      NDArray x = m.create(floats(f.get("x")), shape);
      NDArray y = m.create(floats(f.get("y")), shape);
      double[] d = lpips.distance(x, y);
      for (int i = 0; i < 3; i++) {
        double want = f.get("distance").get(i).asDouble();
        assertEquals(want, d[i], 1e-5 + 1e-4 * want, "pair " + i);
      }
      assertEquals(0, lpips.distance(x, x)[0], 1e-7);
    }
  }

  /** The default backbone (a classifier's features, uniform weights): a distance in [0, 1]. */
  @Test
  void classifierBackboneIsADistanceInUnitRange() {
    var manifest = new ClassifierModel.Manifest("small", List.of("a", "b"), 32, 0, Double.NaN, "t");
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu());
        NDManager m = NDManager.newBaseManager()) {
      Lpips lpips = Lpips.of(model.lpipsBackbone());
      NDArray x = m.randomUniform(0, 1, new Shape(4, 3, 32, 32));
      NDArray near = x.add(m.randomNormal(0, 0.02f, x.getShape(), ai.djl.ndarray.types.DataType.FLOAT32)).clip(0, 1);
      NDArray far = m.randomUniform(0, 1, new Shape(4, 3, 32, 32));
      double[] same = lpips.distance(x, x);
      double[] dNear = lpips.distance(x, near);
      double[] dFar = lpips.distance(x, far);
      double[] back = lpips.distance(far, x);
      for (int i = 0; i < 4; i++) {
        assertEquals(0, same[i], 1e-6);
        assertTrue(dNear[i] > 0 && dNear[i] < dFar[i] && dFar[i] <= 1, dNear[i] + " vs " + dFar[i]);
        assertEquals(dFar[i], back[i], 1e-6, "symmetric");
      }
    }
  }
}
