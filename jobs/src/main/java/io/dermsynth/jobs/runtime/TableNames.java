package io.dermsynth.jobs.runtime;

import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.settings.Settings;
import java.util.List;

/**
 * How the tables are addressed: as Delta folders under the warehouse (no catalog, the default off
 * Databricks), or by name {@code catalog.schema.table} in a catalog (Unity Catalog, a Hive metastore,
 * Spark's own {@code spark_catalog}) as managed tables — the catalog owns the files — or as external
 * tables whose files stay at {@code <warehouse>/<table>}.
 *
 * @param catalog null for path-based tables
 */
public record TableNames(String catalog, String schema, boolean external) {

  public static final TableNames PATHS = new TableNames(null, null, false);
  /** The settings' keys, in the section {@code tables}. */
  public static final String CATALOG = "catalog";
  public static final String SCHEMA = "schema";
  public static final String KIND = "kind";
  private static final String OFF = "off";

  public TableNames {
    if (catalog != null) {
      for (String part : List.of(catalog, schema)) {
        if (part == null || part.isBlank() || part.contains("`") || part.contains(".")) {
          throw new IllegalArgumentException("tables.catalog and tables.schema must be plain names (no '.' or '`'), "
              + "got '" + catalog + "' and '" + schema + "'");
        }
      }
    }
  }

  public static TableNames of(Settings settings) {
    ConfigReader c = ConfigReader.of(settings, "tables");
    String catalog = c.string(CATALOG).trim();
    boolean external = c.oneOf(KIND, List.of("managed", "external")).equals("external");
    return catalog.equals(OFF) ? PATHS : new TableNames(catalog, c.string(SCHEMA).trim(), external);
  }

  public boolean named() {
    return catalog != null;
  }

  /** {@code `catalog`.`schema`}. */
  public String qualifiedSchema() {
    return "`" + catalog + "`.`" + schema + "`";
  }

  /** {@code `catalog`.`schema`.`table`}, for SQL and the DataFrame API alike. */
  public String qualified(String table) {
    return qualifiedSchema() + ".`" + table + "`";
  }
}
