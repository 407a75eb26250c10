package io.dermsynth.jobs;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.settings.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One local Spark session per test JVM (getOrCreate); each test picks its own warehouse folder. */
public final class SparkTest {

  private SparkTest() {}

  public static JobContext context(Path warehouse, Map<String, String> sets) {
    Map<String, String> all = new LinkedHashMap<>(sets);
    all.put("warehouse", warehouse.toString());
    return JobContext.of(Settings.load(List.of(), all));
  }

  public static JobContext context(Path warehouse) {
    return context(warehouse, Map.of());
  }

  /**
   * Asserts figures ({@code "key=value"}) of the run whose {@code run ID:} line a command printed, as
   * its row in {@code runs} records them: the summary line says less than the row.
   */
  public static void assertFigures(JobContext ctx, String out, String... expected) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^run (\\S+):").matcher(out);
    org.junit.jupiter.api.Assertions.assertTrue(m.find(), "no run line in: " + out);
    Map<String, String> metrics = ctx.tables().read(io.dermsynth.jobs.runtime.Tables.RUNS)
        .where(org.apache.spark.sql.functions.col("run_id").equalTo(m.group(1))).select("metrics").first()
        .getJavaMap(0);
    for (String e : expected) {
      int eq = e.indexOf('=');
      org.junit.jupiter.api.Assertions.assertEquals(e.substring(eq + 1), metrics.get(e.substring(0, eq)),
          e.substring(0, eq) + " of " + metrics);
    }
  }
}
