package io.dermsynth.core.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A csv file with a header, read whole: RFC 4180 quoting, a UTF-8 byte-order mark tolerated, header
 * names compared case-insensitively. Rows whose field count differs from the header's are kept apart
 * as malformed instead of being guessed at.
 */
public final class CsvTable {

  /** One data row: its 1-based line in the file and its values by lower-case header name. */
  public record Row(long line, Map<String, String> values) {
    /** The trimmed value, or null when the column is absent or blank. */
    public String get(String column) {
      String v = values.get(column);
      return v == null || v.isBlank() ? null : v.trim();
    }
  }

  private final Path path;
  private final List<String> header;
  private final List<Row> rows;
  private final List<Rejection> malformed;

  private CsvTable(Path path, List<String> header, List<Row> rows, List<Rejection> malformed) {
    this.path = path;
    this.header = header;
    this.rows = rows;
    this.malformed = malformed;
  }

  public static CsvTable read(Path path) throws IOException {
    CSVFormat format = CSVFormat.RFC4180.builder()
        .setHeader()
        .setSkipHeaderRecord(true)
        .setIgnoreEmptyLines(true)
        .setAllowMissingColumnNames(true)
        .setIgnoreSurroundingSpaces(true)
        .get();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        CSVParser parser = CSVParser.parse(in, format)) {
      List<String> header = new ArrayList<>();
      for (String name : parser.getHeaderNames()) {
        header.add(normaliseHeader(name));
      }
      List<Row> rows = new ArrayList<>();
      List<Rejection> malformed = new ArrayList<>();
      for (CSVRecord rec : parser) {
        long line = rec.getParser().getCurrentLineNumber();
        if (rec.size() != header.size()) {
          malformed.add(new Rejection(path + ":" + line, null, QuarantineReason.MALFORMED_ROW,
              "row has " + rec.size() + " fields, the header has " + header.size()));
          continue;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
          values.put(header.get(i), rec.get(i));
        }
        rows.add(new Row(line, values));
      }
      return new CsvTable(path, List.copyOf(header), rows, malformed);
    } catch (IllegalStateException | java.io.UncheckedIOException e) {
      // commons-csv reports an unterminated quote this way; the whole file is unusable then.
      throw new IOException("cannot parse csv " + path + ": " + e.getMessage(), e);
    }
  }

  /** The header names of a csv without reading its rows; empty when the file has no header line. */
  public static List<String> readHeader(Path path) throws IOException {
    try (var lines = Files.lines(path, StandardCharsets.UTF_8)) {
      return lines.findFirst()
          .map(first -> java.util.Arrays.stream(first.split(",", -1))
              .map(h -> normaliseHeader(h.replace("\"", ""))).toList())
          .orElse(List.of());
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static String normaliseHeader(String name) {
    return name.replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT);
  }

  public Path path() {
    return path;
  }

  public List<String> header() {
    return header;
  }

  public boolean has(String column) {
    return header.contains(column);
  }

  public List<Row> rows() {
    return rows;
  }

  public List<Rejection> malformed() {
    return malformed;
  }

  /** The row's location as quarantine reports it. */
  public String source(Row row) {
    return path + ":" + row.line();
  }
}
