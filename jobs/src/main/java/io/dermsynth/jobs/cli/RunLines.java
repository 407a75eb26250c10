package io.dermsynth.jobs.cli;

import io.dermsynth.jobs.runtime.JobResult;
import java.io.PrintWriter;

/** How a job's {@link JobResult#summary()} is printed: by its own command, and under a pipeline step. */
public final class RunLines {

  private static final String STEP_INDENT = "      ";

  private RunLines() {}

  /** `run ID: summary` (a summary of several lines goes below, indented), then the report if any. */
  public static void printRun(PrintWriter out, JobResult r) {
    String summary = r.summary();
    if (summary.indexOf('\n') < 0) {
      out.println("run " + r.runId() + ": " + summary);
    } else {
      out.println("run " + r.runId() + ":");
      summary.lines().forEach(l -> out.println("  " + l));
    }
    if (r.reportPath() != null) {
      out.println("report: " + r.reportPath());
    }
    out.flush();
  }

  /** The summary under a pipeline step's heading, indented; returns the result. */
  static <R extends JobResult> R printStep(PrintWriter out, R r) {
    r.summary().lines().forEach(l -> out.println(STEP_INDENT + l));
    out.flush();
    return r;
  }
}
