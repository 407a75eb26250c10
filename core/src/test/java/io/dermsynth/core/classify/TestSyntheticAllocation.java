package io.dermsynth.core.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.classify.SyntheticAllocation.Policy;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Synthetic images per class: sums, caps and equal shares, on HAM10000's train-split class sizes. */
class TestSyntheticAllocation {

  /** Real train images per class of the lesion-grouped HAM10000 split (bench/RESULTS.md). */
  static final Map<String, Long> REAL = new TreeMap<>(Map.of("akiec", 194L, "bcc", 298L, "bkl", 661L, "df", 61L,
      "mel", 660L, "nv", 4033L, "vasc", 78L));

  static Map<String, Long> plenty() {
    Map<String, Long> m = new TreeMap<>();
    REAL.forEach((k, v) -> m.put(k, 10 * v));
    return m;
  }

  static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void everyPolicySumsToTheTargetWhenThePoolAllows() {
    for (Policy p : Policy.values()) {
      for (long target : new long[] {0, 1, 7, 300, 2000, 5985, 6001}) {
        Map<String, Long> q = SyntheticAllocation.quotas(p, REAL, plenty(), target, 0.5, 1);
        // At cap 0.5 a class takes at most as many synthetic images as it has real ones (5,985 in all).
        assertEquals(p == Policy.CAPPED ? Math.min(target, 5985) : target, sum(q), p + " at " + target + ": " + q);
        q.forEach((k, v) -> assertTrue(v >= 0 && v <= plenty().get(k), p + " " + k + " " + v));
      }
    }
  }

  @Test
  void proportionalSharesAreEqualWithinOneImage() {
    for (long target : new long[] {1, 300, 1999, 2000, 4321}) {
      Map<String, Long> q = SyntheticAllocation.quotas(Policy.PROPORTIONAL, REAL, plenty(), target, 0.5, 1);
      double f = (double) target / sum(REAL);
      q.forEach((k, v) -> assertTrue(Math.abs(v - f * REAL.get(k)) < 1, k + ": " + v + " vs " + f * REAL.get(k)));
    }
    // 2,000 of 5,985: a third of every class (nv 1,347.7 → 1,348, df 20.4 → 20, vasc 26.07 → 26).
    Map<String, Long> q = SyntheticAllocation.quotas(Policy.PROPORTIONAL, REAL, plenty(), 2000, 0.5, 1);
    assertEquals(1348, q.get("nv"));
    assertEquals(20, q.get("df"));
    assertEquals(26, q.get("vasc"));
  }

  @Test
  void proportionalLowersTheCommonShareToTheShortestClass() {
    Map<String, Long> have = plenty();
    have.put("df", 6L);  // df can give 6 of its 61 real images' worth: the share falls to 6/61 everywhere
    Map<String, Long> q = SyntheticAllocation.quotas(Policy.PROPORTIONAL, REAL, have, 2000, 0.5, 1);
    assertEquals(6, q.get("df"));
    double f = 6.0 / 61;
    assertEquals((long) Math.floor(f * 5985), sum(q), "the common share of every image: " + q);
    q.forEach((k, v) -> assertTrue(Math.abs(v - f * REAL.get(k)) < 1, k + ": " + v));
  }

  @Test
  void capsHoldAndTheRestGoesToOpenClasses() {
    for (double cap : new double[] {0.2, 0.5, 0.75}) {
      for (double weight : new double[] {0.5, 1, 2}) {
        Map<String, Long> q = SyntheticAllocation.quotas(Policy.CAPPED, REAL, plenty(), 3000, cap, weight);
        long room = REAL.values().stream().mapToLong(n -> SyntheticAllocation.maxUnderCap(n, cap, weight)).sum();
        assertEquals(Math.min(3000, room), sum(q), cap + "/" + weight + ": " + q);
        q.forEach((k, m) -> {
          double share = weight * m / (REAL.get(k) + weight * m);
          assertTrue(share <= cap + 1e-12, k + " share " + share + " > cap " + cap);
        });
      }
    }
    // At cap 0.5 and weight 1 a class takes at most as many synthetic images as it has real ones.
    Map<String, Long> q = SyntheticAllocation.quotas(Policy.CAPPED, REAL, plenty(), 3000, 0.5, 1);
    assertEquals(61, q.get("df"));
    assertEquals(78, q.get("vasc"));
    assertEquals(194, q.get("akiec"));
    assertEquals(1, SyntheticAllocation.maxUnderCap(1, 0.5, 1));
    assertEquals(3, SyntheticAllocation.maxUnderCap(1, 0.75, 1));
    assertThrows(IllegalArgumentException.class,
        () -> SyntheticAllocation.quotas(Policy.CAPPED, REAL, plenty(), 10, 1.0, 1));
  }

  @Test
  void inverseFrequencyGivesRareClassesMoreAndStopsAtWhatAClassHas() {
    Map<String, Long> have = plenty();
    have.put("vasc", 50L);
    Map<String, Long> q = SyntheticAllocation.quotas(Policy.INVERSE_FREQUENCY, REAL, have, 2000, 0.5, 1);
    assertEquals(2000, sum(q));
    assertEquals(50, q.get("vasc"));
    assertTrue(q.get("df") > q.get("akiec") && q.get("akiec") > q.get("bcc") && q.get("bcc") > q.get("nv"), q.toString());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Policy.parse("balanced")).getMessage()
        .contains("proportional"));
  }
}
