package io.dermsynth.jobs.runtime;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.SparkSession;

/**
 * The project's Delta tables: by default folders under the warehouse (local, s3a://, dbfs:/...), which
 * need no metastore, so the same code runs on a laptop, a cluster and Databricks; with {@code
 * tables.catalog} set, tables named {@code catalog.schema.table} in that catalog (Unity Catalog's grants
 * and lineage), managed or external ({@link TableNames}). Every job reads and writes through here.
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
  private final TableNames names;
  private boolean schemaChecked;

  /** What {@link #upsert} did. */
  public record Upserted(long inserted, long replaced) {}

  /** Path-based tables under {@code warehouse}. */
  public Tables(SparkSession spark, String warehouse) {
    this(spark, warehouse, TableNames.PATHS);
  }

  public Tables(SparkSession spark, String warehouse, TableNames names) {
    this.spark = spark;
    this.warehouse = warehouse.endsWith("/") ? warehouse.substring(0, warehouse.length() - 1) : warehouse;
    this.names = names;
  }

  public TableNames names() {
    return names;
  }

  public String warehouse() {
    return warehouse;
  }

  public String path(String table) {
    return warehouse + "/" + table;
  }

  /** Where a table is, for messages: its name in the catalog, or its folder. */
  public String where(String table) {
    return names.named() ? names.qualified(table) : path(table);
  }

  /**
   * Whether the table exists. External tables: a Delta folder at the table's path that the catalog does
   * not know yet (written path-based, or by a session whose catalog did not persist) is registered here,
   * so a path-based warehouse becomes named tables by running any command with tables.kind = external.
   */
  public boolean exists(String table) {
    if (!names.named()) {
      return DeltaTable.isDeltaTable(spark, path(table));
    }
    if (spark.catalog().tableExists(names.qualified(table))) {
      return true;
    }
    if (names.external() && DeltaTable.isDeltaTable(spark, path(table))) {
      ensureSchema();
      spark.sql("CREATE TABLE IF NOT EXISTS " + names.qualified(table) + " USING delta LOCATION '"
          + path(table).replace("\\", "\\\\").replace("'", "\\'") + "'");
      return true;
    }
    return false;
  }

  public Dataset<Row> read(String table) {
    if (!exists(table)) {
      throw new IllegalStateException("table '" + table + "' does not exist (" + where(table)
          + "); run the stage that writes it first (e.g. `dermsynth ingest` for images)");
    }
    return TableCatalog.withDeclared(table, names.named() ? spark.read().table(names.qualified(table))
        : spark.read().format("delta").load(path(table)));
  }

  /** The table as Delta's API sees it (merge, history, update). */
  public DeltaTable delta(String table) {
    return names.named() ? DeltaTable.forName(spark, names.qualified(table)) : DeltaTable.forPath(spark, path(table));
  }

  /**
   * Writes {@code rows} in {@code mode}: to the table's folder, or by name (created managed, or external
   * at the table's folder, when absent).
   */
  private void write(String table, org.apache.spark.sql.DataFrameWriter<Row> writer, String mode) {
    writer.format("delta").mode(mode);
    if (!names.named()) {
      writer.save(path(table));
      return;
    }
    ensureSchema();
    if (names.external() && !exists(table)) {
      writer.option("path", path(table));
    }
    writer.saveAsTable(names.qualified(table));
  }

  /** Creates the catalog schema once (a no-op where it exists; where it does not, the user needs the grant). */
  private void ensureSchema() {
    if (!schemaChecked) {
      spark.sql("CREATE SCHEMA IF NOT EXISTS " + names.qualifiedSchema());
      schemaChecked = true;
    }
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
      write(table, TableCatalog.conformed(table, rows, true).write(), "errorifexists");
      return new Upserted(commitMetric(table, -1, "numOutputRows"), 0);
    }
    long before = version(table);
    var merge = delta(table).as("t")
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
   * find what it changed. Named tables ask Delta (a managed table's files are the catalog's, not ours).
   */
  long logVersion(String table) throws java.io.IOException {
    if (names.named()) {
      return exists(table) ? version(table) : -1;
    }
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
    return delta(table).history(1).select("version").first().getLong(0);
  }

  /**
   * A figure from the table's latest commit: exact, and no second scan of the table. 0 when the write
   * made no commit after version {@code before} (a merge of no rows commits nothing, and the latest
   * commit's figure would then be an earlier write's).
   */
  private long commitMetric(String table, long before, String metric) {
    Row last = delta(table).history(1).select("version", "operationMetrics").first();
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
    write(table, TableCatalog.conformed(table, rows, !exists(table)).write(), "append");
  }

  /** As {@link #append}, adding the columns the table lacks (its older rows read null there). */
  public void appendEvolving(String table, Dataset<Row> rows) {
    write(table, TableCatalog.conformed(table, rows, !exists(table)).write().option("mergeSchema", "true"), "append");
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
