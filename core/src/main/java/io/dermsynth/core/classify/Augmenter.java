package io.dermsynth.core.classify;

import java.util.SplittableRandom;

/**
 * Train-time augmentation on one CHW float image in [0, 1]: random resized crop (scale 0.65–1, aspect
 * 3/4–4/3, bilinear back to the full size), horizontal/vertical flip and 90° rotation (dermatoscopic
 * images have no canonical orientation), and small brightness / contrast / saturation jitter.
 */
public final class Augmenter {

  /**
   * @param cropScaleMin smallest crop area as a fraction of the image
   * @param jitter largest relative change of brightness, contrast and saturation
   */
  public record Options(double cropScaleMin, double jitter) {
    public static Options defaults() {
      return new Options(0.65, 0.1);
    }
  }

  private final Options options;

  public Augmenter(Options options) {
    this.options = options;
  }

  public float[] apply(float[] chw, int size, SplittableRandom r) {
    float[] img = resizedCrop(chw, size, r);
    img = orient(img, size, r.nextInt(4), r.nextBoolean());
    jitter(img, size, r);
    return img;
  }

  private float[] resizedCrop(float[] src, int n, SplittableRandom r) {
    double area = options.cropScaleMin() + r.nextDouble() * (1 - options.cropScaleMin());
    double aspect = Math.exp(Math.log(3.0 / 4) + r.nextDouble() * Math.log(16.0 / 9));
    double cw = Math.min(1, Math.sqrt(area * aspect)) * n;
    double ch = Math.min(1, Math.sqrt(area / aspect)) * n;
    double x0 = r.nextDouble() * (n - cw);
    double y0 = r.nextDouble() * (n - ch);
    float[] out = new float[src.length];
    int plane = n * n;
    for (int y = 0; y < n; y++) {
      double sy = Math.min(n - 1, Math.max(0, y0 + (y + 0.5) * ch / n - 0.5));
      int iy = (int) sy;
      int iy1 = Math.min(n - 1, iy + 1);
      double fy = sy - iy;
      for (int x = 0; x < n; x++) {
        double sx = Math.min(n - 1, Math.max(0, x0 + (x + 0.5) * cw / n - 0.5));
        int ix = (int) sx;
        int ix1 = Math.min(n - 1, ix + 1);
        double fx = sx - ix;
        for (int c = 0; c < 3; c++) {
          int o = c * plane;
          double top = src[o + iy * n + ix] * (1 - fx) + src[o + iy * n + ix1] * fx;
          double bottom = src[o + iy1 * n + ix] * (1 - fx) + src[o + iy1 * n + ix1] * fx;
          out[o + y * n + x] = (float) (top * (1 - fy) + bottom * fy);
        }
      }
    }
    return out;
  }

  /** Rotate by {@code quarterTurns} × 90° and optionally mirror: the 8 symmetries of the square. */
  static float[] orient(float[] src, int n, int quarterTurns, boolean mirror) {
    if (quarterTurns == 0 && !mirror) {
      return src;
    }
    float[] out = new float[src.length];
    int plane = n * n;
    int m = n - 1;
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int sx = mirror ? m - x : x;
        int sy = y;
        for (int t = 0; t < quarterTurns; t++) {
          int tmp = sx;
          sx = sy;
          sy = m - tmp;
        }
        for (int c = 0; c < 3; c++) {
          out[c * plane + y * n + x] = src[c * plane + sy * n + sx];
        }
      }
    }
    return out;
  }

  private void jitter(float[] img, int n, SplittableRandom r) {
    double j = options.jitter();
    double brightness = 1 + (r.nextDouble() * 2 - 1) * j;
    double contrast = 1 + (r.nextDouble() * 2 - 1) * j;
    double saturation = 1 + (r.nextDouble() * 2 - 1) * j;
    int plane = n * n;
    double mean = 0;
    for (int i = 0; i < plane; i++) {
      mean += 0.299 * img[i] + 0.587 * img[plane + i] + 0.114 * img[2 * plane + i];
    }
    mean /= plane;
    for (int i = 0; i < plane; i++) {
      double grey = 0.299 * img[i] + 0.587 * img[plane + i] + 0.114 * img[2 * plane + i];
      for (int c = 0; c < 3; c++) {
        double v = img[c * plane + i] * brightness;
        v = grey * brightness + (v - grey * brightness) * saturation;
        v = mean * brightness + (v - mean * brightness) * contrast;
        img[c * plane + i] = (float) Math.max(0, Math.min(1, v));
      }
    }
  }
}
