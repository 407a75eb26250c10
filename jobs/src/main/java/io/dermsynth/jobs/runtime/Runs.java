package io.dermsynth.jobs.runtime;

import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ProcessCpu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Gives each run an id, writes its resolved config to {@code <warehouse>/_runs/<run_id>/config.conf}
 * and its start ({@code run.properties}: command, start time, host, pid) before any work, and appends its
 * row to {@code runs} when it ends — succeeded, failed, or partial (a time budget stopped it) — with its
 * seeds (root and per stage) and, for each table it changed, {@link Tables#contentHash} of the rows it
 * wrote (those with its run_id; the whole table when the table has no run_id column), so two runs can be
 * compared table by table, and the CPU time its JVM spent ({@code cpu_seconds}). A run with a start and
 * no row is running, or was killed: {@link #listing} shows it as "running".
 */
public final class Runs {

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
    long cpuAtStart = ProcessCpu.nanos();
    String configPath = writeConfig(ctx, runId);
    writeStart(ctx, runId, command, started);
    Map<String, Long> versions = tableVersions(ctx);
    R result = null;
    Throwable failure = null;
    Map<String, String> hashes = null;
    try {
      result = body.run(runId);
      hashes = contentHashes(ctx, runId, versions);
      return result;
    } catch (Exception | Error e) {
      failure = e;
      throw e;
    } finally {
      Row row = RowFactory.create(runId, command, failure != null ? "failed" : result.status(),
          Timestamp.from(started), Timestamp.from(Instant.now()), ctx.settings().renderJson(),
          configPath, result == null ? null : result.metrics(),
          failure == null ? null : String.valueOf(failure), ctx.settings().seeds(), hashes,
          ProcessCpu.seconds(cpuAtStart, ProcessCpu.nanos()));
      ctx.tables().appendEvolving(Tables.RUNS, ctx.spark().createDataFrame(List.of(row), TableCatalog.schema(Tables.RUNS)));
    }
  }

  /**
   * The newest {@code last} runs: run_id, command, status (a started run without a row: "running"),
   * start, duration, the first figures of its metrics, the root seed, and "table=hash" for each table it
   * wrote (rows from before seeds and hashes were recorded show nothing there).
   */
  public static Dataset<Row> listing(JobContext ctx, int last) throws IOException {
    StructType columns = TableCatalog.schema(Tables.RUNS);
    Dataset<Row> finished = ctx.spark().createDataFrame(List.of(), columns);
    if (ctx.tables().exists(Tables.RUNS)) {
      finished = ctx.tables().read(Tables.RUNS);
    }
    java.util.Set<String> ended = new java.util.HashSet<>(finished.select("run_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    List<Row> running = new java.util.ArrayList<>();
    CheckpointStore started = ModelStore.store(ctx.spark(), ctx.tables().warehouse() + "/_runs");
    for (String id : started.list()) {
      if (ended.contains(id)) {
        continue;
      }
      var start = started.read(id + "/run.properties");
      if (start.isPresent()) {
        java.util.Properties p = new java.util.Properties();
        p.load(new java.io.StringReader(new String(start.get(), StandardCharsets.UTF_8)));
        // A row of the runs table as far as a started run can fill one (no settings, no end yet).
        running.add(RowFactory.create(id, p.getProperty("command"), "running",
            Timestamp.from(Instant.ofEpochMilli(Long.parseLong(p.getProperty("started_at_ms")))), null, "", "",
            Map.of("host", p.getProperty("host", ""), "pid", p.getProperty("pid", "")), null, null, null, null));
      }
    }
    Dataset<Row> all = finished.unionByName(ctx.spark().createDataFrame(running, columns));
    return all.orderBy(functions.col("started_at").desc(), functions.col("run_id").desc()).limit(last).selectExpr(
        "run_id", "command", "status", "date_format(started_at, 'yyyy-MM-dd HH:mm:ss') AS started",
        "CASE WHEN finished_at IS NULL THEN '' ELSE " + DURATION + " END AS duration",
        "array_join(transform(slice(filter(map_entries(metrics), e -> NOT e.key LIKE '%path%' "
            + "AND length(e.value) <= 40), 1, 3), e -> concat(e.key, '=', e.value)), ', ') AS metrics",
        "seeds['seed'] AS seed", "array_join(transform(array_sort(map_entries(content_hashes)), "
            + "e -> concat(e.key, '=', e.value)), ', ') AS wrote");
  }

  /** finished_at − started_at in milliseconds, as a double (format_string's %f takes no decimal). */
  private static final String MS = "CAST(unix_millis(finished_at) - unix_millis(started_at) AS DOUBLE)";
  /** That duration for a person: seconds under 2 minutes, minutes under 2 hours, then hours. */
  private static final String DURATION = "CASE WHEN " + MS + " < 120000 THEN format_string('%.1f s', " + MS
      + " / 1000) WHEN " + MS + " < 7200000 THEN format_string('%.1f min', " + MS + " / 60000) "
      + "ELSE format_string('%.1f h', " + MS + " / 3600000) END";

  private static void writeStart(JobContext ctx, String runId, String command, Instant started) throws IOException {
    String text = "command=" + command + "\nstarted_at_ms=" + started.toEpochMilli() + "\nhost="
        + java.net.InetAddress.getLocalHost().getHostName() + "\npid=" + ProcessHandle.current().pid() + "\n";
    ModelStore.writeFile(ctx.spark(), ctx.tables().warehouse() + "/_runs/" + runId + "/run.properties",
        text.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, Long> tableVersions(JobContext ctx) throws IOException {
    Map<String, Long> v = new TreeMap<>();
    for (String t : Tables.ALL) {
      long version = t.equals(Tables.RUNS) ? -1 : ctx.tables().logVersion(t);
      if (version >= 0) {
        v.put(t, version);
      }
    }
    return v;
  }

  private static Map<String, String> contentHashes(JobContext ctx, String runId, Map<String, Long> before)
      throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (var e : tableVersions(ctx).entrySet()) {
      if (!e.getValue().equals(before.get(e.getKey()))) {
        Dataset<Row> t = ctx.tables().read(e.getKey());
        boolean ownRows = List.of(t.columns()).contains("run_id");
        try {
          out.put(e.getKey(), Tables.contentHash(ownRows ? t.where(functions.col("run_id").equalTo(runId)) : t));
        } catch (RuntimeException failed) {
          // A figure about the run, not its work: the rows are written either way.
          out.put(e.getKey(), "unavailable: " + failed.getMessage());
        }
      }
    }
    return out;
  }

  private static String writeConfig(JobContext ctx, String runId) throws IOException {
    String path = ctx.tables().warehouse() + "/_runs/" + runId + "/config.conf";
    ModelStore.writeFile(ctx.spark(), path, ("# resolved configuration of run " + runId + "\n"
        + ctx.settings().render()).getBytes(StandardCharsets.UTF_8));
    return path;
  }

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

  /** How a run of a training command ended, and where its model is. */
  public record Ended(String runId, String status, String modelPath) {}

  /** The newest run of {@code command} that ended with one of {@code statuses}, if any. */
  public static java.util.Optional<Ended> latest(JobContext ctx, String command, String... statuses) {
    if (!ctx.tables().exists(Tables.RUNS)) {
      return java.util.Optional.empty();
    }
    return ctx.tables().read(Tables.RUNS)
        .where(functions.col("command").equalTo(command).and(functions.col("status").isin((Object[]) statuses)))
        .orderBy(functions.col("finished_at").desc()).select("run_id", "status", "metrics").limit(1).collectAsList()
        .stream().findFirst().map(r -> new Ended(r.getString(0), r.getString(1),
            r.<String, String>getJavaMap(2).get("model_path")));
  }

  /** The model_path of the newest succeeded run of a training command (train-gan, train-classifier, …). */
  public static String latestModelPath(JobContext ctx, String command) {
    if (!ctx.tables().exists(Tables.RUNS)) {
      throw new IllegalStateException("no runs yet in " + ctx.tables().where(Tables.RUNS) + "; run `dermsynth "
          + command + "` or name the model");
    }
    return latest(ctx, command, "succeeded").orElseThrow(() -> new IllegalStateException("no succeeded " + command
        + " run in " + ctx.tables().where(Tables.RUNS) + "; run `dermsynth " + command + "` or name the model"))
        .modelPath();
  }
}
