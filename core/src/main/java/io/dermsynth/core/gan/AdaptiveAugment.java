package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Adaptive discriminator augmentation (Karras et al. 2020b): NVlabs' pipeline of {@link AugmentOp}s, each
 * applied to each image with probability p. Parameters are drawn on the host from the caller's generator
 * (a seeded step augments the same way every time) and composed, per image, into one inverse 2D
 * transform G⁻¹ and one 4×4 colour transform C, as NVlabs does. G⁻¹ runs through {@link GeometricAugment}
 * (reflection padding, 2× upsampling with the sym6 filter, bilinear resampling, downsampling), C as a
 * 3×3 matrix plus offset. Both are differentiable in the images, so D's gradient reaches G and R1 can
 * differentiate through them. A batch in which no image moves (or no colour changes) skips that half:
 * NVlabs runs it anyway, with the same result, since the orthogonal sym6 round trip is the identity.
 */
public final class AdaptiveAugment {

  private AdaptiveAugment() {}

  /** Per image, G⁻¹ (3×3) and C (4×4), row-major. */
  record Transforms(double[][] geometry, double[][] colour) {

    boolean moves() {
      return !allIdentity(geometry, 3);
    }

    boolean recolours() {
      return !allIdentity(colour, 4);
    }

    private static boolean allIdentity(double[][] ms, int k) {
      for (double[] m : ms) {
        for (int i = 0; i < k * k; i++) {
          if (m[i] != (i % (k + 1) == 0 ? 1 : 0)) {
            return false;
          }
        }
      }
      return true;
    }
  }

  /** images [N, 3, H, W] in [−1, 1] → augmented, same shape; p ≤ 0 returns the input and draws nothing. */
  public static NDArray apply(NDArray images, double p, AugmentPipe pipe, SplittableRandom rnd) {
    return apply(images, p, pipe.ops(), rnd);
  }

  /** The same for any sequence of ops (one op alone, say, to look at it). */
  public static NDArray apply(NDArray images, double p, List<AugmentOp> ops, SplittableRandom rnd) {
    if (p <= 0) {
      return images;
    }
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(1) != 3) {
      throw new IllegalArgumentException("augment expects [N, 3, H, W], got " + s);
    }
    int n = (int) s.get(0);
    return execute(images, transforms(ops, sample(ops, n, p, rnd), (int) s.get(2), (int) s.get(3)));
  }

  /** [image][op] → that op's parameters for that image, op by op over the batch as NVlabs draws them. */
  static double[][][] sample(List<AugmentOp> ops, int n, double p, SplittableRandom rnd) {
    double[][][] params = new double[n][ops.size()][];
    for (int k = 0; k < ops.size(); k++) {
      for (int i = 0; i < n; i++) {
        params[i][k] = ops.get(k).sample(p, rnd);
      }
    }
    return params;
  }

  /** Composes each image's op factors: G⁻¹ = G⁻¹·M (in op order), C = M·C. */
  static Transforms transforms(List<AugmentOp> ops, double[][][] params, int h, int w) {
    int n = params.length;
    double[][] g = new double[n][];
    double[][] c = new double[n][];
    for (int i = 0; i < n; i++) {
      g[i] = eye(3);
      c[i] = eye(4);
      for (int k = 0; k < ops.size(); k++) {
        AugmentOp op = ops.get(k);
        double[] m = op.matrix(params[i][k], h, w);
        if (op.geometric()) {
          g[i] = matmul(g[i], m, 3);
        } else {
          c[i] = matmul(m, c[i], 4);
        }
      }
    }
    return new Transforms(g, c);
  }

  /** Runs the composed transforms: geometry first, then colour, as NVlabs does. */
  static NDArray execute(NDArray images, Transforms t) {
    NDArray x = images;
    if (t.moves()) {
      x = GeometricAugment.warp(x, t.geometry());
    }
    if (t.recolours()) {
      x = recolour(x, t.colour());
    }
    return x;
  }

  /** y = C[:3, :3]·x + C[:3, 3] per pixel of each image. */
  private static NDArray recolour(NDArray x, double[][] colour) {
    Shape s = x.getShape();
    int n = (int) s.get(0);
    float[] matrix = new float[n * 9];
    float[] offset = new float[n * 3];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 3; c++) {
          matrix[i * 9 + r * 3 + c] = (float) colour[i][r * 4 + c];
        }
        offset[i * 3 + r] = (float) colour[i][r * 4 + 3];
      }
    }
    NDArray m = OwnedArrays.of(x.getManager(), matrix, new Shape(n, 3, 3));
    NDArray b = OwnedArrays.of(x.getManager(), offset, new Shape(n, 3, 1));
    return m.matMul(x.reshape(n, 3, -1)).add(b).reshape(s);
  }

  static double[] eye(int k) {
    double[] m = new double[k * k];
    for (int i = 0; i < k; i++) {
      m[i * (k + 1)] = 1;
    }
    return m;
  }

  /** a·b for row-major k × k matrices. */
  static double[] matmul(double[] a, double[] b, int k) {
    double[] out = new double[k * k];
    for (int r = 0; r < k; r++) {
      for (int c = 0; c < k; c++) {
        double sum = 0;
        for (int j = 0; j < k; j++) {
          sum += a[r * k + j] * b[j * k + c];
        }
        out[r * k + c] = sum;
      }
    }
    return out;
  }
}
