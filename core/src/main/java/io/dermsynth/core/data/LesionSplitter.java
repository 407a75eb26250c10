package io.dermsynth.core.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assigns train / val / test by lesion, stratified by diagnosis, deterministically.
 *
 * <p>Lesions are taken per diagnosis in the order of a seeded hash of their id; each goes to the split
 * whose image count is furthest below its target share of that diagnosis. That keeps every class close
 * to the ratios (by images, which is what training sees) and, because lesions already stored keep their
 * split and only count toward the totals, adding files later never moves an existing lesion.
 */
public final class LesionSplitter {

  public enum Split {
    TRAIN, VAL, TEST;

    public String label() {
      return io.dermsynth.core.Choices.id(this);
    }

    public static Split parse(String s) {
      return io.dermsynth.core.Choices.parse(Split.class, s, "split");
    }
  }

  /** Target shares; they must be non-negative and sum to 1. */
  public record Ratios(double train, double val, double test) {
    public Ratios {
      if (train < 0 || val < 0 || test < 0 || Math.abs(train + val + test - 1.0) > 1e-9) {
        throw new IllegalArgumentException("split ratios must be ≥ 0 and sum to 1, got train="
            + train + " val=" + val + " test=" + test);
      }
    }

    double of(Split s) {
      return switch (s) {
        case TRAIN -> train;
        case VAL -> val;
        case TEST -> test;
      };
    }
  }

  private final Ratios ratios;
  private final long seed;

  public LesionSplitter(Ratios ratios, long seed) {
    this.ratios = ratios;
    this.seed = seed;
  }

  /**
   * @param records the new images to place (their lesions may already have a split)
   * @param existing lesion id → split for lesions already stored
   * @param existingCounts images already stored, per diagnosis and split (may be empty)
   * @return lesion id → split for every lesion of {@code records}
   */
  public Map<String, Split> assign(List<SourceRecord> records, Map<String, Split> existing,
      Map<Diagnosis, Map<Split, Long>> existingCounts) {
    Map<String, Split> result = new HashMap<>();
    Map<String, Map<Diagnosis, Integer>> dxVotes = new LinkedHashMap<>();
    for (SourceRecord r : records) {
      if (existing.containsKey(r.lesionId())) {
        result.put(r.lesionId(), existing.get(r.lesionId()));
      } else {
        dxVotes.computeIfAbsent(r.lesionId(), k -> new EnumMap<>(Diagnosis.class))
            .merge(r.dx(), 1, Integer::sum);
      }
    }
    // Stratum of a lesion: its most frequent diagnosis (ties: the first in enum order).
    Map<Diagnosis, List<String>> strata = new TreeMap<>();
    Map<String, Integer> imagesPerLesion = new HashMap<>();
    dxVotes.forEach((lesion, votes) -> {
      Diagnosis dx = votes.entrySet().stream()
          .max(Map.Entry.<Diagnosis, Integer>comparingByValue()
              .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
          .orElseThrow().getKey();
      strata.computeIfAbsent(dx, k -> new ArrayList<>()).add(lesion);
      imagesPerLesion.put(lesion, votes.values().stream().mapToInt(Integer::intValue).sum());
    });
    strata.forEach((dx, lesions) -> {
      lesions.sort(Comparator.comparingLong((String l) -> Hashing.seeded(seed, l))
          .thenComparing(Comparator.naturalOrder()));
      long[] counts = new long[Split.values().length];
      existingCounts.getOrDefault(dx, Map.of()).forEach((s, n) -> counts[s.ordinal()] += n);
      long total = 0;
      for (long c : counts) {
        total += c;
      }
      for (String lesion : lesions) {
        int n = imagesPerLesion.get(lesion);
        total += n;
        Split best = null;
        double bestDeficit = Double.NEGATIVE_INFINITY;
        for (Split s : Split.values()) {
          double deficit = ratios.of(s) * total - counts[s.ordinal()];
          if (ratios.of(s) > 0 && deficit > bestDeficit) {
            best = s;
            bestDeficit = deficit;
          }
        }
        counts[best.ordinal()] += n;
        result.put(lesion, best);
      }
    });
    return result;
  }
}
