package io.dermsynth.core.data;

/** What a file's first bytes say it is; the extension is not trusted. */
enum ImageSignature {
  JPEG, PNG, BMP, GIF, TIFF, WEBP, TEXT, UNKNOWN;

  static ImageSignature of(byte[] b) {
    if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
      return JPEG;
    }
    if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return PNG;
    }
    if (startsWith(b, 'B', 'M')) {
      return BMP;
    }
    if (startsWith(b, 'G', 'I', 'F', '8')) {
      return GIF;
    }
    if (startsWith(b, 'I', 'I', 42, 0) || startsWith(b, 'M', 'M', 0, 42)) {
      return TIFF;
    }
    if (startsWith(b, 'R', 'I', 'F', 'F') && b.length > 12 && b[8] == 'W' && b[9] == 'E') {
      return WEBP;
    }
    return looksLikeText(b) ? TEXT : UNKNOWN;
  }

  private static boolean startsWith(byte[] b, int... prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((b[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean looksLikeText(byte[] b) {
    int n = Math.min(b.length, 512);
    for (int i = 0; i < n; i++) {
      int c = b[i] & 0xFF;
      if (c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B)) {
        return false;
      }
    }
    return true;
  }
}
