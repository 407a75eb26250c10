package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestNormalizeImage {

  @TempDir static Path dir;
  static BadInputCorpus corpus;
  static final ImageNormalizer NORMALIZER = new ImageNormalizer(ImageNormalizer.Options.ofSize(32));

  @BeforeAll
  static void writeCorpus() throws IOException {
    corpus = BadInputCorpus.write(dir);
  }

  static ImageNormalizer.Outcome normalize(String id) throws IOException {
    try (var files = Files.list(dir.resolve("images"))) {
      Path p = files.filter(f -> ImageFiles.stem(f).equals(id)).findFirst().orElseThrow();
      return NORMALIZER.normalize(Files.readAllBytes(p));
    }
  }

  static BufferedImage decoded(String id) throws IOException {
    var ok = assertInstanceOf(ImageNormalizer.Normalized.class, normalize(id), id);
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(ok.png()));
    assertEquals(32, img.getWidth(), id);
    assertEquals(32, img.getHeight(), id);
    return img;
  }

  @Test
  void everyFileKindGetsItsOutcome() throws IOException {
    for (Map.Entry<String, QuarantineReason> e : corpus.expected.entrySet()) {
      Path file;
      try (var files = Files.list(dir.resolve("images"))) {
        file = files.filter(f -> ImageFiles.stem(f).equals(e.getKey())).findFirst().orElse(null);
      }
      boolean fileLevel = e.getValue() == null || e.getValue().ordinal() >= QuarantineReason.READ_ERROR.ordinal();
      if (file == null || !fileLevel) {
        continue;  // listing problems are the readers' business
      }
      var outcome = NORMALIZER.normalize(Files.readAllBytes(file));
      if (e.getValue() == null) {
        assertInstanceOf(ImageNormalizer.Normalized.class, outcome, e.getKey() + ": " + outcome);
      } else {
        var failed = assertInstanceOf(ImageNormalizer.Failed.class, outcome, e.getKey());
        assertEquals(e.getValue(), failed.reason(), e.getKey() + ": " + failed.message());
      }
    }
  }

  @Test
  void pixelsAreUprightAndColoursKept() throws IOException {
    // pattern: left red, right blue, green bar on top. Centre crop of 120x90 keeps both halves.
    BufferedImage plain = decoded("ok_png");
    assertColour(plain, 4, 20, 200, 30, 30, 2);
    assertColour(plain, 28, 20, 30, 30, 200, 2);
    // EXIF 6 (rotate 90° clockwise to display): the stored left half becomes the top half.
    BufferedImage rotated = decoded("ok_exif_rotated");
    assertColour(rotated, 12, 4, 200, 30, 30, 12);
    assertColour(rotated, 12, 28, 30, 30, 200, 12);
    // The stored green top bar becomes the right-hand column.
    assertColour(rotated, 31, 16, 30, 200, 30, 40);
  }

  @Test
  void greySixteenBitAndAlphaConvertExactly() throws IOException {
    BufferedImage grey = decoded("ok_grey_png");
    int expectedGrey = BadInputCorpus.pattern(BufferedImage.TYPE_BYTE_GRAY, 80, 60)
        .getRaster().getSample(5, 30, 0);
    // Same value in all three channels, not brightened by a linear-gamma conversion.
    assertColour(grey, 3, 20, expectedGrey, expectedGrey, expectedGrey, 2);
    BufferedImage sixteen = decoded("ok_16bit_png");
    assertColour(sixteen, 4, 20, 200, 30, 30, 2);
    BufferedImage rgba = decoded("ok_rgba_png");
    assertColour(rgba, 4, 20, 200, 30, 30, 2);
  }

  @Test
  void cmykJpegDecodesToRgb() throws IOException {
    BufferedImage cmyk = decoded("ok_cmyk_jpeg");
    int left = cmyk.getRGB(4, 16);
    int right = cmyk.getRGB(28, 16);
    // Left was written without cyan → reddish; right without yellow → bluish.
    assertTrue(((left >> 16) & 255) > (left & 255), "left should be red-dominant: " + Integer.toHexString(left));
    assertTrue((right & 255) > ((right >> 16) & 255), "right should be blue-dominant: " + Integer.toHexString(right));
  }

  @Test
  void outputIsPlainPngWithoutMetadata() throws IOException {
    var ok = assertInstanceOf(ImageNormalizer.Normalized.class, normalize("ok_exif_rotated"));
    assertEquals(120, ok.sourceWidth());
    assertEquals(90, ok.sourceHeight());
    assertEquals("jpeg", ok.sourceFormat());
    String text = new String(ok.png(), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(!text.contains("Exif") && !text.contains("tEXt") && !text.contains("eXIf"));
  }

  static void assertColour(BufferedImage img, int x, int y, int r, int g, int b, int tol) {
    int p = img.getRGB(x, y);
    int[] got = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
    int[] want = {r, g, b};
    for (int i = 0; i < 3; i++) {
      assertTrue(Math.abs(got[i] - want[i]) <= tol, "pixel (" + x + "," + y + ") = "
          + java.util.Arrays.toString(got) + ", expected " + java.util.Arrays.toString(want));
    }
  }
}
