package io.dermsynth.jobs.runtime;

import io.dermsynth.jobs.settings.Settings;
import org.apache.spark.sql.SparkSession;

/** What every job needs: the resolved settings, the session, and the tables under the warehouse. */
public record JobContext(Settings settings, SparkSession spark, Tables tables) {

  public static JobContext of(Settings settings) {
    SparkSession spark = SparkSessions.getOrCreate(settings);
    return new JobContext(settings, spark, new Tables(spark, settings.warehouse(), TableNames.of(settings)));
  }
}
