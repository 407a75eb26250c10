package io.dermsynth.jobs.runtime;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where a model stage's tasks ran, for its run row: per executor, the GPU address Spark assigned and the
 * device the model used, with row counts — e.g. {@code 0:gpu 1>gpu(1):120,1:gpu 0>gpu(0):120}; "none"
 * for the GPU when Spark scheduled none.
 */
public final class TaskDevices {

  private TaskDevices() {}

  /** Summarises columns executor_id, task_gpu and device (under {@code prefix}, e.g. "latent."). */
  public static String summary(Dataset<Row> rows, String prefix) {
    if (prefix.isEmpty() && !java.util.Arrays.asList(rows.columns()).contains("task_gpu")) {
      // A table made before these columns existed: Delta's MERGE ignores source columns it lacks.
      return "not recorded (table predates task_gpu)";
    }
    Column gpu = coalesce(col(prefix + "task_gpu"), lit("none"));
    StringBuilder s = new StringBuilder();
    for (Row r : rows.groupBy(col(prefix + "executor_id").as("e"), gpu.as("g"), col(prefix + "device").as("d"))
        .count().orderBy("e", "g", "d").collectAsList()) {
      s.append(s.isEmpty() ? "" : ",").append(r.getString(0)).append(":gpu ").append(r.getString(1)).append('>')
          .append(r.getString(2)).append(':').append(r.getLong(3));
    }
    return s.toString();
  }
}
