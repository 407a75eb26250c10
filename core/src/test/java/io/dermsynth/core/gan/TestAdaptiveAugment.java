package io.dermsynth.core.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * ADA's pipeline against {@code tools/fixtures/make_ada_fixture.py}: NVlabs' AugmentPipe in float64 with
 * given parameters, every op alone and all of bgc together, on square and non-square images; then what
 * the fixture cannot show: the probabilities and ranges of the draws, the identity at p = 0, and that the
 * backward pass is the transpose of the forward one (what D's gradient to G and R1 rely on).
 */
class TestAdaptiveAugment {

  static final double TOLERANCE = 5e-5;  // float32 against float64: 1.3e-5 at most measured (bgc, 16×16)

  @Test
  void everyOperationEqualsTheFloat64Reference() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> f = TestStyleGan2Equivalence.tensors(m, "/fixtures/ada_bgc.safetensors");
      TreeSet<String> cases = new TreeSet<>();
      f.keySet().forEach(k -> cases.add(k.substring(0, k.lastIndexOf('/') + 1)));
      assertEquals(2 * (AugmentOp.values().length + 1), cases.size(), "12 ops and bgc, at two sizes: " + cases);
      for (String c : cases) {
        String name = c.substring(0, c.indexOf('/'));
        List<AugmentOp> ops = name.equals("bgc") ? AugmentPipe.BGC.ops()
            : List.of(AugmentOp.valueOf(name.toUpperCase(Locale.ROOT)));
        NDArray images = f.get(c + "images");
        Shape s = images.getShape();
        NDArray out = AdaptiveAugment.execute(images,
            AdaptiveAugment.transforms(ops, split(ops, f.get(c + "params")), (int) s.get(2), (int) s.get(3)));
        float[] got = out.toFloatArray();
        float[] want = f.get(c + "output").toFloatArray();
        assertEquals(s, out.getShape(), c);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
          worst = Math.max(worst, Math.abs(got[i] - want[i]));
        }
        assertTrue(worst <= TOLERANCE, c + " differs from NVlabs' by up to " + worst);
        double moved = 0;
        float[] in = images.toFloatArray();
        for (int i = 0; i < want.length; i++) {
          moved = Math.max(moved, Math.abs(want[i] - in[i]));
        }
        assertTrue(moved > 0.05, c + " leaves the images as they are: a case that cannot fail");
      }
    }
  }

  /** [image][op] parameters from the fixture's [N, Σ parameter counts] rows. */
  private static double[][][] split(List<AugmentOp> ops, NDArray params) {
    int n = (int) params.getShape().get(0);
    int width = (int) params.getShape().get(1);
    float[] v = params.toFloatArray();
    double[][][] out = new double[n][ops.size()][];
    for (int i = 0; i < n; i++) {
      int at = 0;
      for (int k = 0; k < ops.size(); k++) {
        out[i][k] = new double[ops.get(k).parameters()];
        for (int j = 0; j < out[i][k].length; j++) {
          out[i][k][j] = v[i * width + at++];
        }
      }
      assertEquals(width, at, "parameter count of " + ops);
    }
    return out;
  }

  @Test
  void atPZeroNothingChangesAndNothingIsDrawn() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomUniform(-1, 1, new Shape(2, 3, 8, 8));
      SplittableRandom rnd = new SplittableRandom(5);
      assertSame(x, AdaptiveAugment.apply(x, 0, AugmentPipe.BGC, rnd));
      assertEquals(new SplittableRandom(5).nextLong(), rnd.nextLong());
    }
  }

  @Test
  void eachOpAppliesWithItsProbabilityAndRange() {
    int n = 40_000;
    double p = 0.3;
    List<AugmentOp> ops = AugmentPipe.BGC.ops();
    double[][][] params = AdaptiveAugment.sample(ops, n, p, new SplittableRandom(11));
    int preRotation = ops.indexOf(AugmentOp.ROTATE);
    int postRotation = ops.lastIndexOf(AugmentOp.ROTATE);
    for (int k = 0; k < ops.size(); k++) {
      AugmentOp op = ops.get(k);
      List<Double> applied = new ArrayList<>();
      int rotated = 0;
      for (double[][] image : params) {
        double[] v = image[k];
        if (!java.util.Arrays.equals(v, op.identity())) {
          applied.add(v[0]);
        }
        if (k == postRotation && (image[preRotation][0] != 0 || v[0] != 0)) {
          rotated++;
        }
        check(op, v);
      }
      // x-flip and luma flip draw i ∈ {0, 1}, 90° rotation k ∈ {0..3}: applied, they change half or ¾ of images.
      double share = switch (op) {
        case XFLIP, LUMAFLIP -> p / 2;
        case ROTATE90 -> p * 3 / 4;
        case ROTATE -> 1 - Math.sqrt(1 - p);
        default -> p;
      };
      assertBinomial(op + " applied", applied.size(), n, share);
      if (k == postRotation) {
        assertBinomial("a rotation before or after the anisotropic scaling", rotated, n, p);
      }
      double sd = switch (op) {
        case SCALE, ANISO -> log2Sd(applied);
        case CONTRAST -> log2Sd(applied) / AugmentOp.CONTRAST_STD * 0.2;
        case SATURATION -> log2Sd(applied) / AugmentOp.SATURATION_STD * 0.2;
        case BRIGHTNESS -> sd(applied);
        case XFRAC -> sd(applied) / AugmentOp.XFRAC_STD * 0.2;
        case ROTATE, HUE -> sd(applied) / Math.PI * Math.sqrt(3) * 0.2;  // uniform on ±π: sd π/√3
        case XINT -> sd(applied) / AugmentOp.XINT_MAX * Math.sqrt(3) * 0.2;
        default -> 0.2;
      };
      assertEquals(0.2, sd, 0.01, op + ": spread of its parameter, scaled to 0.2");
    }
  }

  private static void check(AugmentOp op, double[] v) {
    switch (op) {
      case XFLIP, LUMAFLIP -> assertTrue(v[0] == 0 || v[0] == 1, op + " " + v[0]);
      case ROTATE90 -> assertTrue(v[0] == Math.floor(v[0]) && v[0] >= 0 && v[0] <= 3, op + " " + v[0]);
      case XINT -> assertTrue(Math.abs(v[0]) <= 0.125 && Math.abs(v[1]) <= 0.125, op + " " + v[0]);
      case ROTATE, HUE -> assertTrue(Math.abs(v[0]) <= Math.PI, op + " " + v[0]);
      case SCALE, ANISO, CONTRAST, SATURATION -> assertTrue(v[0] > 0, op + " " + v[0]);
      default -> { }
    }
  }

  private static void assertBinomial(String what, int count, int n, double q) {
    double sigma = Math.sqrt(n * q * (1 - q));
    assertEquals(n * q, count, 4 * sigma, what + ": " + count + " of " + n);
  }

  private static double sd(List<Double> v) {
    double mean = v.stream().mapToDouble(d -> d).average().orElseThrow();
    return Math.sqrt(v.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / (v.size() - 1));
  }

  private static double log2Sd(List<Double> v) {
    return sd(v.stream().map(d -> Math.log(d) / Math.log(2)).toList());
  }

  @Test
  void theGradientIsTheTransposeOfTheWarp() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      NDArray x = m.randomUniform(-1, 1, new Shape(3, 3, 12, 20));
      NDArray r = m.randomNormal(new Shape(3, 3, 12, 20));
      x.setRequiresGradient(true);
      double forward;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = AdaptiveAugment.apply(x, 1, AugmentPipe.BG, new SplittableRandom(8));
        NDArray loss = y.mul(r).sum();
        gc.backward(loss);
        forward = loss.getFloat();
        assertFalse(java.util.Arrays.equals(x.toFloatArray(), y.toFloatArray()), "p = 1 moves the images");
      }
      // The warp is linear in x, so ⟨x, ∂⟨warp(x), r⟩/∂x⟩ = ⟨x, warpᵀ r⟩ = ⟨warp(x), r⟩.
      double adjoint = x.getGradient().mul(x).sum().getFloat();
      assertEquals(forward, adjoint, 1e-4 * Math.abs(forward) + 1e-3);
    }
  }

  @Test
  void theSameSeedAugmentsTheSameWay() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomUniform(-1, 1, new Shape(4, 3, 16, 16));
      float[] a = AdaptiveAugment.apply(x, 0.7, AugmentPipe.BGC, new SplittableRandom(2)).toFloatArray();
      float[] b = AdaptiveAugment.apply(x, 0.7, AugmentPipe.BGC, new SplittableRandom(2)).toFloatArray();
      assertArrayEquals(a, b);
    }
  }
}
