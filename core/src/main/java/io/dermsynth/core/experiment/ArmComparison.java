package io.dermsynth.core.experiment;

import io.dermsynth.core.metrics.Bootstrap;
import io.dermsynth.core.metrics.ClassificationMetrics;
import io.dermsynth.core.metrics.Predictions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The experiment's statistics: per arm, balanced accuracy, macro AUC and per-class recall averaged over
 * its seeds' classifiers, with 95% bootstrap intervals that resample the test lesions and the seeds, and
 * paired-bootstrap differences to the first arm (the reference): the same resampled lesions and the same
 * seeds, arm A's seed-k model against the reference's seed-k model.
 */
public final class ArmComparison {

  /** One arm's figures; the deltas are null for the reference, or when the seed counts differ. */
  public record Summary(String arm, Bootstrap.Interval balancedAccuracy, Bootstrap.Interval aucMacro,
      List<Bootstrap.Interval> recall, Bootstrap.Interval deltaBalancedAccuracy, Bootstrap.Interval deltaAucMacro,
      List<Bootstrap.Interval> deltaRecall) {

    /** What the paired 95% interval of Δ balanced accuracy says: helped, hurt, or cannot tell. */
    public String verdict() {
      Bootstrap.Interval d = deltaBalancedAccuracy;
      if (d == null) {
        return "the reference";
      }
      return d.lower() > 0 ? "helped" : d.upper() < 0 ? "hurt" : "cannot tell at 95%";
    }
  }

  /** An arm: its name and one {@link Predictions} per seed, all on the same test images. */
  public record Arm(String name, List<Predictions> seeds) {}

  private ArmComparison() {}

  /** The arms' summaries, the first arm being the reference; {@code resamples} bootstrap draws. */
  public static List<Summary> compare(List<Arm> arms, int resamples, long seed) {
    Predictions first = arms.get(0).seeds().get(0);
    Bootstrap boot = new Bootstrap(first.lesionGroup(), resamples, seed, 0.95);
    int classes = first.classes();
    Arm base = arms.get(0);
    List<Summary> out = new ArrayList<>();
    for (Arm r : arms) {
      int seeds = r.seeds().size();
      Bootstrap.SeededStatistic ba = (idx, s) -> meanOver(r, idx, s, ClassificationMetrics::balancedAccuracy);
      Bootstrap.SeededStatistic auc = (idx, s) -> meanOver(r, idx, s, ClassificationMetrics::aucMacro);
      boolean paired = r != base && base.seeds().size() == seeds;
      List<Bootstrap.Interval> recall = new ArrayList<>();
      List<Bootstrap.Interval> dRecall = new ArrayList<>();
      for (int k = 0; k < classes; k++) {
        int cls = k;
        recall.add(boot.intervalOverSeeds(seeds, (idx, s) -> meanRecall(r, idx, s, cls)));
        dRecall.add(paired ? boot.pairedDifferenceOverSeeds(seeds, (idx, s) -> meanRecall(r, idx, s, cls),
            (idx, s) -> meanRecall(base, idx, s, cls)) : null);
      }
      Bootstrap.Interval dBa = paired ? boot.pairedDifferenceOverSeeds(seeds, ba,
          (idx, s) -> meanOver(base, idx, s, ClassificationMetrics::balancedAccuracy)) : null;
      Bootstrap.Interval dAuc = paired ? boot.pairedDifferenceOverSeeds(seeds, auc,
          (idx, s) -> meanOver(base, idx, s, ClassificationMetrics::aucMacro)) : null;
      out.add(new Summary(r.name(), boot.intervalOverSeeds(seeds, ba), boot.intervalOverSeeds(seeds, auc), recall,
          dBa, dAuc, dRecall));
    }
    return out;
  }

  /** The metric averaged over the models of the drawn seeds, on the resampled test images. */
  private static double meanOver(Arm r, int[] idx, int[] seeds, ToDoubleFunction<ClassificationMetrics> metric) {
    double sum = 0;
    for (int k : seeds) {
      sum += metric.applyAsDouble(r.seeds().get(k).on(idx));
    }
    return sum / seeds.length;
  }

  /** Recall of class k on the resampled images, averaged over the drawn seeds; NaN when k is absent. */
  private static double meanRecall(Arm r, int[] idx, int[] seeds, int k) {
    double sum = 0;
    for (int s : seeds) {
      sum += r.seeds().get(s).recallOn(idx, k);
    }
    return sum / seeds.length;
  }
}
