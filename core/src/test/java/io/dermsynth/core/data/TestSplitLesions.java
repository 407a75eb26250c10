package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.data.LesionSplitter.Split;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestSplitLesions {

  static final LesionSplitter.Ratios RATIOS = new LesionSplitter.Ratios(0.7, 0.15, 0.15);

  /** HAM-like: classes at HAM ratios, 1–4 images per lesion. */
  static List<SourceRecord> records(int lesions, long seed, String prefix) {
    SplittableRandom r = new SplittableRandom(seed);
    List<SourceRecord> out = new ArrayList<>();
    Diagnosis[] dx = Diagnosis.values();
    for (int l = 0; l < lesions; l++) {
      double u = r.nextDouble() * Diagnosis.hamTotal();
      Diagnosis d = dx[0];
      for (Diagnosis c : dx) {
        if (u < c.hamCount) {
          d = c;
          break;
        }
        u -= c.hamCount;
      }
      int views = 1 + (r.nextDouble() < 0.3 ? r.nextInt(3) : 0);
      for (int v = 0; v < views; v++) {
        out.add(new SourceRecord(prefix + "I" + l + "_" + v, prefix + "L" + l, "t", d, null, null,
            null, null, Map.of(), "/x"));
      }
    }
    return out;
  }

  static Map<Diagnosis, Map<Split, Long>> counts(List<SourceRecord> recs, Map<String, Split> split) {
    Map<Diagnosis, Map<Split, Long>> c = new EnumMap<>(Diagnosis.class);
    for (SourceRecord r : recs) {
      c.computeIfAbsent(r.dx(), k -> new EnumMap<>(Split.class)).merge(split.get(r.lesionId()), 1L, Long::sum);
    }
    return c;
  }

  @Test
  void stratifiedByDiagnosisWithinTolerance() {
    List<SourceRecord> recs = records(3000, 1, "");
    Map<String, Split> split = new LesionSplitter(RATIOS, 42).assign(recs, Map.of(), Map.of());
    counts(recs, split).forEach((dx, bySplit) -> {
      long total = bySplit.values().stream().mapToLong(Long::longValue).sum();
      double train = bySplit.getOrDefault(Split.TRAIN, 0L) / (double) total;
      double test = bySplit.getOrDefault(Split.TEST, 0L) / (double) total;
      // Greedy by deficit: off by at most one lesion (≤ 3 images) per split.
      assertEquals(0.70, train, 4.0 / total + 1e-9, dx + " train share " + bySplit);
      assertEquals(0.15, test, 4.0 / total + 1e-9, dx + " test share " + bySplit);
    });
  }

  @Test
  void deterministicAndSeedDependent() {
    List<SourceRecord> recs = records(500, 2, "");
    Map<String, Split> a = new LesionSplitter(RATIOS, 7).assign(recs, Map.of(), Map.of());
    List<SourceRecord> reversed = new ArrayList<>(recs);
    java.util.Collections.reverse(reversed);
    Map<String, Split> b = new LesionSplitter(RATIOS, 7).assign(reversed, Map.of(), Map.of());
    Map<String, Split> c = new LesionSplitter(RATIOS, 8).assign(recs, Map.of(), Map.of());
    assertEquals(a, b, "input order must not matter");
    assertTrue(!a.equals(c), "another seed gives another split");
  }

  @Test
  void addingDataNeverMovesStoredLesions() {
    List<SourceRecord> first = records(800, 3, "a");
    LesionSplitter splitter = new LesionSplitter(RATIOS, 42);
    Map<String, Split> stored = splitter.assign(first, Map.of(), Map.of());
    List<SourceRecord> more = new ArrayList<>(records(400, 4, "b"));
    more.add(first.get(0));  // a new image of an existing lesion
    Map<String, Split> next = splitter.assign(more, stored, counts(first, stored));
    assertEquals(stored.get(first.get(0).lesionId()), next.get(first.get(0).lesionId()));
    Map<String, Split> all = new HashMap<>(stored);
    all.putAll(next);
    List<SourceRecord> union = new ArrayList<>(first);
    union.addAll(more.subList(0, more.size() - 1));
    counts(union, all).forEach((dx, bySplit) -> {
      long total = bySplit.values().stream().mapToLong(Long::longValue).sum();
      assertEquals(0.70, bySplit.getOrDefault(Split.TRAIN, 0L) / (double) total, 8.0 / total + 1e-9,
          dx + " " + bySplit);
    });
  }

  @Test
  void badRatiosNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> new LesionSplitter.Ratios(0.8, 0.15, 0.15));
    assertTrue(e.getMessage().contains("train=0.8"), e.getMessage());
  }
}
