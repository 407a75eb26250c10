package io.dermsynth.core.data;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Walks a PNG's chunks and checks each CRC. The JDK's PNG reader ignores CRCs and reads a truncated
 * file as far as it goes, so both faults would otherwise pass silently as damaged pixels.
 */
final class PngChunks {

  private PngChunks() {}

  /** Empty when the chunk structure is whole and every CRC matches. */
  static Optional<ImageNormalizer.Failed> check(byte[] png) {
    ByteBuffer buf = ByteBuffer.wrap(png);
    int pos = 8;
    CRC32 crc = new CRC32();
    while (true) {
      if (pos + 8 > png.length) {
        return fault(QuarantineReason.TRUNCATED_PNG, "file ends at byte " + png.length
            + " inside a chunk header, before IEND");
      }
      long length = Integer.toUnsignedLong(buf.getInt(pos));
      String type = new String(png, pos + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
      if (pos + 12 + length > png.length) {
        return fault(QuarantineReason.TRUNCATED_PNG, "chunk " + type + " declares "
            + length + " bytes but the file ends at byte " + png.length);
      }
      crc.reset();
      crc.update(png, pos + 4, (int) (4 + length));
      long stored = Integer.toUnsignedLong(buf.getInt((int) (pos + 8 + length)));
      if (crc.getValue() != stored) {
        return fault(QuarantineReason.PNG_CRC_MISMATCH, "chunk " + type + " at byte " + pos
            + " has CRC " + Long.toHexString(stored) + ", computed " + Long.toHexString(crc.getValue()));
      }
      if (type.equals("IEND")) {
        return Optional.empty();
      }
      pos += (int) (12 + length);
    }
  }

  private static Optional<ImageNormalizer.Failed> fault(QuarantineReason reason, String msg) {
    return Optional.of(new ImageNormalizer.Failed(reason, msg));
  }
}
