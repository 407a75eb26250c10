package io.dermsynth.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One arm of an experiment: which real and synthetic images its classifier trains on.
 *
 * @param synthetic synthetic images wanted (0 for the baseline)
 * @param lpipsMax synthetic images used have LPIPS to their source ≤ this
 * @param directionId only edits along this direction (per-direction arms), or null
 * @param withReal whether the real train split is in the training set (false: synthetic-only)
 */
public record ExperimentArm(String name, int synthetic, double lpipsMax, String directionId, boolean withReal) {

  /** The arm specs experiment.arms accepts. */
  public static final String GRAMMAR = "baseline | sa<N> or sa<N>k (e.g. sa2k, sa300) | per-direction | lpips-sweep "
      + "| synthetic-only";
  private static final Pattern SA = Pattern.compile("sa([0-9]+)(k?)");

  /** A direction in the synthetic pool, for per-direction arms. */
  public record Direction(String id, int rank, String name) {}

  /**
   * Expands the configured specs into arms; the baseline comes first (every difference is taken against
   * it), and there must be one.
   */
  public static List<ExperimentArm> expand(List<String> specs, int synthetic, double lpipsMax,
      List<Double> lpipsThresholds, java.util.function.Supplier<List<Direction>> directions) {
    List<ExperimentArm> arms = new ArrayList<>();
    for (String raw : specs) {
      String spec = raw.trim().toLowerCase(Locale.ROOT);
      Matcher sa = SA.matcher(spec);
      if (spec.equals("baseline")) {
        arms.add(0, new ExperimentArm("baseline", 0, lpipsMax, null, true));
      } else if (sa.matches()) {
        int n = Integer.parseInt(sa.group(1)) * (sa.group(2).isEmpty() ? 1 : 1000);
        if (n <= 0) {
          throw new IllegalArgumentException("experiment.arms: '" + raw + "' adds no synthetic images");
        }
        arms.add(new ExperimentArm(spec, n, lpipsMax, null, true));
      } else if (spec.equals("per-direction")) {
        List<Direction> ds = directions.get();
        if (ds.isEmpty()) {
          throw new IllegalStateException("experiment.arms has per-direction, but the synthetic pool has no images");
        }
        for (Direction d : ds) {
          arms.add(new ExperimentArm("dir" + d.rank() + (d.name() == null ? "" : "-" + slug(d.name())), synthetic,
              lpipsMax, d.id(), true));
        }
      } else if (spec.equals("lpips-sweep")) {
        for (double t : lpipsThresholds) {
          arms.add(new ExperimentArm(String.format(Locale.ROOT, "lpips%.2f", t), synthetic, t, null, true));
        }
      } else if (spec.equals("synthetic-only")) {
        arms.add(new ExperimentArm("synthetic-only", synthetic, lpipsMax, null, false));
      } else {
        throw new IllegalArgumentException("experiment.arms: unknown arm '" + raw + "'; allowed: " + GRAMMAR);
      }
    }
    if (arms.isEmpty() || !arms.get(0).name().equals("baseline")) {
      throw new IllegalArgumentException("experiment.arms must include baseline (differences are taken against it); "
          + "got " + specs);
    }
    List<String> names = arms.stream().map(ExperimentArm::name).toList();
    if (names.stream().distinct().count() != names.size()) {
      throw new IllegalArgumentException("experiment.arms names an arm twice: " + names);
    }
    return arms;
  }

  private static String slug(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
  }
}
