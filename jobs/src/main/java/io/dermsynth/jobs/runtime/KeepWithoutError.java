package io.dermsynth.jobs.runtime;

import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Keeps the rows whose result struct (a Transformer's output column with {@code error_code},
 * {@code error_message} and {@code executor_id}) has no error; hands the others to the driver as quarantine
 * rows (the quarantine table's columns less quarantined_at: source, image_id, reason, message, stage, run) and, when asked,
 * the executor's id once per task. Failures are few, so an accumulator carries them and nothing is cached
 * or computed twice. A new instance is deserialised for every task, hence the per-task flag.
 */
public final class KeepWithoutError implements FilterFunction<Row> {
  private static final long serialVersionUID = 1L;
  // Rows reach a FilterFunction without their schema: positions are fixed on the driver.
  private final int result;
  private final int errorCode;
  private final int errorMessage;
  private final int executor;
  private final int source;
  private final int imageId;
  private final String stage;
  private final String runId;
  private final CollectionAccumulator<Row> failures;
  private final CollectionAccumulator<String> executors;
  private transient boolean executorRecorded;

  /**
   * @param resultColumn the struct column of {@code schema} whose {@code resultType} holds the error
   * @param sourceColumn what the quarantine row names as its source (a file path, a synth_id)
   * @param executors where each task's executor id goes, or null
   */
  public KeepWithoutError(StructType schema, String resultColumn, StructType resultType, String sourceColumn,
      String stage, String runId, CollectionAccumulator<Row> failures, CollectionAccumulator<String> executors) {
    this.result = schema.fieldIndex(resultColumn);
    this.errorCode = resultType.fieldIndex("error_code");
    this.errorMessage = resultType.fieldIndex("error_message");
    this.executor = resultType.fieldIndex("executor_id");
    this.source = schema.fieldIndex(sourceColumn);
    this.imageId = schema.fieldIndex("image_id");
    this.stage = stage;
    this.runId = runId;
    this.failures = failures;
    this.executors = executors;
  }

  @Override
  public boolean call(Row row) {
    Row r = row.getStruct(result);
    if (executors != null && !executorRecorded) {
      executors.add(r.getString(executor));
      executorRecorded = true;
    }
    String error = r.getString(errorCode);
    if (error == null) {
      return true;
    }
    failures.add(RowFactory.create(row.getString(source), row.getString(imageId), error,
        String.valueOf(r.getString(errorMessage)), stage, runId));
    return false;
  }
}
