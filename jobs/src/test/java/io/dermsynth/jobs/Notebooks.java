package io.dermsynth.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL cells of a Databricks source-format notebook ({@code -- COMMAND ----------} between cells),
 * with widgets bound as Databricks binds them: {@code ${name}} becomes the value given here, else the
 * widget's default. Markdown ({@code -- MAGIC}) and widget cells are left out.
 */
public final class Notebooks {

  public static final Path DIR = Path.of("..", "notebooks");
  private static final Pattern WIDGET = Pattern.compile("CREATE WIDGET TEXT (\\w+) DEFAULT '([^']*)'");

  /** One cell: its SQL, and whether its comment says it must return no rows. */
  public record Cell(String sql, boolean mustBeEmpty) {}

  private Notebooks() {}

  public static List<String> all() throws IOException {
    try (var files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
    }
  }

  public static List<Cell> sqlCells(String notebook, String warehouse) throws IOException {
    return sqlCells(notebook, Map.of("warehouse", warehouse));
  }

  public static List<Cell> sqlCells(String notebook, Map<String, String> widgets) throws IOException {
    Map<String, String> values = new HashMap<>();
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
      String sql = body;
      for (Map.Entry<String, String> v : values.entrySet()) {
        sql = sql.replace("${" + v.getKey() + "}", v.getValue());
      }
      if (sql.contains("${")) {
        throw new IllegalStateException(notebook + ": a cell uses a widget it does not create:\n" + body);
      }
      cells.add(new Cell(sql, body.contains("-- Must be empty")));
    }
    return cells;
  }
}
