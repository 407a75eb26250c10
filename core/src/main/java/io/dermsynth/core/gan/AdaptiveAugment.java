package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Adaptive discriminator augmentation (Karras et al. 2020b), the "bgc" subset that suits small CPU
 * runs: x-flip, 90° rotation, integer translation (≤ 1/8 of the side, reflected at the border),
 * brightness, contrast and saturation, each applied to each image with probability p. Every
 * transform is differentiable: the geometric ones are one gather over pixel indices, the colour ones
 * one 3×3 matrix plus offset per image. Random draws come from the caller's generator, so a seeded
 * step augments the same way every time.
 */
public final class AdaptiveAugment {

  static final double TRANSLATE_MAX = 0.125;
  static final double BRIGHTNESS_STD = 0.2;
  static final double CONTRAST_STD = 0.5;
  static final double SATURATION_STD = 1.0;

  private AdaptiveAugment() {}

  /** images [N, 3, R, R] in [−1, 1] → augmented, same shape; p ≤ 0 returns the input. */
  public static NDArray apply(NDArray images, double p, SplittableRandom rnd) {
    if (p <= 0) {
      return images;
    }
    Shape s = images.getShape();
    int n = (int) s.get(0);
    int c = (int) s.get(1);
    int r = (int) s.get(2);
    if (s.dimension() != 4 || c != 3 || s.get(3) != r) {
      throw new IllegalArgumentException("augment expects [N, 3, R, R], got " + s);
    }
    NDArray x = images;
    long[] index = geometry(n, r, p, rnd);
    if (index != null) {
      NDManager m = images.getManager();
      NDArray idx = OwnedArrays.of(m, index, new Shape(n, 1, (long) r * r)).broadcast(new Shape(n, c, (long) r * r));
      x = x.reshape(n, c, (long) r * r).gather(idx, 2).reshape(n, c, r, r);
    }
    float[][] colour = colour(n, p, rnd);
    if (colour != null) {
      NDManager m = images.getManager();
      NDArray matrix = OwnedArrays.of(m, colour[0], new Shape(n, 3, 3));
      NDArray offset = OwnedArrays.of(m, colour[1], new Shape(n, 3, 1));
      x = matrix.matMul(x.reshape(n, 3, (long) r * r)).add(offset).reshape(n, 3, r, r);
    }
    return x;
  }

  /** For each output pixel of each image, the source pixel (row-major), or null when all are identity. */
  static long[] geometry(int n, int r, double p, SplittableRandom rnd) {
    long[] index = new long[n * r * r];
    boolean any = false;
    int maxShift = (int) Math.round(TRANSLATE_MAX * r);
    for (int i = 0; i < n; i++) {
      boolean flip = rnd.nextDouble() < p;
      int rot = rnd.nextDouble() < p ? rnd.nextInt(4) : 0;
      boolean translate = rnd.nextDouble() < p;
      int ty = translate ? rnd.nextInt(-maxShift, maxShift + 1) : 0;
      int tx = translate ? rnd.nextInt(-maxShift, maxShift + 1) : 0;
      any |= flip || rot != 0 || ty != 0 || tx != 0;
      for (int y = 0; y < r; y++) {
        for (int x = 0; x < r; x++) {
          // out = translate(rot90^k(xflip(in))): walk back from the output pixel to its source.
          int sy = reflect(y - ty, r);
          int sx = reflect(x - tx, r);
          for (int k = 0; k < rot; k++) {  // torch.rot90(·, 1, [2, 3]): out[a][b] = in[b][R−1−a]
            int t = sy;
            sy = sx;
            sx = r - 1 - t;
          }
          if (flip) {
            sx = r - 1 - sx;
          }
          index[(i * r + y) * r + x] = (long) sy * r + sx;
        }
      }
    }
    return any ? index : null;
  }

  private static int reflect(int i, int r) {
    if (i < 0) {
      return -i;
    }
    return i >= r ? 2 * (r - 1) - i : i;
  }

  /**
   * Per image a 3×3 matrix and an offset: brightness b (added), contrast c (scaled about 0, the grey
   * of [−1, 1]), saturation s (scaled about the grey axis v = (1,1,1)/√3): y = c·S(x + b). Null when
   * every image keeps its colours.
   */
  static float[][] colour(int n, double p, SplittableRandom rnd) {
    float[] matrix = new float[n * 9];
    float[] offset = new float[n * 3];
    boolean any = false;
    for (int i = 0; i < n; i++) {
      double b = rnd.nextDouble() < p ? gaussian(rnd) * BRIGHTNESS_STD : 0;
      double c = rnd.nextDouble() < p ? Math.pow(2, gaussian(rnd) * CONTRAST_STD) : 1;
      double sat = rnd.nextDouble() < p ? Math.pow(2, gaussian(rnd) * SATURATION_STD) : 1;
      any |= b != 0 || c != 1 || sat != 1;
      for (int row = 0; row < 3; row++) {
        for (int col = 0; col < 3; col++) {
          // v vᵀ + (I − v vᵀ)·s, with v vᵀ = 1/3 everywhere.
          double vv = 1.0 / 3;
          double s = vv + ((row == col ? 1 : 0) - vv) * sat;
          matrix[i * 9 + row * 3 + col] = (float) (c * s);
        }
        offset[i * 3 + row] = (float) (c * b);  // S maps (b, b, b) to itself
      }
    }
    return any ? new float[][] {matrix, offset} : null;
  }

  private static double gaussian(SplittableRandom rnd) {
    // Box–Muller: SplittableRandom has no nextGaussian on Java 17.
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }
}
