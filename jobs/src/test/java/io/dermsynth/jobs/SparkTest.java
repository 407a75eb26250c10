package io.dermsynth.jobs;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Settings;
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
}
