package io.dermsynth.udf;

import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * The driver's Hadoop settings (s3a endpoint, credential providers, ...) for executors: broadcast once
 * per job as plain strings, since Hadoop's Configuration is not serialisable.
 */
final class HadoopConf {

  private HadoopConf() {}

  static Broadcast<Map<String, String>> broadcast(SparkSession spark) {
    Map<String, String> conf = new HashMap<>();
    spark.sparkContext().hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));
    return new JavaSparkContext(spark.sparkContext()).broadcast(conf);
  }

  static Configuration of(Broadcast<Map<String, String>> conf) {
    Configuration hadoop = new Configuration(false);
    conf.value().forEach(hadoop::set);
    return hadoop;
  }
}
