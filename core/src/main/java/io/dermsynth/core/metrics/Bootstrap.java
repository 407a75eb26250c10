package io.dermsynth.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap confidence intervals that resample whole groups (lesions), not samples: images
 * of one lesion are not independent, and resampling them one by one gives intervals that are too narrow.
 */
public final class Bootstrap {

  /** A point estimate with its interval; {@code resamples} counts those where the statistic was defined. */
  public record Interval(double estimate, double lower, double upper, int resamples) {}

  private final int[][] members;
  private final int samples;
  private final int resamples;
  private final long seed;
  private final double level;

  /**
   * @param groupOfSample group index (e.g. lesion) of every sample
   * @param resamples number of bootstrap resamples (1,000 is usual)
   * @param level confidence level, e.g. 0.95
   */
  public Bootstrap(int[] groupOfSample, int resamples, long seed, double level) {
    if (resamples < 1 || level <= 0 || level >= 1) {
      throw new IllegalArgumentException("resamples must be ≥ 1 and level in (0,1), got "
          + resamples + ", " + level);
    }
    int groups = Arrays.stream(groupOfSample).max().orElse(-1) + 1;
    List<List<Integer>> byGroup = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      byGroup.add(new ArrayList<>());
    }
    for (int i = 0; i < groupOfSample.length; i++) {
      byGroup.get(groupOfSample[i]).add(i);
    }
    this.members = byGroup.stream().filter(l -> !l.isEmpty())
        .map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    this.samples = groupOfSample.length;
    this.resamples = resamples;
    this.seed = seed;
    this.level = level;
  }

  /**
   * A statistic of models trained with several seeds on one resample: the sample indices, and the seed
   * indices drawn (with repeats) for it.
   */
  public interface SeededStatistic {
    double apply(int[] samples, int[] seeds);
  }

  /** The statistic on all samples, and its interval; it receives the indices of one resample. */
  public Interval interval(ToDoubleFunction<int[]> statistic) {
    return run(0, (idx, s) -> statistic.applyAsDouble(idx), null);
  }

  /** Interval of statistic A − statistic B computed on the same resamples (paired). */
  public Interval pairedDifference(ToDoubleFunction<int[]> a, ToDoubleFunction<int[]> b) {
    return run(0, (idx, s) -> a.applyAsDouble(idx), (idx, s) -> b.applyAsDouble(idx));
  }

  /**
   * As {@link #interval}, for a statistic over {@code seeds} models: each resample draws the groups
   * and, independently, {@code seeds} seed indices with replacement, so the interval holds the
   * seed-to-seed spread of training as well as the test set's.
   */
  public Interval intervalOverSeeds(int seeds, SeededStatistic statistic) {
    return run(seeds, statistic, null);
  }

  /**
   * A − B with both resampled alike: the same groups and the same seed indices (arm A's model of seed
   * k is paired with arm B's model of seed k).
   */
  public Interval pairedDifferenceOverSeeds(int seeds, SeededStatistic a, SeededStatistic b) {
    return run(seeds, a, b);
  }

  private Interval run(int seeds, SeededStatistic a, SeededStatistic b) {
    int[] all = new int[samples];
    Arrays.setAll(all, i -> i);
    int[] allSeeds = new int[seeds];
    Arrays.setAll(allSeeds, i -> i);
    double estimate = value(a, b, all, allSeeds);
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] values = new double[resamples];
    int defined = 0;
    int[] buf = new int[samples * 2];
    for (int r = 0; r < resamples; r++) {
      int n = 0;
      for (int k = 0; k < members.length; k++) {
        int[] group = members[rnd.nextInt(members.length)];
        if (n + group.length > buf.length) {
          buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + group.length));
        }
        System.arraycopy(group, 0, buf, n, group.length);
        n += group.length;
      }
      int[] drawnSeeds = new int[seeds];
      for (int k = 0; k < seeds; k++) {
        drawnSeeds[k] = rnd.nextInt(seeds);
      }
      double v = value(a, b, Arrays.copyOf(buf, n), drawnSeeds);
      if (!Double.isNaN(v)) {
        values[defined++] = v;
      }
    }
    if (defined == 0) {
      return new Interval(estimate, Double.NaN, Double.NaN, 0);
    }
    double[] sorted = Arrays.copyOf(values, defined);
    Arrays.sort(sorted);
    double alpha = (1 - level) / 2;
    return new Interval(estimate, quantile(sorted, alpha), quantile(sorted, 1 - alpha), defined);
  }

  private static double value(SeededStatistic a, SeededStatistic b, int[] idx, int[] seeds) {
    return b == null ? a.apply(idx, seeds) : a.apply(idx, seeds) - b.apply(idx, seeds);
  }

  /** Linear interpolation between order statistics (numpy's default). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
