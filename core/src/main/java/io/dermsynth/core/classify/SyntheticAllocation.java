package io.dermsynth.core.classify;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many synthetic images each class gets. The choice matters: when rare classes get most of the
 * synthetic images (inverse frequency), "looks synthetic" becomes a cue for "rare class", and the
 * classifier learns it instead of the lesions (bench/RESULTS.md, the first real experiment).
 */
public final class SyntheticAllocation {

  /** The allocation policies. */
  public enum Policy {
    /** The same synthetic fraction in every class: n_syn(c) ∝ n_real(c), equal shares within one image. */
    PROPORTIONAL,
    /** Inverse frequency, with no class's synthetic share of its draws above the cap. */
    CAPPED,
    /** Shares ∝ 1 / n_real(c): rare classes get more (the paper's class balancing). */
    INVERSE_FREQUENCY,
    /** Shares ∝ n_real(c), a class short of images passing its share on to the others. */
    NONE;

    public String id() {
      return io.dermsynth.core.Choices.id(this);
    }

    public static Policy parse(String name) {
      return io.dermsynth.core.Choices.parse(Policy.class, name, "allocation");
    }
  }

  private SyntheticAllocation() {}

  /**
   * Per-class counts of synthetic images.
   *
   * @param real real train images per class (the classes to allocate to; a class with none takes
   *     weight 1)
   * @param available synthetic images each class can give (absent = 0)
   * @param target images wanted in all
   * @param cap CAPPED only: the most a class's synthetic images may be of its draws, in (0, 1), when
   *     each real image is drawn with weight 1 and each synthetic one with {@code syntheticWeight}
   *     (weights from the real counts: a class's synthetic share of draws is s·m / (n + s·m))
   * @return counts summing to {@code target} when the pool allows it: PROPORTIONAL lowers the common
   *     fraction to what the shortest class can give, so its sum can fall short; the others pass a
   *     short class's share on to the next
   */
  public static Map<String, Long> quotas(Policy policy, Map<String, Long> real, Map<String, Long> available,
      long target, double cap, double syntheticWeight) {
    if (target < 0) {
      throw new IllegalArgumentException("target must be ≥ 0, got " + target);
    }
    Map<String, Long> have = new TreeMap<>();
    real.keySet().forEach(k -> have.put(k, Math.max(0, available.getOrDefault(k, 0L))));
    return switch (policy) {
      case PROPORTIONAL -> proportional(real, have, target);
      case CAPPED -> {
        if (!(cap > 0 && cap < 1) || !(syntheticWeight > 0)) {
          throw new IllegalArgumentException("capped allocation needs a cap in (0, 1) and a synthetic weight > 0, "
              + "got " + cap + " and " + syntheticWeight);
        }
        Map<String, Long> capped = new TreeMap<>();
        have.forEach((k, v) -> capped.put(k, Math.min(v, maxUnderCap(real.get(k), cap, syntheticWeight))));
        yield spread(real, capped, target, true);
      }
      case INVERSE_FREQUENCY -> spread(real, have, target, true);
      case NONE -> spread(real, have, target, false);
    };
  }

  /** The most synthetic images m with s·m / (n + s·m) ≤ cap. */
  public static long maxUnderCap(long n, double cap, double syntheticWeight) {
    return (long) Math.floor(cap * n / (syntheticWeight * (1 - cap)) + 1e-9);
  }

  private static Map<String, Long> proportional(Map<String, Long> real, Map<String, Long> have, long target) {
    long total = real.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Long> out = new TreeMap<>();
    if (total == 0 || target == 0) {
      real.keySet().forEach(k -> out.put(k, 0L));
      return out;
    }
    double f = (double) target / total;
    for (String k : real.keySet()) {
      if (real.get(k) > 0) {
        f = Math.min(f, (double) have.get(k) / real.get(k));
      }
    }
    double share = f;
    long wanted = Math.min(target, (long) Math.floor(share * total + 1e-9));
    long given = 0;
    for (String k : real.keySet()) {
      long q = Math.min(have.get(k), (long) Math.floor(share * real.get(k) + 1e-9));
      out.put(k, q);
      given += q;
    }
    // The remainder, one each, to the classes whose share rounded down the most.
    List<String> order = real.keySet().stream()
        .sorted(Comparator.comparingDouble((String k) -> -(share * real.get(k) - out.get(k))).thenComparing(k -> k))
        .toList();
    for (String k : order) {
      if (given >= wanted) {
        break;
      }
      if (out.get(k) < have.get(k) && out.get(k) + 1 - share * real.get(k) < 1) {
        out.merge(k, 1L, Long::sum);
        given++;
      }
    }
    return out;
  }

  /** Shares by weight 1/n (or n), capped by what a class has, the rest passed on to the open classes. */
  private static Map<String, Long> spread(Map<String, Long> real, Map<String, Long> have, long target,
      boolean inverse) {
    Map<String, Long> out = new TreeMap<>();
    have.keySet().forEach(k -> out.put(k, 0L));
    long left = Math.min(target, have.values().stream().mapToLong(Long::longValue).sum());
    while (left > 0) {
      List<String> open = have.keySet().stream().filter(k -> out.get(k) < have.get(k)).toList();
      double total = open.stream().mapToDouble(k -> weight(real.get(k), inverse)).sum();
      long given = 0;
      for (String k : open) {
        long share = (long) Math.floor(left * weight(real.get(k), inverse) / total);
        long take = Math.min(share, have.get(k) - out.get(k));
        out.merge(k, take, Long::sum);
        given += take;
      }
      if (given == 0) {
        // Rounding left a remainder: one each to the open classes, rarest first.
        for (String k : open.stream().sorted(Comparator.comparingLong((String k) -> real.get(k)).thenComparing(k -> k))
            .toList()) {
          if (left - given > 0) {
            out.merge(k, 1L, Long::sum);
            given++;
          }
        }
      }
      left -= given;
    }
    return out;
  }

  private static double weight(long n, boolean inverse) {
    long m = Math.max(n, 1);
    return inverse ? 1.0 / m : m;
  }
}
