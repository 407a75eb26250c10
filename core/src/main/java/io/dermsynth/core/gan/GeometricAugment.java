package io.dermsynth.core.gan;

import static io.dermsynth.core.gan.AugmentOp.scale2d;
import static io.dermsynth.core.gan.AugmentOp.translate2d;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * NVlabs' execution of ADA's geometric transforms ({@code AugmentPipe.forward}, "Execute geometric
 * transformations"): reflect-pad each image as far as the transformed corners reach, upsample 2× with the
 * sym6 wavelet low-pass, resample bilinearly at G⁻¹ of every output pixel (zeros outside), then filter
 * with sym6 again and take every second pixel. Working at twice the resolution with an orthogonal filter
 * keeps rotations and fractional shifts free of aliasing, and makes the identity exact. The sampling
 * coordinates are computed in libtorch from one 2×3 matrix per image, so no per-pixel array crosses from
 * the host at any resolution; the padding and matrices are computed on the host in double.
 */
final class GeometricAugment {

  /** NVlabs' Hz_geom: Daubechies' sym6 low-pass (wavelets['sym6']), normalised to sum 1. */
  static final float[] SYM6 = normalised(0.015404109327027373, 0.0034907120842174702, -0.11799011114819057,
      -0.048311742585633, 0.4910559419267466, 0.787641141030194, 0.3379294217276218, -0.07263752278646252,
      -0.021060292512300564, 0.04472490177066578, 0.0017677118642428036, -0.007800708325034148);
  /** Hz_pad: a quarter of the filter, the border kept around the image at the upsampled resolution. */
  static final int HZ_PAD = SYM6.length / 4;

  private GeometricAugment() {}

  /** images [N, C, H, W], gInv[i] image i's G⁻¹ (row-major 3×3, pixels about the centre) → same shape. */
  static NDArray warp(NDArray images, double[][] gInv) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(0) != gInv.length) {
      throw new IllegalArgumentException("warp expects [N, C, H, W] and N matrices, got " + s + " and " + gInv.length);
    }
    int n = (int) s.get(0);
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    int[] pad = padding(gInv, h, w);  // x0, y0, x1, y1
    NDArray x = reflectPad(images, pad);
    int hi = 2 * (h + pad[1] + pad[3]);
    int wi = 2 * (w + pad[0] + pad[2]);
    int ho = 2 * (h + 2 * HZ_PAD);
    int wo = 2 * (w + 2 * HZ_PAD);
    x = upsample(x);
    float[] maps = new float[n * 6];
    for (int i = 0; i < n; i++) {
      double[] a = pixelMap(gInv[i], pad, hi, wi, ho, wo);
      for (int k = 0; k < 6; k++) {
        maps[i * 6 + k] = (float) a[k];
      }
    }
    x = bilinear(x, OwnedArrays.of(images.getManager(), maps, new Shape(n, 2, 3)), ho, wo);
    x = downsample(x.get(new NDIndex(String.format(":, :, 1:%d, 1:%d", ho - 1, wo - 1))));  // padding −1
    if (!x.getShape().equals(s)) {
      throw new IllegalStateException("warp made " + x.getShape() + " from " + s);
    }
    return x;
  }

  /**
   * NVlabs' margins: how far the transformed corners of every image reach outside it, plus 2·Hz_pad for
   * the filter, clamped to [0, side − 1] (reflection cannot go further) and rounded up.
   */
  static int[] padding(double[][] gInv, int h, int w) {
    double cx = (w - 1) / 2.0;
    double cy = (h - 1) / 2.0;
    double[] m = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.NEGATIVE_INFINITY};
    double[][] corners = {{-cx, -cy}, {cx, -cy}, {cx, cy}, {-cx, cy}};
    for (double[] g : gInv) {
      for (double[] p : corners) {
        double px = g[0] * p[0] + g[1] * p[1] + g[2];
        double py = g[3] * p[0] + g[4] * p[1] + g[5];
        m[0] = Math.max(m[0], -px);
        m[1] = Math.max(m[1], -py);
        m[2] = Math.max(m[2], px);
        m[3] = Math.max(m[3], py);
      }
    }
    int[] pad = new int[4];
    for (int k = 0; k < 4; k++) {
      boolean isX = k % 2 == 0;
      double v = m[k] + HZ_PAD * 2 - (isX ? cx : cy);
      pad[k] = (int) Math.ceil(Math.min(Math.max(v, 0), (isX ? w : h) - 1));
    }
    return pad;
  }

  /**
   * torch.nn.functional.pad(mode='reflect') by (x0, y0, x1, y1): a gather along H, then one along W, each
   * with an index of one row or column (the source row or column of every padded one).
   */
  private static NDArray reflectPad(NDArray x, int[] pad) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1);
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    int hp = h + pad[1] + pad[3];
    int wp = w + pad[0] + pad[2];
    NDManager m = x.getManager();
    NDArray rows = reflectIndex(m, h, pad[1], pad[3]).reshape(1, 1, hp, 1).broadcast(new Shape(n, c, hp, w));
    NDArray cols = reflectIndex(m, w, pad[0], pad[2]).reshape(1, 1, 1, wp).broadcast(new Shape(n, c, hp, wp));
    return x.gather(rows, 2).gather(cols, 3);
  }

  /** For each of before + size + after padded positions, the source position it reflects. */
  private static NDArray reflectIndex(NDManager m, int size, int before, int after) {
    long[] index = new long[before + size + after];
    for (int i = 0; i < index.length; i++) {
      index[i] = reflect(i - before, size);
    }
    return OwnedArrays.of(m, index);
  }

  private static int reflect(int i, int size) {
    if (i < 0) {
      return -i;
    }
    return i >= size ? 2 * (size - 1) - i : i;
  }

  /**
   * upfirdn2d.upsample2d(f = sym6, up = 2) — zero insertion, padding (6, 5), the filter × 2 per axis — in
   * polyphase form, W then H: the even outputs are the even taps of the flipped filter over x, the odd
   * outputs the odd taps, one shifted from the other. One 7-tap convolution with two outputs per channel
   * gives both phases, which are then interleaved; no zero-filled array four times the input is made, and
   * no multiplication by an inserted zero is done (DJL's PyTorch engine has no transposed convolution).
   */
  private static NDArray upsample(NDArray x) {
    int taps = SYM6.length;  // 12: y[2m] = Σ_s x[m + s − 3]·g[2s], y[2m + 1] = Σ_s x[m + s − 2]·g[2s + 1]
    float[] phases = new float[2 * (taps / 2 + 1)];
    for (int s = 0; s < taps / 2; s++) {
      phases[s] = SYM6[taps - 1 - 2 * s] * 2;                      // even outputs, offsets −3 … +2
      phases[taps / 2 + 1 + s + 1] = SYM6[taps - 2 - 2 * s] * 2;  // odd outputs, offsets −2 … +3
    }
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    int k = taps / 2 + 1;
    NDManager m = x.getManager();
    NDArray alongW = OwnedArrays.of(m, phases, new Shape(1, 2, 1, 1, k)).broadcast(new Shape(c, 2, 1, 1, k))
        .reshape(2 * c, 1, 1, k);
    NDArray y = Conv2d.conv2d(x, alongW, null, new Shape(1, 1), new Shape(0, k / 2), new Shape(1, 1), (int) c)
        .singletonOrThrow();  // [N, 2C, H, W], channel 2c + phase
    y = y.reshape(n, c, 2, h, w).transpose(0, 1, 3, 4, 2).reshape(n, c, h, 2 * w);
    NDArray alongH = alongW.reshape(2 * c, 1, k, 1);
    y = Conv2d.conv2d(y, alongH, null, new Shape(1, 1), new Shape(k / 2, 0), new Shape(1, 1), (int) c)
        .singletonOrThrow();  // [N, 2C, H, 2W]
    return y.reshape(n, c, 2, h, 2 * w).transpose(0, 1, 3, 2, 4).reshape(n, c, 2 * h, 2 * w);
  }

  /**
   * upfirdn2d.downsample2d(f = sym6, down = 2, flip_filter = True) after its crop: the filter correlated
   * along W then H, every second pixel kept. [N, C, 2H + 10, 2W + 10] → [N, C, H, W].
   */
  private static NDArray downsample(NDArray x) {
    long c = x.getShape().get(1);
    int k = SYM6.length;
    NDManager m = x.getManager();
    NDArray alongW = OwnedArrays.of(m, SYM6, new Shape(1, 1, 1, k)).broadcast(new Shape(c, 1, 1, k));
    NDArray y = Conv2d.conv2d(x, alongW, null, new Shape(1, 2), new Shape(0, 0), new Shape(1, 1), (int) c)
        .singletonOrThrow();
    return Conv2d.conv2d(y, alongW.reshape(c, 1, k, 1), null, new Shape(2, 1), new Shape(0, 0), new Shape(1, 1),
        (int) c).singletonOrThrow();
  }

  /**
   * The 2×3 map from an output pixel (column j, row i) to the upsampled image's pixel coordinates: NVlabs'
   * chain of G⁻¹ adjustments (padding offset, 2× scale about pixel centres, normalised coordinates for
   * affine_grid), composed with affine_grid's and grid_sample's own conversions (align_corners = False).
   */
  static double[] pixelMap(double[] gInv, int[] pad, int hi, int wi, int ho, int wo) {
    double[] g = AdaptiveAugment.matmul(translate2d((pad[0] - pad[2]) / 2.0, (pad[1] - pad[3]) / 2.0), gInv, 3);
    g = chain(scale2d(2, 2), g, scale2d(0.5, 0.5));
    g = chain(translate2d(-0.5, -0.5), g, translate2d(0.5, 0.5));
    double[] theta = chain(scale2d(2.0 / wi, 2.0 / hi), g, scale2d(wo / 2.0, ho / 2.0));
    double[] toNormalised = {2.0 / wo, 0, 1.0 / wo - 1, 0, 2.0 / ho, 1.0 / ho - 1, 0, 0, 1};
    double[] toPixels = {wi / 2.0, 0, (wi - 1) / 2.0, 0, hi / 2.0, (hi - 1) / 2.0, 0, 0, 1};
    double[] a = chain(toPixels, theta, toNormalised);
    return new double[] {a[0], a[1], a[2], a[3], a[4], a[5]};
  }

  /**
   * grid_sample(bilinear, zeros, align_corners = False) at map·(j, i, 1) for every output pixel: one gather
   * of the four neighbouring pixels, each weighted by its bilinear weight, zero where it lies outside.
   */
  private static NDArray bilinear(NDArray x, NDArray maps, int ho, int wo) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1);
    long hi = s.get(2);
    long wi = s.get(3);
    long pixels = (long) ho * wo;
    NDManager m = x.getManager();
    NDArray cols = m.arange(0f, (float) wo, 1f).reshape(1, 1, wo);
    NDArray rows = m.arange(0f, (float) ho, 1f).reshape(1, ho, 1);
    NDArray ix = mapped(maps, 0, cols, rows).reshape(n, pixels);
    NDArray iy = mapped(maps, 1, cols, rows).reshape(n, pixels);
    NDArray x0 = ix.floor();
    NDArray y0 = iy.floor();
    NDArray fx = ix.sub(x0);
    NDArray fy = iy.sub(y0);
    NDArray source = x.reshape(n, c, hi * wi);
    NDList indices = new NDList();
    NDList weights = new NDList();
    for (int dy = 0; dy < 2; dy++) {
      for (int dx = 0; dx < 2; dx++) {
        NDArray xc = dx == 0 ? x0 : x0.add(1f);
        NDArray yc = dy == 0 ? y0 : y0.add(1f);
        NDArray weight = (dx == 0 ? fx.neg().add(1f) : fx).mul(dy == 0 ? fy.neg().add(1f) : fy);
        NDArray xk = xc.clip(0, wi - 1);
        NDArray yk = yc.clip(0, hi - 1);
        NDArray inside = xk.eq(xc).logicalAnd(yk.eq(yc)).toType(DataType.FLOAT32, false);
        indices.add(yk.toType(DataType.INT64, false).mul(wi).add(xk.toType(DataType.INT64, false)));
        weights.add(weight.mul(inside));
      }
    }
    // One gather for the four neighbours: its backward scatters into one source-sized gradient, not four.
    NDArray index = NDArrays.concat(indices, 1).expandDims(1).broadcast(new Shape(n, c, 4 * pixels));
    NDArray weight = NDArrays.concat(weights, 1).expandDims(1);
    return source.gather(index, 2).mul(weight).reshape(n, c, 4, pixels).sum(new int[] {2}).reshape(n, c, ho, wo);
  }

  /** Row r of each image's map at every (column j, row i): [N, ho, wo]. */
  private static NDArray mapped(NDArray maps, int r, NDArray cols, NDArray rows) {
    long n = maps.getShape().get(0);
    NDArray a = maps.get(":, " + r + ", :").reshape(n, 3, 1, 1);
    return a.get(":, 0").mul(cols).add(a.get(":, 1").mul(rows)).add(a.get(":, 2"));
  }

  private static double[] chain(double[] a, double[] b, double[] c) {
    return AdaptiveAugment.matmul(AdaptiveAugment.matmul(a, b, 3), c, 3);
  }

  private static float[] normalised(double... taps) {
    double sum = 0;
    for (double t : taps) {
      sum += t;
    }
    float[] f = new float[taps.length];
    for (int k = 0; k < taps.length; k++) {
      f[k] = (float) (taps[k] / sum);
    }
    return f;
  }
}
