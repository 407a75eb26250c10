package io.dermsynth.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Renders a small result as an aligned text table; binary cells show their size, not their bytes. */
public final class TextTable {

  private TextTable() {}

  /** Binary as its size, maps as {@code k=v, ...} and arrays as {@code [a, b]}, not Scala's toString. */
  static String cell(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof byte[] b) {
      return "<" + b.length + " bytes>";
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      StringBuilder s = new StringBuilder();
      scala.jdk.javaapi.CollectionConverters.asJava(m).forEach((k, x) ->
          s.append(s.isEmpty() ? "" : ", ").append(cell(k)).append('=').append(cell(x)));
      return s.toString();
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return scala.jdk.javaapi.CollectionConverters.asJava(seq).stream().map(TextTable::cell)
          .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
    return v.toString();
  }

  /** At most {@code maxRows} rows; a last line says how many more there were. */
  public static String render(Dataset<Row> df, int maxRows) {
    String[] names = df.columns();
    List<Row> rows = df.limit(maxRows + 1).collectAsList();
    List<String[]> cells = new ArrayList<>();
    cells.add(names);
    for (Row r : rows.subList(0, Math.min(maxRows, rows.size()))) {
      String[] line = new String[names.length];
      for (int i = 0; i < names.length; i++) {
        line[i] = cell(r.get(i));
      }
      cells.add(line);
    }
    int[] width = new int[names.length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < cells.size(); k++) {
      String[] line = cells.get(k);
      for (int i = 0; i < line.length; i++) {
        out.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", line[i]));
      }
      out.append('\n');
      if (k == 0) {
        for (int i = 0; i < line.length; i++) {
          out.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.append('\n');
      }
    }
    if (rows.size() > maxRows) {
      out.append("(only the first ").append(maxRows).append(" rows are shown)\n");
    }
    return out.toString();
  }
}
