package io.dermsynth.core.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG writer for 8-bit RGB: IHDR, one IDAT, IEND, nothing else (so no metadata can leak).
 * Each row uses the "Sub" filter and deflate level 1. Measured on 128×128 HAM10000 crops it encodes
 * 1.7× faster than the JDK's writer (which tries every filter on every row) and writes 25% smaller
 * files (bench/RESULTS.md).
 *
 * <p>Not thread-safe: it reuses its deflater and buffers. Close it to free the native deflater.
 */
public final class PngEncoder implements AutoCloseable {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  private static final int FILTER_SUB = 1;

  private final Deflater deflater = new Deflater(1);
  private final byte[] chunk = new byte[64 * 1024];
  private byte[] raw = new byte[0];

  /** Encodes {@code w×h} pixels given as 0xRRGGBB ints, row-major; any alpha byte is ignored. */
  public byte[] encodeRgb(int[] rgb, int w, int h) {
    if (rgb.length != w * h) {
      throw new IllegalArgumentException("pixel array has " + rgb.length + " values, expected " + w + "×" + h);
    }
    int stride = 1 + 3 * w;
    if (raw.length < h * stride) {
      raw = new byte[h * stride];
    }
    int o = 0;
    for (int y = 0; y < h; y++) {
      raw[o++] = FILTER_SUB;
      int prevR = 0;
      int prevG = 0;
      int prevB = 0;
      for (int x = 0; x < w; x++) {
        int p = rgb[y * w + x];
        int r = (p >> 16) & 0xFF;
        int g = (p >> 8) & 0xFF;
        int b = p & 0xFF;
        raw[o++] = (byte) (r - prevR);
        raw[o++] = (byte) (g - prevG);
        raw[o++] = (byte) (b - prevB);
        prevR = r;
        prevG = g;
        prevB = b;
      }
    }
    ByteArrayOutputStream idat = new ByteArrayOutputStream(h * stride / 2);
    deflater.reset();
    deflater.setInput(raw, 0, h * stride);
    deflater.finish();
    while (!deflater.finished()) {
      int n = deflater.deflate(chunk);
      idat.write(chunk, 0, n);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(idat.size() + 64);
    out.writeBytes(SIGNATURE);
    // IHDR: width, height, bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    writeChunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
    writeChunk(out, "IDAT", idat.toByteArray());
    writeChunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  @Override
  public void close() {
    deflater.end();
  }
}
