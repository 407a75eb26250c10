package io.dermsynth.core.gan;

import java.util.SplittableRandom;

/**
 * The twelve operations of NVlabs' {@code bgc} pipeline (stylegan2-ada-pytorch {@code training/augment.py},
 * {@code AugmentPipe}) with its ranges. Each image draws an op's parameters, or the identity's when its
 * coin (probability p, or p_rot for rotation) says no. A geometric op gives a factor of the inverse 2D
 * transform G⁻¹ (output pixel → input pixel, in pixels about the image centre; the pipeline multiplies
 * factors on the right), a colour op a factor of the 4×4 colour transform C (multiplied on the left).
 * Matrices are row-major and in double, as the float64 reference fixture computes them.
 */
public enum AugmentOp {
  /** x-flip: i ∈ {0, 1}, G⁻¹ ·= scale(1 − 2i, 1)⁻¹. */
  XFLIP(true, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {Math.floor(rnd.nextDouble() * 2)};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return scale2d(1 / (1 - 2 * v[0]), 1);
    }
  },
  /** 90° rotations: k ∈ {0, 1, 2, 3}, G⁻¹ ·= rotate(−kπ/2)⁻¹. */
  ROTATE90(true, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {Math.floor(rnd.nextDouble() * 4)};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return rotate2d(Math.PI / 2 * v[0]);
    }
  },
  /** Integer translation: (tx, ty) uniform in ±0.125 of the size, rounded to whole pixels (half to even). */
  XINT(true, 2) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {(rnd.nextDouble() * 2 - 1) * XINT_MAX, (rnd.nextDouble() * 2 - 1) * XINT_MAX};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return translate2d(-Math.rint(v[0] * w), -Math.rint(v[1] * h));
    }
  },
  /** Isotropic scaling: s = 2^N(0, 0.2²). */
  SCALE(true, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {Math.pow(2, gaussian(rnd) * SCALE_STD)};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return scale2d(1 / v[0], 1 / v[0]);
    }

    @Override
    double[] identity() {
      return new double[] {1};
    }
  },
  /**
   * Arbitrary rotation: θ uniform in ±π. The pipeline applies it twice, before and after the anisotropic
   * scaling, each with p_rot = 1 − √(1 − p) so that one of the two happens with probability p.
   */
  ROTATE(true, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {(rnd.nextDouble() * 2 - 1) * Math.PI * ROTATE_MAX};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return rotate2d(v[0]);
    }

    @Override
    double probability(double p) {
      return 1 - Math.sqrt(Math.min(1, Math.max(0, 1 - p)));
    }
  },
  /** Anisotropic scaling: s = 2^N(0, 0.2²) along x, 1/s along y. */
  ANISO(true, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {Math.pow(2, gaussian(rnd) * ANISO_STD)};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return scale2d(1 / v[0], v[0]);
    }

    @Override
    double[] identity() {
      return new double[] {1};
    }
  },
  /** Fractional translation: (tx, ty) ~ N(0, 0.125²) of the size. */
  XFRAC(true, 2) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {gaussian(rnd) * XFRAC_STD, gaussian(rnd) * XFRAC_STD};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return translate2d(-v[0] * w, -v[1] * h);
    }
  },
  /** Brightness: b ~ N(0, 0.2²) added to every channel. */
  BRIGHTNESS(false, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {gaussian(rnd) * BRIGHTNESS_STD};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      double b = v[0];
      return new double[] {1, 0, 0, b, 0, 1, 0, b, 0, 0, 1, b, 0, 0, 0, 1};
    }
  },
  /** Contrast: c = 2^N(0, 0.5²), every channel scaled about 0. */
  CONTRAST(false, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {Math.pow(2, gaussian(rnd) * CONTRAST_STD)};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      double c = v[0];
      return new double[] {c, 0, 0, 0, 0, c, 0, 0, 0, 0, c, 0, 0, 0, 0, 1};
    }

    @Override
    double[] identity() {
      return new double[] {1};
    }
  },
  /** Luma flip: i ∈ {0, 1}, the Householder reflection I − 2i·vvᵀ about the luma axis v = (1, 1, 1)/√3. */
  LUMAFLIP(false, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {Math.floor(rnd.nextDouble() * 2)};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return lumaMix(1 - 2 * v[0], 1);
    }
  },
  /** Hue rotation: θ uniform in ±π about the luma axis. */
  HUE(false, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {(rnd.nextDouble() * 2 - 1) * Math.PI * HUE_MAX};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      // Rodrigues about the unit axis (a, a, a), a = 1/√3: cos θ·I + (1 − cos θ)·vvᵀ + sin θ·[v]×.
      double s = Math.sin(v[0]);
      double c = Math.cos(v[0]);
      double a = 1 / Math.sqrt(3);
      double d = a * a * (1 - c) + c;
      double o = a * a * (1 - c);
      return new double[] {
          d, o - a * s, o + a * s, 0,
          o + a * s, d, o - a * s, 0,
          o - a * s, o + a * s, d, 0,
          0, 0, 0, 1};
    }
  },
  /** Saturation: s = 2^N(0, 1), the chroma (what is orthogonal to the luma axis) scaled by s. */
  SATURATION(false, 1) {
    @Override
    double[] draw(SplittableRandom rnd) {
      return new double[] {Math.pow(2, gaussian(rnd) * SATURATION_STD)};
    }

    @Override
    double[] matrix(double[] v, int h, int w) {
      return lumaMix(1, v[0]);
    }

    @Override
    double[] identity() {
      return new double[] {1};
    }
  };

  static final double XINT_MAX = 0.125;
  static final double SCALE_STD = 0.2;
  static final double ROTATE_MAX = 1;
  static final double ANISO_STD = 0.2;
  static final double XFRAC_STD = 0.125;
  static final double BRIGHTNESS_STD = 0.2;
  static final double CONTRAST_STD = 0.5;
  static final double HUE_MAX = 1;
  static final double SATURATION_STD = 1;

  private final boolean geometric;
  private final int parameters;

  AugmentOp(boolean geometric, int parameters) {
    this.geometric = geometric;
    this.parameters = parameters;
  }

  /** A factor of G⁻¹ (3×3) when true, of C (4×4) when false. */
  public boolean geometric() {
    return geometric;
  }

  /** How many numbers {@link #draw} gives. */
  public int parameters() {
    return parameters;
  }

  /** The op's parameters drawn from its distribution (whether or not the coin lets them apply). */
  abstract double[] draw(SplittableRandom rnd);

  /** The op's factor for parameters {@code v} on an h × w image. */
  abstract double[] matrix(double[] v, int h, int w);

  /** The parameters that leave an image as it is. */
  double[] identity() {
    return new double[parameters];
  }

  /** The chance that the op applies to an image at augmentation strength p (NVlabs: multiplier 1 · p). */
  double probability(double p) {
    return p;
  }

  /** One image's parameters: drawn, then kept with {@link #probability}, else the identity's. */
  double[] sample(double p, SplittableRandom rnd) {
    double[] v = draw(rnd);
    return rnd.nextDouble() < probability(p) ? v : identity();
  }

  /** NVlabs' scale2d(sx, sy), row-major 3×3 (scale2d_inv(a, b) is scale2d(1/a, 1/b)). */
  static double[] scale2d(double sx, double sy) {
    return new double[] {sx, 0, 0, 0, sy, 0, 0, 0, 1};
  }

  /** NVlabs' translate2d(tx, ty), row-major 3×3. */
  static double[] translate2d(double tx, double ty) {
    return new double[] {1, 0, tx, 0, 1, ty, 0, 0, 1};
  }

  /** NVlabs' rotate2d(θ): [[cos, −sin], [sin, cos]]; rotate2d_inv(−θ) is rotate2d(θ). */
  private static double[] rotate2d(double theta) {
    double c = Math.cos(theta);
    double s = Math.sin(theta);
    return new double[] {c, -s, 0, s, c, 0, 0, 0, 1};
  }

  /** along·vvᵀ + across·(I − vvᵀ) for the luma axis v = (1, 1, 1)/√3, in homogeneous 4×4 form. */
  private static double[] lumaMix(double along, double across) {
    double[] m = new double[16];
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) {
        double vv = 1.0 / 3;
        m[r * 4 + c] = along * vv + across * ((r == c ? 1 : 0) - vv);
      }
    }
    m[15] = 1;
    return m;
  }

  static double gaussian(SplittableRandom rnd) {
    // Box–Muller from two uniforms: reproducible from the caller's generator alone.
    double u = 1 - rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }
}
