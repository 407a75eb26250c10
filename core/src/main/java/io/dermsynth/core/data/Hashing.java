package io.dermsynth.core.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 for content ids and for seeded, platform-independent orderings. */
public final class Hashing {

  private Hashing() {}

  /** SHA-256 of the parts one after the other, in hex. */
  public static String sha256Hex(byte[]... parts) {
    MessageDigest d = digest();
    for (byte[] p : parts) {
      d.update(p);
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /**
   * SHA-256 of an image's pixels as decoded (0xAARRGGBB, row by row) with its size and EXIF orientation:
   * the same picture stored as PNG and BMP, or with other metadata, hashes alike.
   */
  public static String pixelSha256(java.awt.image.BufferedImage img, int orientation) {
    MessageDigest d = digest();
    int w = img.getWidth();
    d.update(ByteBuffer.allocate(12).putInt(w).putInt(img.getHeight()).putInt(orientation).array());
    var raster = img.getRaster();
    // 8-bit BGR (what JPEG, 24-bit PNG and BMP decode to): the samples as stored, ~30× faster than
    // getRGB's per-pixel colour-model call; other layouts go through getRGB.
    if (img.getType() == java.awt.image.BufferedImage.TYPE_3BYTE_BGR && raster.getParent() == null
        && raster.getDataBuffer() instanceof java.awt.image.DataBufferByte bytes && bytes.getNumBanks() == 1
        && bytes.getOffset() == 0 && bytes.getSize() == w * img.getHeight() * 3) {
      d.update(new byte[] {'B', 'G', 'R'});
      d.update(bytes.getData());
      return HexFormat.of().formatHex(d.digest());
    }
    int[] row = new int[w];
    ByteBuffer bytes = ByteBuffer.allocate(4 * w);
    for (int y = 0; y < img.getHeight(); y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      bytes.clear();
      bytes.asIntBuffer().put(row);
      d.update(bytes.array());
    }
    return HexFormat.of().formatHex(d.digest());
  }

  /** A stable 64-bit value for (seed, key): the same on every JVM, unlike String.hashCode mixing. */
  public static long seeded(long seed, String key) {
    byte[] h = digest().digest((seed + ":" + key).getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(h, 0, 8).getLong();
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
