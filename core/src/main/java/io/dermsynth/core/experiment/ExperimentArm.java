package io.dermsynth.core.experiment;

import io.dermsynth.core.classify.SyntheticAllocation;
import io.dermsynth.core.factor.EditRenderer;
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
 * @param reconOnly the control arm: α = 0 renders only (the render without any edit)
 * @param policy which pool rows it may use and how they are spread over classes
 */
public record ExperimentArm(String name, int synthetic, double lpipsMax, String directionId, boolean withReal,
    boolean reconOnly, Policy policy) {

  /** The arm specs experiment.arms accepts. */
  public static final String GRAMMAR = "baseline | sa<N> or sa<N>k (e.g. sa2k, sa300) | recon<N> or recon<N>k "
      + "(α = 0 renders) | per-direction | lpips-sweep | synthetic-only; sa and recon arms may add ':'-separated "
      + "policy words: " + Policy.WORDS;
  private static final Pattern COUNTED = Pattern.compile("(sa|recon)([0-9]+)(k?)((?::[a-z_]+)*)");

  /**
   * The pool policy of an arm.
   *
   * @param render the render its synthetic images were made with
   * @param gated only images the label judge still gives their source's class (label_kept), with at least
   *     experiment.min_label_probability
   * @param allocation how its images are spread over classes
   * @param sources which inversions of a source its images may come from: {@code finest} (per source image,
   *     only the renders of its finest inversion among the rows the arm may use, so a source refined by
   *     optimisation is not also drawn from its older HyperStyle renders) or one method (encoder,
   *     hyperstyle, optimised)
   */
  public record Policy(EditRenderer.Render render, boolean gated, SyntheticAllocation.Policy allocation,
      String sources) {

    public static final String WORDS = "generator | residual, gated | ungated, proportional | capped | inverse_frequency "
        + "| none, finest | encoder | hyperstyle | optimised";
    /** The sources word that takes each source's finest inversion. */
    public static final String FINEST = "finest";

    /** The policy of {@code render}, {@code gated} and {@code allocation} that takes each source's finest inversion. */
    public Policy(EditRenderer.Render render, boolean gated, SyntheticAllocation.Policy allocation) {
      this(render, gated, allocation, FINEST);
    }

    /** The default policy with the words of {@code spec} (e.g. ":generator:ungated") applied. */
    public Policy with(String spec, String arm) {
      Policy p = this;
      for (String w : spec.split(":")) {
        if (w.isEmpty()) {
          continue;
        }
        switch (w) {
          case "generator", "residual" ->
              p = new Policy(EditRenderer.Render.parse(w), p.gated, p.allocation, p.sources);
          case "gated", "ungated" -> p = new Policy(p.render, w.equals("gated"), p.allocation, p.sources);
          case "proportional", "capped", "inverse_frequency", "none" ->
              p = new Policy(p.render, p.gated, SyntheticAllocation.Policy.parse(w), p.sources);
          case FINEST, "encoder", "hyperstyle", "optimised" -> p = new Policy(p.render, p.gated, p.allocation, w);
          default -> throw new IllegalArgumentException("experiment.arms: '" + arm + "' has policy word '" + w
              + "'; allowed: " + WORDS);
        }
      }
      return p;
    }

    /** As written in the report and in `evaluations`. */
    public String describe() {
      return "render=" + render.id() + " gate=" + (gated ? "label" : "none") + " allocation=" + allocation.id()
          + " sources=" + sources;
    }
  }

  /** A direction in the synthetic pool, for per-direction arms. */
  public record Direction(String id, int rank, String name) {}

  /** What the arm's training set is, in words (report, `evaluations.arm_policy`). */
  public String describe() {
    if (synthetic == 0) {
      return "real train split only";
    }
    return (reconOnly ? "α = 0 renders" : "edits") + (directionId == null ? "" : " along " + directionId)
        + String.format(Locale.ROOT, ", LPIPS ≤ %.2f, ", lpipsMax) + policy.describe()
        + (withReal ? "" : ", no real images");
  }

  /**
   * Expands the configured specs into arms; the baseline comes first (every difference is taken against
   * it), and there must be one.
   *
   * @param defaults the policy of arms whose spec does not say otherwise
   */
  public static List<ExperimentArm> expand(List<String> specs, int synthetic, double lpipsMax,
      List<Double> lpipsThresholds, Policy defaults, java.util.function.Supplier<List<Direction>> directions) {
    List<ExperimentArm> arms = new ArrayList<>();
    for (String raw : specs) {
      String spec = raw.trim().toLowerCase(Locale.ROOT);
      Matcher counted = COUNTED.matcher(spec);
      if (spec.equals("baseline")) {
        arms.add(0, new ExperimentArm("baseline", 0, lpipsMax, null, true, false, defaults));
      } else if (counted.matches()) {
        int n = Integer.parseInt(counted.group(2)) * (counted.group(3).isEmpty() ? 1 : 1000);
        if (n <= 0) {
          throw new IllegalArgumentException("experiment.arms: '" + raw + "' adds no synthetic images");
        }
        arms.add(new ExperimentArm(spec, n, lpipsMax, null, true, counted.group(1).equals("recon"),
            defaults.with(counted.group(4), raw)));
      } else if (spec.equals("per-direction")) {
        List<Direction> ds = directions.get();
        if (ds.isEmpty()) {
          throw new IllegalStateException("experiment.arms has per-direction, but the synthetic pool has no images");
        }
        for (Direction d : ds) {
          arms.add(new ExperimentArm("dir" + d.rank() + (d.name() == null ? "" : "-" + slug(d.name())), synthetic,
              lpipsMax, d.id(), true, false, defaults));
        }
      } else if (spec.equals("lpips-sweep")) {
        for (double t : lpipsThresholds) {
          arms.add(new ExperimentArm(String.format(Locale.ROOT, "lpips%.2f", t), synthetic, t, null, true, false,
              defaults));
        }
      } else if (spec.equals("synthetic-only")) {
        arms.add(new ExperimentArm("synthetic-only", synthetic, lpipsMax, null, false, false, defaults));
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
