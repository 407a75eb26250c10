package io.dermsynth.jobs;

import java.util.Map;

/** What a job returns to its caller (a test, the CLI, the demo) and records in {@code runs}. */
public interface JobResult {
  /** Figures for the run's row in {@code runs}, e.g. rows written. */
  Map<String, String> metrics();
}
