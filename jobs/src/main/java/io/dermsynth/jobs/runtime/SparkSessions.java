package io.dermsynth.jobs.runtime;

import io.dermsynth.jobs.settings.Settings;
import com.typesafe.config.Config;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The one place a SparkSession is made. Local by default (with the small-machine settings), any master
 * by config; under spark-submit or on Databricks the master and session that exist are used as they are,
 * and only the settings from {@code spark.conf} that are not already set are added.
 */
public final class SparkSessions {

  private SparkSessions() {}

  public static SparkSession getOrCreate(Settings settings) {
    Config spark = settings.config().getConfig("spark");
    SparkConf conf = new SparkConf();  // picks up spark.* system properties (spark-submit sets them)
    for (Map.Entry<String, com.typesafe.config.ConfigValue> e : spark.getConfig("conf").entrySet()) {
      String key = com.typesafe.config.ConfigUtil.splitPath(e.getKey()).get(0);
      if (!conf.contains(key)) {
        conf.set(key, String.valueOf(e.getValue().unwrapped()));
      }
    }
    if (!conf.contains("spark.master")) {
      conf.setMaster(spark.getString("master"));
      // A local driver binds to loopback: nothing outside this machine needs to reach it.
      if (spark.getString("master").startsWith("local") && !conf.contains("spark.driver.host")) {
        conf.set("spark.driver.host", "127.0.0.1");
        conf.set("spark.driver.bindAddress", "127.0.0.1");
      }
    }
    if (!conf.contains("spark.app.name")) {
      conf.setAppName(spark.getString("app_name"));
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * GPUs per task for the model stages, from {@code spark.task_gpus}: auto is 1 when the executors have
   * GPUs and no task GPU amount applies to every stage already, else 0.
   */
  public static double modelTaskGpus(Settings settings, SparkSession spark) {
    SparkConf conf = spark.sparkContext().getConf();
    return new io.dermsynth.jobs.settings.ConfigReader(settings.config(), "spark").autoOr("task_gpus",
        () -> conf.getDouble("spark.executor.resource.gpu.amount", 0) > 0
            && !conf.contains("spark.task.resource.gpu.amount") ? 1 : 0);
  }
}
