package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.data.ContentDuplicates.Decision;
import io.dermsynth.core.data.ContentDuplicates.Image;
import io.dermsynth.core.data.ContentDuplicates.Policy;
import io.dermsynth.core.data.LesionSplitter.Split;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestContentDuplicates {

  private static Image img(String id, String lesion, Split split, String sha, String pixels, Long phash) {
    return new Image(id, lesion, split, sha, pixels, phash);
  }

  private static final List<Image> STORED = List.of(
      img("x", "Lx", Split.TRAIN, "sx", "px", 0x0L),
      img("y", "Ly", Split.TEST, "sy", "py", -1L));

  // a: the bytes of stored x; b: a's lesion, no copy; c and d: the same pixels in other files;
  // e and f: 2 bits apart by perceptual hash; g: unrelated.
  private static final List<Image> FRESH = List.of(
      img("g", "Lg", null, "sg", "pg", 0x00FF00FF00FF00FFL),
      img("f", "Lf", null, "sf", "pf", 0x0F0F0F0F0F0F0F0FL),
      img("e", "Le", null, "se", "pe", 0x0F0F0F0F0F0F0F0FL ^ 0x8000000000000001L),
      img("d", "Ld", null, "sd", "pc", 0x3333333333333333L),
      img("c", "Lc", null, "sc", "pc", 0x3333333333333333L),
      img("b", "La", null, "sb", "pb", 0x5555555555555555L),
      img("a", "La", null, "sx", "pa", 0x1111111111111111L));

  @Test
  void groupPutsCopiesAndTheirLesionsWithTheFirstCopy() {
    Map<String, Decision> d = new ContentDuplicates(Policy.GROUP, -1).decide(STORED, FRESH);
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), List.copyOf(d.keySet()));
    assertEquals(new Decision("a", "Lx", "x", false, null), d.get("a"));
    assertEquals(new Decision("b", "Lx", null, false, null), d.get("b"));
    assertEquals(new Decision("c", "Lc", null, false, null), d.get("c"));
    assertEquals(new Decision("d", "Lc", "c", false, null), d.get("d"));
    // Near copies only count with a radius.
    assertEquals(new Decision("e", "Le", null, false, null), d.get("e"));
    assertEquals(new Decision("g", "Lg", null, false, null), d.get("g"));

    Map<String, Decision> near = new ContentDuplicates(Policy.GROUP, 2).decide(STORED, FRESH);
    assertEquals(new Decision("f", "Le", "e", true, null), near.get("f"));
    assertEquals(new Decision("g", "Lg", null, false, null), near.get("g"));
    assertNull(new ContentDuplicates(Policy.GROUP, 1).decide(STORED, FRESH).get("f").duplicateOf());
  }

  @Test
  void aGroupThatWouldJoinTwoStoredSplitsIsQuarantined() {
    List<Image> fresh = new ArrayList<>(FRESH);
    fresh.add(img("h", "La", null, "sy", "ph", 0x7L));
    Map<String, Decision> d = new ContentDuplicates(Policy.GROUP, -1).decide(STORED, fresh);
    for (String id : List.of("a", "b", "h")) {
      assertTrue(d.get(id).quarantine().contains("x in train, y in test"), d.get(id).toString());
    }
    assertNull(d.get("c").quarantine());
  }

  @Test
  void quarantineKeepsTheFirstCopy() {
    Map<String, Decision> d = new ContentDuplicates(Policy.QUARANTINE, 2).decide(STORED, FRESH);
    assertTrue(d.get("a").quarantine().startsWith("a copy of x, already stored"), d.get("a").quarantine());
    assertNull(d.get("b").quarantine());
    assertEquals("La", d.get("b").splitGroup());
    assertNull(d.get("c").quarantine());
    assertTrue(d.get("d").quarantine().startsWith("a copy of c;"), d.get("d").quarantine());
    assertTrue(d.get("f").quarantine().startsWith("a near copy (perceptual hash within 2 bits) of e"),
        d.get("f").quarantine());
    assertFalse(d.values().stream().anyMatch(x -> x.imageId().equals("g") && x.quarantine() != null));
  }

  @Test
  void nearCopiesByBlocksAreThoseOfAllPairs() {
    Random rnd = new Random(7);
    List<Image> stored = new ArrayList<>();
    List<Image> fresh = new ArrayList<>();
    List<Long> hashes = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      long h = i > 20 && rnd.nextInt(4) == 0 ? hashes.get(rnd.nextInt(hashes.size())) ^ (1L << rnd.nextInt(64))
          ^ (rnd.nextBoolean() ? 1L << rnd.nextInt(64) : 0) ^ (rnd.nextInt(3) == 0 ? 7L << rnd.nextInt(61) : 0)
          : rnd.nextLong();
      hashes.add(h);
      String id = String.format("i%03d", i);
      (i < 300 ? stored : fresh).add(img(id, "L" + id, i < 300 ? Split.TRAIN : null, "s" + id, "p" + id, h));
    }
    int radius = 3;
    Map<String, Decision> d = new ContentDuplicates(Policy.QUARANTINE, radius).decide(stored, fresh);
    // Brute force: a new image's first copy is the smallest index linked to it through near pairs in which
    // a new image takes part (stored images were compared when they were new).
    int n = hashes.size();
    int[] root = new int[n];
    for (int i = 0; i < n; i++) {
      root[i] = i;
    }
    for (int i = 300; i < n; i++) {
      for (int j = 0; j < i; j++) {
        if (Long.bitCount(hashes.get(i) ^ hashes.get(j)) <= radius) {
          int a = find(root, i);
          int b = find(root, j);
          root[Math.max(a, b)] = Math.min(a, b);
        }
      }
    }
    int copies = 0;
    for (int i = 300; i < n; i++) {
      int first = find(root, i);
      String expected = first == i ? null : String.format("i%03d", first);
      assertEquals(expected, d.get(String.format("i%03d", i)).duplicateOf(), "image " + i);
      copies += expected == null ? 0 : 1;
    }
    assertTrue(copies > 40, "planted copies found: " + copies);
  }

  private static int find(int[] root, int i) {
    while (root[i] != i) {
      i = root[i];
    }
    return i;
  }
}
