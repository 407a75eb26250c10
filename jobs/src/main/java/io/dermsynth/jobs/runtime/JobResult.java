package io.dermsynth.jobs.runtime;

import java.util.Map;

/** What a job returns to its caller (a test, the CLI, the demo) and records in {@code runs}. */
public interface JobResult {

  /** The run's id in {@code runs}. */
  String runId();

  /** Figures for the run's row in {@code runs}, e.g. rows written. */
  Map<String, String> metrics();

  /**
   * What the run did, for a person: one line (several for the experiment, one per arm). The stage's
   * command, {@code pipeline} and {@code demo} all print this text, so they never disagree.
   */
  String summary();

  /** The HTML report the run wrote, or null when it writes none. */
  default String reportPath() {
    return null;
  }

  /**
   * The run's status in {@code runs} when it returned: "succeeded", or "partial" when a time budget
   * stopped it before its goal (its output is usable but unfinished, and a rerun continues it).
   */
  default String status() {
    return "succeeded";
  }
}
