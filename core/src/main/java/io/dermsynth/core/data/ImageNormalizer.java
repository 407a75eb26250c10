package io.dermsynth.core.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Turns the bytes of any supported image file into the working form every later stage reads: an
 * 8-bit sRGB PNG, square (centre crop), {@code size}×{@code size}, upright (EXIF orientation applied),
 * without metadata. Whatever cannot be turned into that is returned as a {@link Failed} with a reason,
 * never thrown, so one bad file cannot stop a distributed job.
 *
 * <p>Instances are not thread-safe (they hold a reusable PNG writer); use one per task.
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

  /** A usable image: the PNG, its side, and the source's own dimensions and format. */
  public record Normalized(byte[] png, int size, int sourceWidth, int sourceHeight,
      String sourceFormat) implements Outcome {}

  /** An unusable file, with the reason code and a message for a person. */
  public record Failed(QuarantineReason reason, String message) implements Outcome {}

  private final Options options;
  private final ImageWriter pngWriter;
  private final ImageWriteParam pngParam;

  public ImageNormalizer(Options options) {
    this.options = Objects.requireNonNull(options);
    this.pngWriter = ImageIO.getImageWritersByFormatName("png").next();
    this.pngParam = pngWriter.getDefaultWriteParam();
    // Deflate level ~2: files ~10% larger than level 9 at a fraction of the encode time.
    pngParam.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    pngParam.setCompressionQuality(0.75f);
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
        return new Normalized(encodePng(upright, options.size()), options.size(), w, h,
            sig.name().toLowerCase(java.util.Locale.ROOT));
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
   * Centre square of {@code img} as 8-bit sRGB, resized to {@code size}. Grey and 16-bit rasters are
   * converted sample by sample: Java2D would treat 8-bit grey as linear and brighten it.
   */
  static int[] squareRgb(BufferedImage img, int size) {
    int side = Math.min(img.getWidth(), img.getHeight());
    int x0 = (img.getWidth() - side) / 2;
    int y0 = (img.getHeight() - side) / 2;
    BufferedImage rgb = toRgb(img, x0, y0, side);
    BufferedImage scaled = resize(rgb, size);
    return scaled.getRGB(0, 0, size, size, null, 0, size);
  }

  private static BufferedImage toRgb(BufferedImage img, int x0, int y0, int side) {
    BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    Raster r = img.getRaster();
    int bands = r.getNumBands();
    var cm = img.getColorModel();
    boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && bands <= 2;
    boolean srgb = cm.getColorSpace().isCS_sRGB() && (bands == 3 || bands == 4);
    if (cm instanceof IndexColorModel || cm.getNumComponents() != bands || !(grey || srgb)) {
      // Indexed, packed or other colour spaces: Java2D's conversion is right for these.
      Graphics2D g = out.createGraphics();
      g.drawImage(img.getSubimage(x0, y0, side, side), 0, 0, null);
      g.dispose();
      return out;
    }
    int bits = r.getSampleModel().getSampleSize(0);
    int shift = Math.max(0, bits - 8);
    boolean alpha = bands == 2 || bands == 4;
    int maxVal = (1 << bits) - 1;
    int[] row = new int[side * bands];
    int[] dst = new int[side];
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
          // Composite over black: a dermatoscope's field of view is surrounded by black.
          int a = row[o + bands - 1];
          cr = cr * a / maxVal;
          cg = cg * a / maxVal;
          cb = cb * a / maxVal;
        }
        dst[x] = (cr << 16) | (cg << 8) | cb;
      }
      out.setRGB(0, y, side, 1, dst, 0, side);
    }
    return out;
  }

  /** Bilinear resize with successive halvings first, so large downscales do not alias. */
  private static BufferedImage resize(BufferedImage src, int size) {
    BufferedImage cur = src;
    while (cur.getWidth() / 2 >= size) {
      cur = draw(cur, cur.getWidth() / 2);
    }
    return cur.getWidth() == size ? cur : draw(cur, size);
  }

  private static BufferedImage draw(BufferedImage src, int size) {
    BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = dst.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.drawImage(src, 0, 0, size, size, null);
    g.dispose();
    return dst;
  }

  private byte[] encodePng(int[] argb, int size) throws IOException {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, size, size, argb, 0, size);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(size * size);
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      pngWriter.setOutput(out);
      pngWriter.write(null, new IIOImage(img, null, null), pngParam);
    }
    return bytes.toByteArray();
  }

  @Override
  public void close() {
    pngWriter.dispose();
  }
}
