package io.dermsynth.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL cells of a Databricks source-format notebook ({@code -- COMMAND ----------} between cells),
 * with the {@code warehouse} widget bound: markdown ({@code -- MAGIC}) and widget cells left out.
 */
final class Notebooks {

  static final Path DIR = Path.of("..", "notebooks");

  /** One cell: its SQL, and whether its comment says it must return no rows. */
  record Cell(String sql, boolean mustBeEmpty) {}

  private Notebooks() {}

  static List<Cell> sqlCells(String notebook, String warehouse) throws IOException {
    List<Cell> cells = new ArrayList<>();
    for (String cell : Files.readString(DIR.resolve(notebook)).split("(?m)^-- COMMAND -+\\s*$")) {
      String body = cell.replace("-- Databricks notebook source", "").strip();
      if (body.isEmpty() || body.startsWith("-- MAGIC") || body.startsWith("CREATE WIDGET")) {
        continue;
      }
      cells.add(new Cell(body.replace("${warehouse}", warehouse), body.contains("-- Must be empty")));
    }
    return cells;
  }
}
