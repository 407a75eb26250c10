package io.dermsynth.bench;

import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.jobs.gan.GanSettings;
import io.dermsynth.jobs.settings.Settings;
import java.util.List;
import java.util.Map;

/** The presets the benches run at: the same files the jobs layer ({@code conf/presets/gan}). */
final class BenchPresets {

  private BenchPresets() {}

  static GanOptions gan(String preset) {
    return GanSettings.of(Settings.load(List.of(), Map.of("gan.preset", preset))).training();
  }
}
