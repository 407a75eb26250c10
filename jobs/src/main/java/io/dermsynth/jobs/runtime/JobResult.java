package io.dermsynth.jobs.runtime;

import java.util.Map;

/** What a job returns to its caller (a test, the CLI, the demo) and records in {@code runs}. */
public interface JobResult {
  /** Figures for the run's row in {@code runs}, e.g. rows written. */
  Map<String, String> metrics();

  /**
   * The run's status in {@code runs} when it returned: "succeeded", or "partial" when a time budget
   * stopped it before its goal (its output is usable but unfinished, and a rerun continues it).
   */
  default String status() {
    return "succeeded";
  }
}
