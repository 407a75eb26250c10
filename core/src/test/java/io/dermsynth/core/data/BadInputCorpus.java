package io.dermsynth.core.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes a HAM10000-layout folder holding every kind of good and bad input the ingest must handle, and
 * says what should become of each: {@link #expected} maps an image id to {@code null} (must land in
 * {@code images}) or to the quarantine reason. Shared by core and Spark tests (test-jar).
 */
public final class BadInputCorpus {

  /** Image id → expected reason, null for "ingested". Rows without an id are in {@link #idless}. */
  public final Map<String, QuarantineReason> expected = new LinkedHashMap<>();
  /** Reasons of rejections that carry no image id (a malformed row, a row without id). */
  public final Map<String, QuarantineReason> idless = new LinkedHashMap<>();
  public final Path root;

  private final StringBuilder csv = new StringBuilder("\uFEFFlesion_id,image_id,dx,dx_type,age,sex,localization\n");

  private BadInputCorpus(Path root) {
    this.root = root;
  }

  public static BadInputCorpus write(Path root) throws IOException {
    BadInputCorpus c = new BadInputCorpus(root);
    Files.createDirectories(root.resolve("images"));
    BufferedImage rgb = pattern(BufferedImage.TYPE_INT_RGB, 120, 90);
    byte[] jpeg = encode(rgb, "jpeg");
    byte[] png = encode(rgb, "png");

    c.file("ok_jpeg", "jpg", jpeg, null);
    c.file("ok_png", "png", png, null);
    c.file("ok_bmp", "bmp", encode(rgb, "bmp"), null);
    c.file("ok_gif", "gif", encode(pattern(BufferedImage.TYPE_BYTE_INDEXED, 64, 64), "gif"), null);
    c.file("ok_grey_jpeg", "jpg", encode(pattern(BufferedImage.TYPE_BYTE_GRAY, 80, 80), "jpeg"), null);
    c.file("ok_grey_png", "png", encode(pattern(BufferedImage.TYPE_BYTE_GRAY, 80, 60), "png"), null);
    c.file("ok_rgba_png", "png", encode(pattern(BufferedImage.TYPE_INT_ARGB, 70, 70), "png"), null);
    c.file("ok_16bit_png", "png", encode(sixteenBit(64, 48), "png"), null);
    c.file("ok_cmyk_jpeg", "jpg", cmykJpeg(64, 64), null);
    c.file("ok_exif_rotated", "jpg", withExifOrientation(jpeg, 6), null);
    c.row("HAM_Q1", "ok_quoted_comma", "nv", "\"upper extremity, left\"");
    c.write("ok_quoted_comma", "jpg", jpeg);
    c.expected.put("ok_quoted_comma", null);

    c.file("bad_zero_byte", "jpg", new byte[0], QuarantineReason.EMPTY_FILE);
    c.file("bad_truncated_jpeg", "jpg", Arrays.copyOf(jpeg, jpeg.length * 6 / 10),
        QuarantineReason.TRUNCATED_JPEG);
    c.file("bad_truncated_png", "png", Arrays.copyOf(png, png.length * 6 / 10),
        QuarantineReason.TRUNCATED_PNG);
    c.file("bad_png_crc", "png", corruptIdat(png), QuarantineReason.PNG_CRC_MISMATCH);
    c.file("bad_text_as_jpg", "jpg", "this is not an image\n".getBytes(StandardCharsets.UTF_8),
        QuarantineReason.NOT_AN_IMAGE);
    c.file("bad_garbage_png", "png", new byte[] {0, 1, 2, 3, (byte) 0xFE, (byte) 0x80, 0, 7, 9, 1},
        QuarantineReason.NOT_AN_IMAGE);
    c.file("bad_webp", "png", "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1),
        QuarantineReason.UNSUPPORTED_FORMAT);
    c.file("bad_huge_dimensions", "png", hugePng(60000, 60000), QuarantineReason.IMAGE_TOO_LARGE);
    c.file("bad_tiny", "png", encode(pattern(BufferedImage.TYPE_INT_RGB, 4, 4), "png"),
        QuarantineReason.IMAGE_TOO_SMALL);

    c.row("HAM_M1", "bad_missing_dx", "", "back");
    c.write("bad_missing_dx", "jpg", jpeg);
    c.expected.put("bad_missing_dx", QuarantineReason.MISSING_LABEL);
    c.row("HAM_U1", "bad_unknown_dx", "xyz", "back");
    c.write("bad_unknown_dx", "jpg", jpeg);
    c.expected.put("bad_unknown_dx", QuarantineReason.UNKNOWN_LABEL);
    c.row("HAM_D1", "ok_jpeg", "mel", "back");  // second listing of ok_jpeg
    c.row("HAM_F1", "bad_listed_missing", "bcc", "back");
    c.expected.put("bad_listed_missing", QuarantineReason.FILE_MISSING);
    c.write("bad_unlisted", "jpg", jpeg);
    c.expected.put("bad_unlisted", QuarantineReason.UNLISTED_FILE);
    c.csv.append("HAM_X1,bad_malformed,nv\n");
    c.idless.put("malformed", QuarantineReason.MALFORMED_ROW);
    c.csv.append("HAM_X2,,nv,histo,50,male,back\n");
    c.idless.put("missing_id", QuarantineReason.MISSING_IMAGE_ID);
    Files.writeString(root.resolve("HAM10000_metadata.csv"), c.csv, StandardCharsets.UTF_8);
    return c;
  }

  /** One rejection per entry: the duplicate ok_jpeg row and the idless rows are counted here. */
  public int expectedQuarantineRows() {
    return (int) expected.values().stream().filter(r -> r != null).count() + idless.size() + 1;
  }

  public long expectedGood() {
    return expected.values().stream().filter(r -> r == null).count();
  }

  private void file(String id, String ext, byte[] content, QuarantineReason reason) throws IOException {
    row("HAM_" + id, id, "nv", "back");
    write(id, ext, content);
    expected.put(id, reason);
  }

  private void row(String lesion, String id, String dx, String site) {
    csv.append(lesion).append(',').append(id).append(',').append(dx).append(",histo,45.0,female,")
        .append(site).append('\n');
  }

  private void write(String id, String ext, byte[] content) throws IOException {
    Files.write(root.resolve("images").resolve(id + "." + ext), content);
  }

  /** Left half red, right half blue, a green bar at the top: orientation errors are visible. */
  public static BufferedImage pattern(int type, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, type);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(200, 30, 30));
    g.fillRect(0, 0, w / 2, h);
    g.setColor(new Color(30, 30, 200));
    g.fillRect(w / 2, 0, w - w / 2, h);
    g.setColor(new Color(30, 200, 30));
    g.fillRect(0, 0, w, Math.max(1, h / 8));
    g.dispose();
    return img;
  }

  public static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, format, out)) {
      throw new IOException("no " + format + " writer for " + img);
    }
    return out.toByteArray();
  }

  /** A 16-bit-per-channel sRGB image with the same pattern (values × 257). */
  static BufferedImage sixteenBit(int w, int h) {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
        false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
    BufferedImage src = pattern(BufferedImage.TYPE_INT_RGB, w, h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = src.getRGB(x, y);
        raster.setPixel(x, y, new int[] {((p >> 16) & 255) * 257, ((p >> 8) & 255) * 257, (p & 255) * 257});
      }
    }
    return new BufferedImage(cm, raster, false, null);
  }

  /** A 4-channel (CMYK) JPEG as written from a raster, like print-workflow scans. */
  static byte[] cmykJpeg(int w, int h) throws IOException {
    WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        // red-ish on the left (no cyan), blue-ish on the right (no yellow), inverted CMYK as Adobe writes
        r.setPixel(x, y, x < w / 2 ? new int[] {255, 80, 80, 255} : new int[] {80, 80, 255, 255});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(r, null, null), writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
    return adobeCmyk(out.toByteArray());
  }

  /**
   * Marks the JPEG's four channels as plain (Adobe, inverted) CMYK: APP14 "Adobe" with transform 0,
   * as Photoshop writes it. Without the marker a decoder may take four channels for YCCK.
   */
  static byte[] adobeCmyk(byte[] jpeg) {
    int pos = 2;
    while ((jpeg[pos + 1] & 0xFF) != 0xDA) {  // markers up to start-of-scan
      int len = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
      if ((jpeg[pos + 1] & 0xFF) == 0xEE && new String(jpeg, pos + 4, 5, StandardCharsets.ISO_8859_1).equals("Adobe")) {
        byte[] b = jpeg.clone();
        b[pos + 2 + 11] = 0;
        return b;
      }
      pos += 2 + len;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0});
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /** Inserts an APP1 EXIF segment with the given orientation right after SOI. */
  public static byte[] withExifOrientation(byte[] jpeg, int orientation) {
    ByteBuffer tiff = ByteBuffer.allocate(26).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    tiff.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
    tiff.putShort((short) 1);  // one IFD entry
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation)
        .putShort((short) 0);
    tiff.putInt(0);  // no next IFD
    byte[] exif = new byte[6 + tiff.capacity()];
    System.arraycopy("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, exif, 0, 6);
    System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.write(0xFF);
    out.write(0xE1);
    int len = exif.length + 2;
    out.write(len >> 8);
    out.write(len & 255);
    out.write(exif, 0, exif.length);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /** Flips one byte inside the first IDAT's data, leaving its stored CRC as it was. */
  static byte[] corruptIdat(byte[] png) {
    byte[] b = png.clone();
    ByteBuffer buf = ByteBuffer.wrap(b);
    int pos = 8;
    while (true) {
      int len = buf.getInt(pos);
      String type = new String(b, pos + 4, 4, StandardCharsets.US_ASCII);
      if (type.equals("IDAT")) {
        b[pos + 8 + len / 2] ^= 0x5A;
        return b;
      }
      pos += 12 + len;
    }
  }

  /** A structurally valid PNG (right CRCs) that declares w×h: a decompression bomb's header. */
  static byte[] hugePng(int w, int h) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
