package io.dermsynth.core.classify;

import io.dermsynth.core.BadInputException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** PNG bytes (the tables' image form) → CHW float pixels in [0, 1] at a given square size. */
public final class ImageTensors {

  /** ImageNet statistics, as torchvision normalises, so that torchvision weights can be used. */
  public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  public static final float[] STD = {0.229f, 0.224f, 0.225f};

  private ImageTensors() {}

  public static float[] decode(byte[] png, int size) throws IOException {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    if (img == null) {
      throw new BadInputException("not a decodable image (" + png.length + " bytes)");
    }
    if (img.getWidth() != size || img.getHeight() != size || img.getType() != BufferedImage.TYPE_INT_RGB) {
      BufferedImage scaled = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = scaled.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(img, 0, 0, size, size, null);
      g.dispose();
      img = scaled;
    }
    int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    int plane = size * size;
    float[] chw = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      chw[i] = ((px[i] >> 16) & 255) / 255f;
      chw[plane + i] = ((px[i] >> 8) & 255) / 255f;
      chw[2 * plane + i] = (px[i] & 255) / 255f;
    }
    return chw;
  }

  /** In place: (x − mean) / std per channel. */
  public static void normalise(float[] chw, int size) {
    int plane = size * size;
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < plane; i++) {
        chw[c * plane + i] = (chw[c * plane + i] - MEAN[c]) / STD[c];
      }
    }
  }
}
