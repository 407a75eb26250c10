package io.dermsynth.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Gives each run an id, writes its resolved config to {@code <warehouse>/_runs/<run_id>/config.conf}
 * before any work, and appends its row to {@code runs} when it ends, failed runs included.
 */
public final class Runs {

  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("command", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("started_at", DataTypes.TimestampType, false)
      .add("finished_at", DataTypes.TimestampType, false)
      .add("config", DataTypes.StringType, false)
      .add("config_path", DataTypes.StringType, false)
      .add("metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
      .add("error", DataTypes.StringType, true);

  /** The body of a job, given its run id. */
  @FunctionalInterface
  public interface Body<R extends JobResult> {
    R run(String runId) throws Exception;
  }

  private Runs() {}

  public static String newRunId() {
    return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
        + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static <R extends JobResult> R record(JobContext ctx, String command, Body<R> body)
      throws Exception {
    String runId = newRunId();
    Instant started = Instant.now();
    String configPath = writeConfig(ctx, runId);
    R result = null;
    Throwable failure = null;
    try {
      result = body.run(runId);
      return result;
    } catch (Exception | Error e) {
      failure = e;
      throw e;
    } finally {
      Row row = RowFactory.create(runId, command, failure == null ? "succeeded" : "failed",
          Timestamp.from(started), Timestamp.from(Instant.now()), ctx.settings().renderJson(),
          configPath, result == null ? null : result.metrics(),
          failure == null ? null : String.valueOf(failure));
      ctx.tables().append(Tables.RUNS, ctx.spark().createDataFrame(List.of(row), SCHEMA));
    }
  }

  private static String writeConfig(JobContext ctx, String runId) throws IOException {
    String path = ctx.tables().warehouse() + "/_runs/" + runId + "/config.conf";
    HadoopFiles.write(ctx.spark(), path, ("# resolved configuration of run " + runId + "\n"
        + ctx.settings().render()).getBytes(StandardCharsets.UTF_8));
    return path;
  }

  /** The model_path of the newest succeeded run of a training command (train-gan, train-classifier, …). */
  /**
   * The model a job uses: the command-line argument when given, else the configured path when set, else
   * the newest succeeded run of {@code command}.
   */
  public static String modelPath(JobContext ctx, String argument, String configured, String command) {
    if (argument != null) {
      return argument;
    }
    return configured.isEmpty() ? latestModelPath(ctx, command) : configured;
  }

  public static String latestModelPath(JobContext ctx, String command) {
    if (!ctx.tables().exists(Tables.RUNS)) {
      throw new IllegalStateException("no runs yet in " + ctx.tables().path(Tables.RUNS) + "; run `dermsynth "
          + command + "` or name the model");
    }
    var rows = ctx.tables().read(Tables.RUNS)
        .where(org.apache.spark.sql.functions.col("command").equalTo(command)
            .and(org.apache.spark.sql.functions.col("status").equalTo("succeeded")))
        .orderBy(org.apache.spark.sql.functions.col("finished_at").desc())
        .select("metrics").limit(1).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("no succeeded " + command + " run in " + ctx.tables().path(Tables.RUNS)
          + "; run `dermsynth " + command + "` or name the model");
    }
    return rows.get(0).<String, String>getJavaMap(0).get("model_path");
  }
}
