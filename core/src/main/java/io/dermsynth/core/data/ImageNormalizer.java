package io.dermsynth.core.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns the bytes of any supported image file into the working form every later stage reads: an
 * 8-bit sRGB PNG, square (centre crop), {@code size}×{@code size}, upright (EXIF orientation applied),
 * without metadata. Whatever cannot be turned into that is returned as a {@link Failed} with a reason,
 * never thrown, so one bad file cannot stop a distributed job.
 *
 * <p>Instances are not thread-safe (they hold a reusable PNG encoder); use one per task.
 */
public final class ImageNormalizer implements AutoCloseable {

  /**
   * @param size side of the square output in pixels
   * @param maxPixels largest declared width × height accepted; guards against decompression bombs
   * @param minSide smallest accepted width or height
   */
  public record Options(int size, long maxPixels, int minSide) implements java.io.Serializable {
    public Options {
      if (size < 8 || size > 4096) {
        throw new IllegalArgumentException("ingest size must be in [8, 4096], got " + size);
      }
      if (maxPixels < (long) size * size) {
        throw new IllegalArgumentException("max_pixels " + maxPixels + " is below size² " + size * size);
      }
      if (minSide < 1) {
        throw new IllegalArgumentException("min_side must be ≥ 1, got " + minSide);
      }
    }

    public static Options ofSize(int size) {
      return new Options(size, 100_000_000L, 16);
    }
  }

  /** The outcome of one file. */
  public sealed interface Outcome permits Normalized, Failed {}

  /**
   * A usable image: the PNG, its side, the source's own dimensions and format, the SHA-256 of its
   * decoded pixels ({@link Hashing#pixelSha256}) and the {@link PerceptualHash} of the working image.
   */
  public record Normalized(byte[] png, int size, int sourceWidth, int sourceHeight,
      String sourceFormat, String pixelSha256, long phash) implements Outcome {}

  /** An unusable file, with the reason code and a message for a person. */
  public record Failed(QuarantineReason reason, String message) implements Outcome {}

  private final Options options;
  private final PngEncoder png = new PngEncoder();

  public ImageNormalizer(Options options) {
    this.options = Objects.requireNonNull(options);
  }

  public Outcome normalize(byte[] bytes) {
    if (bytes.length == 0) {
      return new Failed(QuarantineReason.EMPTY_FILE, "file has 0 bytes");
    }
    ImageSignature sig = ImageSignature.of(bytes);
    switch (sig) {
      case TEXT -> {
        return new Failed(QuarantineReason.NOT_AN_IMAGE, "file holds text, not an image");
      }
      case UNKNOWN -> {
        return new Failed(QuarantineReason.NOT_AN_IMAGE, "no known image signature (first bytes "
            + java.util.HexFormat.of().formatHex(bytes, 0, Math.min(8, bytes.length)) + ")");
      }
      case TIFF, WEBP -> {
        return new Failed(QuarantineReason.UNSUPPORTED_FORMAT, sig + " is not supported; "
            + "convert to JPEG or PNG");
      }
      case PNG -> {
        var fault = PngChunks.check(bytes);
        if (fault.isPresent()) {
          return fault.get();
        }
      }
      default -> { }
    }
    try {
      return decode(bytes, sig);
    } catch (EOFException e) {
      return new Failed(sig == ImageSignature.PNG ? QuarantineReason.TRUNCATED_PNG
          : sig == ImageSignature.JPEG ? QuarantineReason.TRUNCATED_JPEG
          : QuarantineReason.CORRUPT_IMAGE, "file ends early: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      // ImageIO reports corrupt data as IIOException, and some decoders as runtime exceptions.
      return new Failed(QuarantineReason.CORRUPT_IMAGE, sig + " decoder: " + e);
    }
  }

  private Outcome decode(byte[] bytes, ImageSignature sig) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return new Failed(QuarantineReason.UNSUPPORTED_FORMAT, "no decoder for " + sig);
      }
      ImageReader reader = readers.next();
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener((src, warning) -> warnings.add(warning));
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if ((long) w * h > options.maxPixels()) {
          return new Failed(QuarantineReason.IMAGE_TOO_LARGE, "declared " + w + "×" + h + " = "
              + (long) w * h + " pixels, limit " + options.maxPixels());
        }
        if (Math.min(w, h) < options.minSide()) {
          return new Failed(QuarantineReason.IMAGE_TOO_SMALL, w + "×" + h + " is below the "
              + "minimum side " + options.minSide());
        }
        BufferedImage img = reader.read(0);
        if (sig == ImageSignature.JPEG && (hasPrematureEnd(warnings) || !endsWithEoi(bytes))) {
          return new Failed(QuarantineReason.TRUNCATED_JPEG, "JPEG data ends before its end-of-"
              + "image marker" + (warnings.isEmpty() ? "" : " (" + warnings.get(0) + ")"));
        }
        int orientation = sig == ImageSignature.JPEG ? ExifOrientation.of(bytes) : 1;
        int[] square = squareRgb(img, options.size());
        int[] upright = ExifOrientation.apply(square, options.size(), orientation);
        return new Normalized(png.encodeRgb(upright, options.size(), options.size()), options.size(), w, h,
            sig.name().toLowerCase(java.util.Locale.ROOT), Hashing.pixelSha256(img, orientation),
            PerceptualHash.of(upright, options.size()));
      } finally {
        reader.dispose();
      }
    }
  }

  private static boolean hasPrematureEnd(List<String> warnings) {
    return warnings.stream().anyMatch(w -> w.toLowerCase(java.util.Locale.ROOT).contains("premature"));
  }

  /** Whether an EOI marker (FF D9) is among the last bytes; some writers pad after it. */
  private static boolean endsWithEoi(byte[] b) {
    for (int i = b.length - 2; i >= Math.max(0, b.length - 64); i--) {
      if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
        return true;
      }
    }
    return false;
  }

  /**
   * Centre square of {@code img} as 8-bit sRGB, resized to {@code size}, as 0xRRGGBB ints. 8-bit sRGB
   * images (the usual JPEG, indexed, RGBA) are cropped and scaled by Java2D in one draw; grey and
   * 16-bit rasters are converted sample by sample first, since Java2D treats 8-bit grey as linear and
   * would brighten it.
   */
  static int[] squareRgb(BufferedImage img, int size) {
    int side = Math.min(img.getWidth(), img.getHeight());
    int x0 = (img.getWidth() - side) / 2;
    int y0 = (img.getHeight() - side) / 2;
    BufferedImage src = img;
    if (needsSampleConversion(img)) {
      src = toRgb(img, x0, y0, side);
      x0 = 0;
      y0 = 0;
    }
    // Successive halvings first, so large downscales do not alias.
    while (side / 2 >= size) {
      src = draw(src, x0, y0, side, side / 2);
      x0 = 0;
      y0 = 0;
      side /= 2;
    }
    BufferedImage out = side == size && x0 == 0 && y0 == 0
        && src.getType() == BufferedImage.TYPE_INT_RGB && src.getWidth() == size
        ? src : draw(src, x0, y0, side, size);
    return ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
  }

  /** Grey (any depth) and deeper-than-8-bit component rasters. */
  private static boolean needsSampleConversion(BufferedImage img) {
    var cm = img.getColorModel();
    Raster r = img.getRaster();
    if (cm instanceof IndexColorModel || cm.getNumComponents() != r.getNumBands()) {
      return false;
    }
    boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && r.getNumBands() <= 2;
    boolean deepSrgb = cm.getColorSpace().isCS_sRGB() && r.getSampleModel().getSampleSize(0) > 8;
    return grey || deepSrgb;
  }

  private static BufferedImage toRgb(BufferedImage img, int x0, int y0, int side) {
    BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Raster r = img.getRaster();
    int bands = r.getNumBands();
    int bits = r.getSampleModel().getSampleSize(0);
    int shift = Math.max(0, bits - 8);
    boolean alpha = bands == 2 || bands == 4;
    int maxVal = (1 << bits) - 1;
    int[] row = new int[side * bands];
    int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < side; y++) {
      r.getPixels(x0, y0 + y, side, 1, row);
      for (int x = 0; x < side; x++) {
        int o = x * bands;
        int cr;
        int cg;
        int cb;
        if (bands <= 2) {
          cr = cg = cb = row[o] >> shift;
        } else {
          cr = row[o] >> shift;
          cg = row[o + 1] >> shift;
          cb = row[o + 2] >> shift;
        }
        if (alpha) {
          // Composite over black, as Java2D does for the 8-bit path: a dermatoscope's surround is black.
          int a = row[o + bands - 1];
          cr = cr * a / maxVal;
          cg = cg * a / maxVal;
          cb = cb * a / maxVal;
        }
        dst[y * side + x] = (cr << 16) | (cg << 8) | cb;
      }
    }
    return out;
  }

  /** The {@code side}² square at (x0, y0) of {@code src}, bilinearly scaled to {@code size}², on black. */
  private static BufferedImage draw(BufferedImage src, int x0, int y0, int side, int size) {
    BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, 0, 0, size, size, x0, y0, x0 + side, y0 + side, null);
    g.dispose();
    return dst;
  }

  @Override
  public void close() {
    png.close();
  }
}
