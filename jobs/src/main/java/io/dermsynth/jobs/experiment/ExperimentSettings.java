package io.dermsynth.jobs.experiment;

import io.dermsynth.core.classify.SyntheticAllocation;
import io.dermsynth.core.experiment.ExperimentArm;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.settings.Settings;
import java.util.List;

/**
 * The {@code experiment} section, typed (see conf/application.conf for each key).
 *
 * @param id this experiment's name; empty: its run id
 * @param arms the arm grammar's words, baseline first
 * @param seeds classifier seeds, each arm trained once per seed
 * @param budget steps (every arm takes the baseline's optimiser steps) or epochs
 * @param defaults the render, gate and allocation of an arm that does not name its own
 * @param minLabelProbability the gate's least probability of the source's class
 * @param lpipsReconThreshold the gate's largest LPIPS to the α = 0 render
 * @param cap capped allocation: synthetic at most this share of a class's draws
 * @param synthetic images per per-direction, lpips-sweep and synthetic-only arm
 * @param lpipsThreshold LPIPS to the source at most this (the paper's filter)
 * @param lpipsThresholds lpips-sweep's arms
 * @param pool extra SQL condition on `synthetic`; empty: every row
 * @param allowFewer an arm whose pool is short uses what there is instead of failing
 * @param examplesPerClass synthetic examples per class in the report
 * @param resume reuse the models of earlier runs of the same arm, seed and images
 */
public record ExperimentSettings(String id, List<String> arms, List<Long> seeds, String budget,
    ExperimentArm.Policy defaults, double minLabelProbability, double lpipsReconThreshold, double cap, int synthetic,
    double lpipsThreshold, List<Double> lpipsThresholds, String pool, boolean allowFewer, int examplesPerClass,
    boolean resume) {

  static final String SECTION = "experiment";

  public static ExperimentSettings of(Settings settings) {
    ConfigReader r = ConfigReader.of(settings, SECTION);
    List<Long> seeds = settings.config().getLongList(r.key("seeds"));
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("experiment.seeds is empty; give at least one classifier seed");
    }
    ExperimentArm.Policy defaults = new ExperimentArm.Policy(
        EditRenderer.Render.parse(r.oneOf("render", List.of("residual", "generator"))), r.bool("gate"),
        SyntheticAllocation.Policy.parse(r.oneOf("allocation", java.util.Arrays.stream(
            SyntheticAllocation.Policy.values()).map(SyntheticAllocation.Policy::id).toList())));
    return new ExperimentSettings(r.string("id"), r.strings("arms"), seeds, r.oneOf("budget", List.of("steps", "epochs")),
        defaults, r.fraction("min_label_probability"), r.atLeast("lpips_recon_threshold", 0.0), r.fraction("cap"),
        r.atLeast("synthetic", 0), r.atLeast("lpips_threshold", 0.0), r.numbers("lpips_thresholds"), r.string("pool"),
        r.bool("allow_fewer"), r.atLeast("examples_per_class", 0), r.bool("resume"));
  }
}
