package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** pHash against imagehash's formula computed with SciPy (tools/fixtures/make_phash_fixture.py). */
class TestPerceptualHash {

  @Test
  void hashesOf32x32GreyImagesMatchSciPy() throws Exception {
    JsonNode cases;
    try (InputStream in = TestPerceptualHash.class.getResourceAsStream("/fixtures/phash.json")) {
      cases = new ObjectMapper().readTree(in).get("cases");
    }
    assertEquals(5, cases.size());
    for (JsonNode c : cases) {
      double[] grey = new double[32 * 32];
      for (int i = 0; i < grey.length; i++) {
        grey[i] = c.get("grey").get(i).asDouble();
      }
      assertEquals(c.get("hash").asText(), HexFormat.of().toHexDigits(PerceptualHash.ofGrey32(grey)),
          c.get("name").asText());
    }
  }

  @Test
  void anImageAtTwiceTheSizeOrSlightlyBrighterHashesAlikeAndAnotherDoesNot() {
    int side = 48;
    int[] disc = new int[side * side];
    int[] big = new int[4 * side * side];
    int[] brighter = new int[side * side];
    int[] other = new int[side * side];
    for (int y = 0; y < 2 * side; y++) {
      for (int x = 0; x < 2 * side; x++) {
        double dx = x / 2.0 - 17.3;
        double dy = y / 2.0 - 26.1;
        int v = dx * dx + 1.6 * dy * dy < 180 ? 70 : 200;
        big[y * 2 * side + x] = v << 16 | (v - 20) << 8 | (v - 40);
        if (x % 2 == 0 && y % 2 == 0) {
          int i = y / 2 * side + x / 2;
          disc[i] = big[y * 2 * side + x];
          int b = Math.min(255, v + 6);
          brighter[i] = b << 16 | (b - 20) << 8 | (b - 40);
          int o = (x / 2 + 3 * (y / 2)) % 23 * 11;
          other[i] = o << 16 | o << 8 | o;
        }
      }
    }
    long h = PerceptualHash.of(disc, side);
    assertTrue(PerceptualHash.distance(h, PerceptualHash.of(big, 2 * side)) <= 4);
    assertTrue(PerceptualHash.distance(h, PerceptualHash.of(brighter, side)) <= 2);
    assertTrue(PerceptualHash.distance(h, PerceptualHash.of(other, side)) >= 16);
  }
}
