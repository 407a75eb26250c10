package io.dermsynth.jobs.runtime;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.SparkSession;

/**
 * The project's Delta tables, by name, as folders under the warehouse (local, s3a://, dbfs:/...).
 * Path-based tables need no metastore, so the same code runs on a laptop, a cluster and Databricks.
 */
public final class Tables {

  public static final String IMAGES = "images";
  public static final String QUARANTINE = "quarantine";
  public static final String LATENTS = "latents";
  public static final String DIRECTIONS = "directions";
  public static final String DIRECTION_REVIEWS = "direction_reviews";
  public static final String SYNTHETIC = "synthetic";
  public static final String EVALUATIONS = "evaluations";
  public static final String RUNS = "runs";
  /** Images drawn from a trained generator by `sample --table`. */
  public static final String GAN_SAMPLES = "gan_samples";
  public static final List<String> ALL = List.of(IMAGES, QUARANTINE, LATENTS, DIRECTIONS,
      DIRECTION_REVIEWS, SYNTHETIC, EVALUATIONS, RUNS, GAN_SAMPLES);

  private final SparkSession spark;
  private final String warehouse;

  /** What {@link #upsert} did. */
  public record Upserted(long inserted, long replaced) {}

  public Tables(SparkSession spark, String warehouse) {
    this.spark = spark;
    this.warehouse = warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
  }

  public String warehouse() {
    return warehouse;
  }

  public String path(String table) {
    return warehouse + "/" + table;
  }

  public boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  public Dataset<Row> read(String table) {
    if (!exists(table)) {
      throw new IllegalStateException("table '" + table + "' does not exist under " + warehouse
          + "; run the stage that writes it first (e.g. `dermsynth ingest` for images)");
    }
    return TableCatalog.withDeclared(table, spark.read().format("delta").load(path(table)));
  }

  /**
   * Inserts the rows whose key is not in the table yet (creating it when absent); returns how many. Rows
   * with columns the table lacks add them (older rows read null there).
   */
  public long insertNew(String table, Dataset<Row> rows, String... keys) {
    return merge(table, rows, null, keys).inserted();
  }

  /**
   * As {@link #insertNew}, and replaces the matched rows for which {@code replaceWhen} (SQL over t = table,
   * s = new rows) holds.
   */
  public Upserted upsert(String table, Dataset<Row> rows, String replaceWhen, String... keys) {
    return merge(table, rows, replaceWhen, keys);
  }

  /** The one merge behind insertNew (replaceWhen null: no matched clause) and upsert. */
  private Upserted merge(String table, Dataset<Row> rows, String replaceWhen, String... keys) {
    if (!exists(table)) {
      TableCatalog.conformed(table, rows, true).write().format("delta").mode("errorifexists").save(path(table));
      return new Upserted(commitMetric(table, -1, "numOutputRows"), 0);
    }
    long before = version(table);
    var merge = DeltaTable.forPath(spark, path(table)).as("t")
        .merge(TableCatalog.conformed(table, rows, false).as("s"), keysEqual(keys))
        .withSchemaEvolution();
    if (replaceWhen != null) {
      merge = merge.whenMatched(replaceWhen).updateAll();
    }
    merge.whenNotMatched().insertAll().execute();
    return new Upserted(commitMetric(table, before, "numTargetRowsInserted"),
        commitMetric(table, before, "numTargetRowsUpdated"));
  }

  /** t.k <=> s.k for every key, ANDed: the merge condition (null-safe, as keys may be null in old rows). */
  private static String keysEqual(String... keys) {
    StringBuilder on = new StringBuilder();
    for (String k : keys) {
      on.append(on.isEmpty() ? "" : " AND ").append("t.").append(k).append(" <=> s.").append(k);
    }
    return on.toString();
  }

  /**
   * The table's newest commit version read from its log folder's listing, or −1 when there is no table:
   * one list call, where a DeltaTable history is a Spark job — every run takes this twice per table to
   * find what it changed.
   */
  long logVersion(String table) throws java.io.IOException {
    org.apache.hadoop.fs.Path log = new org.apache.hadoop.fs.Path(path(table), "_delta_log");
    org.apache.hadoop.fs.FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
    long newest = -1;
    if (fs.exists(log)) {
      for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(log)) {
        String n = f.getPath().getName();
        if (n.matches("\\d{20}\\.json")) {
          newest = Math.max(newest, Long.parseLong(n.substring(0, 20)));
        }
      }
    }
    return newest;
  }

  private long version(String table) {
    return DeltaTable.forPath(spark, path(table)).history(1).select("version").first().getLong(0);
  }

  /**
   * A figure from the table's latest commit: exact, and no second scan of the table. 0 when the write
   * made no commit after version {@code before} (a merge of no rows commits nothing, and the latest
   * commit's figure would then be an earlier write's).
   */
  private long commitMetric(String table, long before, String metric) {
    Row last = DeltaTable.forPath(spark, path(table)).history(1).select("version", "operationMetrics").first();
    return last.getLong(0) == before ? 0
        : Long.parseLong(last.<String, String>getJavaMap(1).getOrDefault(metric, "0"));
  }

  /**
   * The content of {@code rows}, independent of row order and partitioning: "t-" and 16 hex digits of the
   * SHA-256 of the column names, the row count and, in four lanes, the sum over rows of a 64-bit xxHash
   * of the row (lane i hashes i, then the columns sorted by name; maps as their sorted entries). Sums
   * make it a multiset hash that one aggregation computes without moving rows or bytes to the driver.
   * Provenance columns (which run, when, where a model lies) are left out, so two runs that write the
   * same rows get the same hash.
   */
  public static String contentHash(Dataset<Row> rows) {
    List<org.apache.spark.sql.types.StructField> kept = java.util.Arrays.stream(rows.schema().fields())
        .filter(f -> !provenance(f.name())).sorted(java.util.Comparator.comparing(
            org.apache.spark.sql.types.StructField::name)).toList();
    List<Column> cols = kept.stream().map(f -> f.dataType() instanceof org.apache.spark.sql.types.MapType
        ? functions.array_sort(functions.map_entries(functions.col(f.name()))) : functions.col(f.name())).toList();
    List<Column> lanes = new java.util.ArrayList<>();
    for (int lane = 0; lane < 4; lane++) {
      List<Column> in = new java.util.ArrayList<>(List.of(functions.lit(lane)));
      in.addAll(cols);
      lanes.add(functions.sum(functions.xxhash64(in.toArray(Column[]::new)).cast("decimal(38,0)")));
    }
    Row r = rows.agg(functions.count(functions.lit(1)), lanes.toArray(Column[]::new)).first();
    StringBuilder text = new StringBuilder(String.join(",", kept.stream().map(f -> f.name()).toList()))
        .append('|').append(r.getLong(0));
    for (int lane = 1; lane <= 4; lane++) {
      text.append('|').append(r.isNullAt(lane) ? "0" : r.getDecimal(lane).toPlainString());
    }
    return "t-" + io.dermsynth.core.data.Hashing.sha256Hex(text.toString().getBytes(
        java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
  }

  /**
   * Columns that say which run wrote a row, when, where it ran or where a model file lies, not what the
   * row holds (an experiment's id is its run id unless experiment.id names it).
   */
  static boolean provenance(String column) {
    return column.equals("run_id") || column.endsWith("_run_id") || column.endsWith("_at")
        || column.endsWith("_path") || column.equals("config") || column.equals("experiment_id")
        || column.contains("executor") || column.equals("task_gpu") || column.equals("device");
  }

  /** Appends the rows; the write that creates the table gives its columns their comments (TableCatalog). */
  public void append(String table, Dataset<Row> rows) {
    TableCatalog.conformed(table, rows, !exists(table)).write().format("delta").mode("append").save(path(table));
  }

  /** As {@link #append}, adding the columns the table lacks (its older rows read null there). */
  public void appendEvolving(String table, Dataset<Row> rows) {
    TableCatalog.conformed(table, rows, !exists(table)).write().format("delta").mode("append")
        .option("mergeSchema", "true").save(path(table));
  }

  /**
   * Registers every existing table as a temporary view of its name, for SQL, and drops views of
   * those names that an earlier warehouse in the same session left behind.
   */
  public List<String> registerViews() {
    List<String> found = ALL.stream().filter(this::exists).toList();
    for (String t : ALL) {
      if (found.contains(t)) {
        read(t).createOrReplaceTempView(t);
      } else {
        spark.catalog().dropTempView(t);
      }
    }
    return found;
  }
}
