package io.dermsynth.core.data;

import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.imaging.jpeg.JpegProcessingException;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * The EXIF orientation tag (1–8) of a JPEG, and how to apply it to a square image. Dermatoscopes and
 * phones write it instead of rotating pixels; ignoring it would train on sideways lesions.
 */
final class ExifOrientation {

  private ExifOrientation() {}

  /** The tag's value, 1 (as stored) when absent or unreadable. */
  static int of(byte[] jpeg) {
    try {
      Metadata md = JpegMetadataReader.readMetadata(new ByteArrayInputStream(jpeg),
          List.of(new ExifReader()));
      ExifIFD0Directory dir = md.getFirstDirectoryOfType(ExifIFD0Directory.class);
      if (dir != null && dir.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
        int o = dir.getInt(ExifIFD0Directory.TAG_ORIENTATION);
        return o >= 1 && o <= 8 ? o : 1;
      }
    } catch (JpegProcessingException | IOException | com.drew.metadata.MetadataException e) {
      // A broken EXIF block does not make the pixels unusable; the image is taken as stored.
    }
    return 1;
  }

  /** Pixels (row-major, n×n) as they should be displayed, for the given orientation. */
  static int[] apply(int[] src, int n, int orientation) {
    if (orientation == 1) {
      return src;
    }
    int[] dst = new int[src.length];
    int m = n - 1;
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sx = m - x; sy = y; }
          case 3 -> { sx = m - x; sy = m - y; }
          case 4 -> { sx = x; sy = m - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = m - x; }
          case 7 -> { sx = m - y; sy = m - x; }
          case 8 -> { sx = m - y; sy = x; }
          default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
        }
        dst[y * n + x] = src[sy * n + sx];
      }
    }
    return dst;
  }
}
