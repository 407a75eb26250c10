package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import io.dermsynth.core.data.PngEncoder;

/** Images [N, 3, R, R] in [−1, 1] → one PNG, {@code cols} images a row, as NVlabs' fakes*.png grids. */
public final class SampleGrid {

  private SampleGrid() {}

  public static byte[] png(NDArray images, int cols) {
    long[] s = images.getShape().getShape();
    int n = (int) s[0];
    int r = (int) s[2];
    int rows = (n + cols - 1) / cols;
    float[] v = images.toFloatArray();
    int width = cols * r;
    int[] rgb = new int[width * rows * r];
    int plane = r * r;
    for (int i = 0; i < n; i++) {
      int ox = (i % cols) * r;
      int oy = (i / cols) * r;
      for (int y = 0; y < r; y++) {
        for (int x = 0; x < r; x++) {
          int p = y * r + x;
          int base = i * 3 * plane;
          rgb[(oy + y) * width + ox + x] = (byte8(v[base + p]) << 16) | (byte8(v[base + plane + p]) << 8)
              | byte8(v[base + 2 * plane + p]);
        }
      }
    }
    try (PngEncoder enc = new PngEncoder()) {
      return enc.encodeRgb(rgb, width, rows * r);
    }
  }

  /** [−1, 1] → 0…255, rounded and clipped as NVlabs' save_image_grid. */
  static int byte8(float x) {
    return (int) Math.max(0, Math.min(255, Math.rint((x + 1) * 127.5f)));
  }
}
