package io.dermsynth.core.data;

import java.util.Arrays;

/**
 * The DCT perceptual hash (pHash, as the {@code imagehash} package computes it): the image in grey at
 * 32×32, its 2-D DCT-II, and one bit per coefficient of the 8×8 lowest frequencies, set where the
 * coefficient is above their median. Re-encoding, resizing and mild noise move few bits; a different
 * lesion moves about half of them. Bit 63 is coefficient [0][0], then row-major.
 */
public final class PerceptualHash {

  static final int N = 32;
  private static final int K = 8;
  /** COS[k][n] = cos(π k (2n + 1) / 2N), the DCT-II basis for the K lowest frequencies. */
  private static final double[][] COS = new double[K][N];

  static {
    for (int k = 0; k < K; k++) {
      for (int n = 0; n < N; n++) {
        COS[k][n] = Math.cos(Math.PI * k * (2 * n + 1) / (2.0 * N));
      }
    }
  }

  private PerceptualHash() {}

  /** The hash of a square image given as 0xRRGGBB ints, row-major, {@code side}² of them. */
  public static long of(int[] rgb, int side) {
    if (rgb.length != side * side) {
      throw new IllegalArgumentException("expected " + side + "² = " + side * side + " pixels, got " + rgb.length);
    }
    double[] grey = new double[side * side];
    for (int i = 0; i < grey.length; i++) {
      int p = rgb[i];
      // ITU-R 601-2 luma, as PIL's "L" mode.
      grey[i] = ((p >> 16) & 0xFF) * 0.299 + ((p >> 8) & 0xFF) * 0.587 + (p & 0xFF) * 0.114;
    }
    // Area average to 32×32, separably: rows first, then columns; each target pixel reads only the
    // source pixels its box overlaps.
    double[][] w = areaWeights(side);
    int[][] span = spans(w);
    double[] rows = new double[N * side];
    for (int t = 0; t < N; t++) {
      for (int s = span[t][0]; s < span[t][1]; s++) {
        double ws = w[t][s];
        for (int x = 0; x < side; x++) {
          rows[t * side + x] += ws * grey[s * side + x];
        }
      }
    }
    double[] small = new double[N * N];
    for (int t = 0; t < N; t++) {
      for (int u = 0; u < N; u++) {
        double v = 0;
        for (int x = span[u][0]; x < span[u][1]; x++) {
          v += w[u][x] * rows[t * side + x];
        }
        small[t * N + u] = v;
      }
    }
    return ofGrey32(small);
  }

  /** The hash of a 32×32 grey image, row-major. */
  static long ofGrey32(double[] grey) {
    if (grey.length != N * N) {
      throw new IllegalArgumentException("expected " + N * N + " grey values, got " + grey.length);
    }
    // Separable DCT-II: along each row for the K lowest frequencies, then down the columns.
    double[] rowDct = new double[N * K];
    for (int i = 0; i < N; i++) {
      for (int v = 0; v < K; v++) {
        double s = 0;
        for (int j = 0; j < N; j++) {
          s += grey[i * N + j] * COS[v][j];
        }
        rowDct[i * K + v] = s;
      }
    }
    double[] coef = new double[K * K];
    for (int u = 0; u < K; u++) {
      for (int v = 0; v < K; v++) {
        double s = 0;
        for (int i = 0; i < N; i++) {
          s += rowDct[i * K + v] * COS[u][i];
        }
        coef[u * K + v] = 4 * s;
      }
    }
    double[] sorted = coef.clone();
    Arrays.sort(sorted);
    double median = (sorted[K * K / 2 - 1] + sorted[K * K / 2]) / 2;
    long hash = 0;
    for (int i = 0; i < K * K; i++) {
      if (coef[i] > median) {
        hash |= 1L << (K * K - 1 - i);
      }
    }
    return hash;
  }

  /** Bits in which two hashes differ. */
  public static int distance(long a, long b) {
    return Long.bitCount(a ^ b);
  }

  /** Per target pixel, the [first, end) source pixels with a non-zero weight. */
  private static int[][] spans(double[][] w) {
    int[][] span = new int[w.length][2];
    for (int t = 0; t < w.length; t++) {
      int lo = 0;
      while (lo < w[t].length && w[t][lo] == 0) {
        lo++;
      }
      int hi = w[t].length;
      while (hi > lo && w[t][hi - 1] == 0) {
        hi--;
      }
      span[t] = new int[] {lo, hi};
    }
    return span;
  }

  /** w[t][s]: the share of source pixel s in target pixel t when {@code side} pixels are averaged to N. */
  private static double[][] areaWeights(int side) {
    double[][] w = new double[N][side];
    double step = (double) side / N;
    for (int t = 0; t < N; t++) {
      double lo = t * step;
      double hi = lo + step;
      for (int s = (int) Math.floor(lo); s < Math.min(side, Math.ceil(hi)); s++) {
        w[t][s] = (Math.min(hi, s + 1) - Math.max(lo, s)) / step;
      }
    }
    return w;
  }
}
