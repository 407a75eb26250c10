package io.dermsynth.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestAdam {

  private static FullyConnectedLayer layer(NDManager m) {
    FullyConnectedLayer fc = new FullyConnectedLayer(2, 1, false, 1f, 0f);
    fc.initialize(m, DataType.FLOAT32, new Shape(1, 2));
    fc.getParameters().get("weight").getArray().set(new float[] {1f, 2f});
    return fc;
  }

  /** Two steps against torch.optim.Adam's formula, worked by hand (β = (0.5, 0.9), lr 0.1, ε 1e-8). */
  @Test
  void stepsLikeTorchAdam() {
    try (NDManager m = NDManager.newBaseManager()) {
      FullyConnectedLayer fc = layer(m);
      Adam adam = new Adam(GanBlock.named(fc, ""), m);
      NDArray w = fc.getParameters().get("weight").getArray();
      // Parameters in Adam's order: weight (2), then bias (1).
      double[] mo = new double[3];
      double[] v = new double[3];
      double[] p = {1, 2, 0};
      float[] x = {3f, -1f};
      for (int t = 1; t <= 2; t++) {
        adam.zeroGradients();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray y = fc.forward(m.create(x, new Shape(1, 2)));
          gc.backward(y.square().sum());
        }
        // loss = y², y = w·x/√2 + b: dL/dw = 2y·x/√2, dL/db = 2y
        double y = (p[0] * x[0] + p[1] * x[1]) / Math.sqrt(2) + p[2];
        double[] g = {2 * y * x[0] / Math.sqrt(2), 2 * y * x[1] / Math.sqrt(2), 2 * y};
        for (int i = 0; i < 3; i++) {
          mo[i] = 0.5 * mo[i] + 0.5 * g[i];
          v[i] = 0.9 * v[i] + 0.1 * g[i] * g[i];
          p[i] -= 0.1 / (1 - Math.pow(0.5, t)) * mo[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.9, t)) + 1e-8);
        }
        adam.step(0.1f, 0.5f, 0.9f, 1e-8f);
        assertArrayEquals(new float[] {(float) p[0], (float) p[1]}, w.toFloatArray(), 1e-5f, "step " + t);
        assertEquals((float) p[2], fc.getParameters().get("bias").getArray().getFloat(0), 1e-5f, "step " + t);
      }
      assertEquals(2, adam.steps());
    }
  }

  /**
   * A step on a thread that never started the engine — libtorch's grad mode is per thread and on by
   * default there — updates the weights instead of failing on an in-place op of a leaf that requires grad,
   * and leaves the thread's mode as it found it.
   */
  @Test
  void aStepOnAFreshThreadUpdatesTheWeights() throws Exception {
    Engine.getInstance();
    java.util.concurrent.atomic.AtomicReference<Object> outcome = new java.util.concurrent.atomic.AtomicReference<>();
    Thread t = new Thread(() -> {
      try (NDManager m = NDManager.newBaseManager()) {
        boolean before = ai.djl.pytorch.jni.JniUtils.isGradMode();
        FullyConnectedLayer fc = layer(m);
        Adam adam = new Adam(GanBlock.named(fc, ""), m);
        adam.zeroGradients();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(fc.forward(m.create(new float[] {3f, -1f}, new Shape(1, 2))).square().sum());
        }
        adam.step(0.1f, 0.5f, 0.9f, 1e-8f);
        outcome.set(new Object[] {before, ai.djl.pytorch.jni.JniUtils.isGradMode(),
            fc.getParameters().get("weight").getArray().toFloatArray()});
      } catch (Throwable e) {
        outcome.set(e);
      }
    });
    t.start();
    t.join();
    if (outcome.get() instanceof Throwable e) {
      throw new AssertionError("a step on a fresh thread failed", e);
    }
    Object[] r = (Object[]) outcome.get();
    assertEquals(true, r[0], "libtorch's default on a new thread (the case under test)");
    assertEquals(r[0], r[1], "the thread's grad mode is restored");
    float[] w = (float[]) r[2];
    assertTrue(w[0] != 1f && w[1] != 2f, java.util.Arrays.toString(w));
  }

  /** A NaN or infinite gradient neither poisons the weights nor survives zeroing (NVlabs' nan_to_num). */
  @Test
  void nonFiniteGradientsAreSanitised() {
    try (NDManager m = NDManager.newBaseManager()) {
      FullyConnectedLayer fc = layer(m);
      Map<String, ai.djl.nn.Parameter> named = GanBlock.named(fc, "");
      Adam adam = new Adam(named, m);
      NDArray w = fc.getParameters().get("weight").getArray();
      adam.zeroGradients();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = fc.forward(m.create(new float[] {Float.NaN, Float.POSITIVE_INFINITY}, new Shape(1, 2)));
        gc.backward(y.sum());
      }
      adam.step(0.1f, 0f, 0.99f, 1e-8f);
      assertEquals(2, adam.nonFinite());
      float[] after = w.toFloatArray();
      assertEquals(1f, after[0], 0f, "NaN gradient → 0 → no move");
      assertEquals(2f - 0.1f, after[1], 1e-5f, "+∞ gradient → 1e5 → one lr step");
      adam.zeroGradients();
      assertArrayEquals(new float[] {0f, 0f}, w.getGradient().toFloatArray());
    }
  }
}
