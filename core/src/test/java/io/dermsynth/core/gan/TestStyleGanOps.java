package io.dermsynth.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;

class TestStyleGanOps {

  @Test
  void groupedModulatedConvEqualsThePerSampleLoop() {
    try (NDManager m = NDManager.newBaseManager()) {
      int n = 3;
      NDArray x = m.randomNormal(new Shape(n, 5, 8, 8));
      NDArray weight = m.randomNormal(new Shape(4, 5, 3, 3));
      NDArray styles = m.randomUniform(0.5f, 1.5f, new Shape(n, 5));
      for (boolean demod : new boolean[] {true, false}) {
        NDArray grouped = Ops.modulatedConv2d(x, weight, styles, demod, 1);
        assertEquals(new Shape(n, 4, 8, 8), grouped.getShape());
        for (int i = 0; i < n; i++) {
          // Eq. 1–3 of Karras et al. 2020, one sample at a time, no grouping.
          NDArray w = weight.mul(styles.get(i).reshape(1, 5, 1, 1));
          if (demod) {
            NDArray norm = w.square().reshape(4, -1).sum(new int[] {1}).add(1e-8f).sqrt();
            w = w.div(norm.reshape(4, 1, 1, 1));
          }
          NDArray one = Conv2d.conv2d(x.get(i).expandDims(0), w, null, new Shape(1, 1),
              new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
          assertArrayEquals(one.toFloatArray(), grouped.get(i).expandDims(0).toFloatArray(), 1e-4f,
              "sample " + i + ", demodulate " + demod);
        }
      }
      var bad = assertThrows(IllegalArgumentException.class,
          () -> Ops.modulatedConv2d(x, weight, m.ones(new Shape(n, 4)), true, 1));
      assertTrue(bad.getMessage().contains("styles (3, 4)"), bad.getMessage());
    }
  }

  @Test
  void normalize2ndMomentGivesUnitMeanSquare() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray z = m.randomNormal(0, 3, new Shape(4, 16), DataType.FLOAT32);
      float[] ms = Ops.normalize2ndMoment(z, 1).square().mean(new int[] {1}).toFloatArray();
      for (float v : ms) {
        assertEquals(1f, v, 1e-4f);
      }
    }
  }

  @Test
  void fullyConnectedLayerUsesTheEqualisedLearningRate() {
    try (NDManager m = NDManager.newBaseManager()) {
      FullyConnectedLayer fc = new FullyConnectedLayer(4, 2, false, 0.01f, 1f);
      fc.initialize(m, DataType.FLOAT32, new Shape(1, 4));
      // Stored: w ~ N(0, 1/lr²) and b = init/lr; effective: w·lr/√in and b·lr.
      float[] w = {100, 0, 0, 0, 0, 200, 0, 0};
      fc.getParameters().get("weight").getArray().set(w);
      NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 4));
      float[] y = fc.forward(x).toFloatArray();
      assertEquals(100 * 0.01f / 2 * 1 + 1, y[0], 1e-5f);
      assertEquals(200 * 0.01f / 2 * 2 + 1, y[1], 1e-5f);
    }
  }

  @Test
  void mappingNetworkShapesNamesAndWAvg() {
    try (NDManager m = NDManager.newBaseManager()) {
      MappingNetwork mapping = new MappingNetwork(512, 512, 10, 8, 0.01f, 0.995f);
      mapping.initialize(m, DataType.FLOAT32, new Shape(2, 512));
      var names = GanBlock.named(mapping, "mapping").keySet();
      assertTrue(names.contains("mapping.fc0.weight") && names.contains("mapping.fc7.bias")
          && names.contains("mapping.w_avg"), names.toString());
      NDArray z = m.randomNormal(new Shape(6, 512));
      NDArray ws = mapping.forward(z);
      mapping.trackWAvg(ws);
      assertEquals(new Shape(6, 10, 512), ws.getShape());
      // Every copy is the same w; w_avg moved 0.5% of the way to the batch mean.
      assertArrayEquals(ws.get(":, 0, :").toFloatArray(), ws.get(":, 9, :").toFloatArray());
      float[] mean = ws.get(":, 0, :").mean(new int[] {0}).toFloatArray();
      float[] avg = GanBlock.named(mapping, "mapping").get("mapping.w_avg").getArray().toFloatArray();
      for (int i = 0; i < 512; i++) {
        assertEquals(0.005f * mean[i], avg[i], 1e-5f);
      }
      // ψ = 0 gives w_avg everywhere; ψ = 1 leaves w as it is.
      assertArrayEquals(avg, mapping.truncate(ws, 0f).get("0, 3, :").toFloatArray(), 1e-6f);
      assertArrayEquals(ws.toFloatArray(), mapping.truncate(ws, 1f).toFloatArray(), 1e-5f);
      assertThrows(IllegalArgumentException.class, () -> mapping.forward(m.zeros(new Shape(2, 64))));
    }
  }

  /**
   * The [1,3,3,1] upsampler has a closed form per axis: y[2k] = (x[k−1] + 3x[k]) / 4 and
   * y[2k+1] = (3x[k] + x[k+1]) / 4, zeros outside. Applied to rows, then columns, as reference.
   */
  @Test
  void firUpsampleEqualsTheClosedForm() {
    try (NDManager m = NDManager.newBaseManager()) {
      int h = 5;
      int w = 7;
      NDArray x = m.randomNormal(new Shape(2, 3, h, w));
      NDArray y = Ops.upsample2d(x);
      assertEquals(new Shape(2, 3, 2 * h, 2 * w), y.getShape());
      float[] xs = x.toFloatArray();
      float[] ys = y.toFloatArray();
      for (int plane = 0; plane < 6; plane++) {
        double[][] rows = new double[h][2 * w];
        for (int i = 0; i < h; i++) {
          for (int j = 0; j < 2 * w; j++) {
            int k = j / 2;
            double at = xs[plane * h * w + i * w + k];
            double prev = k > 0 ? xs[plane * h * w + i * w + k - 1] : 0;
            double next = k + 1 < w ? xs[plane * h * w + i * w + k + 1] : 0;
            rows[i][j] = j % 2 == 0 ? (prev + 3 * at) / 4 : (3 * at + next) / 4;
          }
        }
        for (int i = 0; i < 2 * h; i++) {
          for (int j = 0; j < 2 * w; j++) {
            int k = i / 2;
            double prev = k > 0 ? rows[k - 1][j] : 0;
            double next = k + 1 < h ? rows[k + 1][j] : 0;
            double want = i % 2 == 0 ? (prev + 3 * rows[k][j]) / 4 : (3 * rows[k][j] + next) / 4;
            assertEquals(want, ys[plane * 4 * h * w + i * 2 * w + j], 1e-5, "plane " + plane + " (" + i + "," + j + ")");
          }
        }
      }
    }
  }

  /** Per axis: y[k] = (x[2k−1] + 3x[2k] + 3x[2k+1] + x[2k+2]) / 8, zeros outside; rows then columns. */
  @Test
  void firDownsampleEqualsTheClosedForm() {
    try (NDManager m = NDManager.newBaseManager()) {
      int h = 6;
      int w = 8;
      NDArray x = m.randomNormal(new Shape(1, 2, h, w));
      NDArray y = Ops.downsample2d(x);
      assertEquals(new Shape(1, 2, h / 2, w / 2), y.getShape());
      float[] xs = x.toFloatArray();
      float[] ys = y.toFloatArray();
      for (int plane = 0; plane < 2; plane++) {
        final int p = plane;
        java.util.function.BiFunction<Integer, Integer, Double> at = (i, j) ->
            i < 0 || j < 0 || i >= h || j >= w ? 0.0 : xs[p * h * w + i * w + j];
        double[][] rows = new double[h][w / 2];
        for (int i = 0; i < h; i++) {
          for (int k = 0; k < w / 2; k++) {
            rows[i][k] = (at.apply(i, 2 * k - 1) + 3 * at.apply(i, 2 * k) + 3 * at.apply(i, 2 * k + 1)
                + at.apply(i, 2 * k + 2)) / 8;
          }
        }
        for (int k = 0; k < h / 2; k++) {
          for (int j = 0; j < w / 2; j++) {
            double a = 2 * k - 1 >= 0 ? rows[2 * k - 1][j] : 0;
            double d = 2 * k + 2 < h ? rows[2 * k + 2][j] : 0;
            double want = (a + 3 * rows[2 * k][j] + 3 * rows[2 * k + 1][j] + d) / 8;
            assertEquals(want, ys[p * (h / 2) * (w / 2) + k * (w / 2) + j], 1e-5, "(" + k + "," + j + ")");
          }
        }
      }
      assertThrows(IllegalArgumentException.class, () -> Ops.downsample2d(m.zeros(new Shape(1, 1, 5, 4))));
    }
  }
}
