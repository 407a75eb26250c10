package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * The GAN's training images, kept as 8-bit CHW at the GAN's resolution (a quarter of the memory of
 * floats: 6,000 images at 256² are 1.2 GB), turned into [−1, 1] float batches on demand.
 */
public final class GanImages {

  private final int resolution;
  private final List<byte[]> pixels;

  public GanImages(int resolution, List<byte[]> pixels) {
    for (byte[] p : pixels) {
      if (p.length != 3 * resolution * resolution) {
        throw new IllegalArgumentException("image of " + p.length + " bytes at " + resolution + " px");
      }
    }
    this.resolution = resolution;
    this.pixels = List.copyOf(pixels);
  }

  /**
   * Encoded images (PNG, JPEG, …) → the centre square, scaled to {@code resolution} (bilinear). The
   * centre crop keeps aspect: dermatoscopic lesions sit in the middle of the frame.
   */
  public static GanImages decode(List<byte[]> encoded, int resolution) {
    List<byte[]> px = IntStream.range(0, encoded.size()).parallel()
        .mapToObj(i -> centreSquare(encoded.get(i), resolution, i)).toList();
    return new GanImages(resolution, px);
  }

  /**
   * One encoded image as 8-bit CHW pixels, centre square at {@code size}; an undecodable one throws
   * IllegalArgumentException (or UncheckedIOException for a read error), naming the problem.
   */
  public static byte[] decodeOne(byte[] encoded, int size) {
    return centreSquare(encoded, size, 0);
  }

  /** The side of an encoded image's centre square (its shorter side), read from the decoded image. */
  public static int squareSide(byte[] encoded) {
    BufferedImage img = read(encoded, 0);
    return Math.min(img.getWidth(), img.getHeight());
  }

  private static BufferedImage read(byte[] bytes, int index) {
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("image " + index, e);
    }
    if (img == null) {
      throw new IllegalArgumentException("image " + index + " is not decodable (" + bytes.length + " bytes)");
    }
    return img;
  }

  private static byte[] centreSquare(byte[] bytes, int size, int index) {
    BufferedImage img = read(bytes, index);
    int side = Math.min(img.getWidth(), img.getHeight());
    int x0 = (img.getWidth() - side) / 2;
    int y0 = (img.getHeight() - side) / 2;
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, size, size, x0, y0, x0 + side, y0 + side, null);
    g.dispose();
    int[] rgb = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    int plane = size * size;
    byte[] chw = new byte[3 * plane];
    for (int i = 0; i < plane; i++) {
      chw[i] = (byte) (rgb[i] >> 16);
      chw[plane + i] = (byte) (rgb[i] >> 8);
      chw[2 * plane + i] = (byte) rgb[i];
    }
    return chw;
  }

  public int size() {
    return pixels.size();
  }

  public int resolution() {
    return resolution;
  }

  /** The images at {@code indices} as [N, 3, R, R] in [−1, 1] on {@code manager}. */
  public NDArray batch(int[] indices, NDManager manager) {
    int len = 3 * resolution * resolution;
    float[] out = new float[indices.length * len];
    for (int i = 0; i < indices.length; i++) {
      byte[] p = pixels.get(indices[i]);
      for (int j = 0; j < len; j++) {
        out[i * len + j] = (p[j] & 255) / 127.5f - 1f;
      }
    }
    return OwnedArrays.of(manager, out, new Shape(indices.length, 3, resolution, resolution));
  }
}
