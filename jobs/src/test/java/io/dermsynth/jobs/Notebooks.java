package io.dermsynth.jobs;

import io.dermsynth.jobs.runtime.TableNames;
import io.dermsynth.jobs.runtime.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The SQL cells of a Databricks source-format notebook ({@code -- COMMAND ----------} between cells),
 * with widgets bound as Databricks (DBR 15.2+) binds them: each {@code :name} parameter marker takes the
 * value given here, else the widget's default. Markdown ({@code -- MAGIC}) and widget cells are left out.
 */
public final class Notebooks {

  public static final Path DIR = Path.of("..", "notebooks");
  private static final Pattern WIDGET = Pattern.compile("CREATE WIDGET TEXT (\\w+) DEFAULT '([^']*)'");
  /** A named parameter marker: a colon not part of "::" (a cast), before a name. */
  private static final Pattern MARKER = Pattern.compile("(?<![:\\w]):([A-Za-z_]\\w*)");

  /** One cell: its SQL, the widget values it binds, and whether its comment says it must return no rows. */
  public record Cell(String sql, Map<String, Object> args, boolean mustBeEmpty) {

    public List<Row> run(SparkSession spark) {
      return spark.sql(sql, args).collectAsList();
    }
  }

  private Notebooks() {}

  public static List<String> all() throws IOException {
    try (var files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
    }
  }

  /**
   * Names the tables of a path-based warehouse in Spark's catalog, as a user does with tables.kind =
   * external, and returns the widget values that point the notebooks at them.
   */
  public static Map<String, String> registerByName(SparkSession spark, Path warehouse) {
    String schema = "nb_" + Integer.toHexString(warehouse.toAbsolutePath().toString().hashCode() & 0x7fffffff);
    spark.sql("CREATE SCHEMA IF NOT EXISTS spark_catalog." + schema + " LOCATION '"
        + warehouse.resolveSibling(warehouse.getFileName() + "-catalog").toUri() + "'");
    new Tables(spark, warehouse.toString(), new TableNames("spark_catalog", schema, true)).registerViews();
    return Map.of("catalog", "spark_catalog", "schema", schema);
  }

  public static List<Cell> sqlCells(String notebook, Map<String, String> widgets) throws IOException {
    Map<String, Object> values = new HashMap<>();
    List<String> bodies = new ArrayList<>();
    for (String cell : Files.readString(DIR.resolve(notebook)).split("(?m)^-- COMMAND -+\\s*$")) {
      String body = cell.replace("-- Databricks notebook source", "").strip();
      Matcher w = WIDGET.matcher(body);
      if (w.matches()) {
        values.put(w.group(1), widgets.getOrDefault(w.group(1), w.group(2)));
      } else if (!body.isEmpty() && !body.startsWith("-- MAGIC")) {
        bodies.add(body);
      }
    }
    List<Cell> cells = new ArrayList<>();
    for (String body : bodies) {
      Map<String, Object> args = new HashMap<>();
      Matcher m = MARKER.matcher(body.replaceAll("'[^']*'", "''"));
      while (m.find()) {
        if (!values.containsKey(m.group(1))) {
          throw new IllegalStateException(notebook + ": a cell uses :" + m.group(1) + ", a widget it does not create:\n"
              + body);
        }
        args.put(m.group(1), values.get(m.group(1)));
      }
      if (body.contains("${")) {
        throw new IllegalStateException(notebook + ": ${...} widgets are deprecated (DBR 15.2); use :name:\n" + body);
      }
      cells.add(new Cell(body, args, body.contains("-- Must be empty")));
    }
    return cells;
  }
}
