package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class TestEncodePng {

  @Test
  void decodesBackToTheSamePixels() throws IOException {
    SplittableRandom r = new SplittableRandom(1);
    try (PngEncoder enc = new PngEncoder()) {
      for (int[] wh : new int[][] {{1, 1}, {7, 3}, {64, 64}, {130, 17}}) {
        int w = wh[0];
        int h = wh[1];
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
          px[i] = r.nextInt(0x1000000);  // random: every Sub-filter wrap-around is exercised
        }
        byte[] png = enc.encodeRgb(px, w, h);
        assertTrue(PngChunks.check(png).isEmpty(), "chunks and CRCs valid");
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(w, back.getWidth());
        assertEquals(h, back.getHeight());
        int[] got = back.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < got.length; i++) {
          got[i] &= 0xFFFFFF;
        }
        assertArrayEquals(px, got, w + "×" + h);
      }
    }
  }
}
