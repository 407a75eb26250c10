package io.dermsynth.core.data;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
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
 * as malformed instead of being guessed at. Text is UTF-8; a file that is not (spreadsheet exports are
 * often Windows-1252) is read line by line as UTF-8 or else Windows-1252, with a warning naming the
 * lines, and a line that is neither is set apart as malformed with its file and line.
 */
public final class CsvTable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CsvTable.class);
  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

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
    List<Rejection> malformed = new ArrayList<>();
    String text = text(path, Files.readAllBytes(path), malformed);
    try (Reader in = new java.io.StringReader(text);
        CSVParser parser = CSVParser.parse(in, format)) {
      List<String> header = new ArrayList<>();
      for (String name : parser.getHeaderNames()) {
        header.add(normaliseHeader(name));
      }
      List<Row> rows = new ArrayList<>();
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
    } catch (IOException | IllegalStateException | java.io.UncheckedIOException e) {
      // The text is in memory, so any of these is commons-csv rejecting the format (an unterminated quote,
      // a character after a closing quote; its message has the line): the whole file is unusable then, and
      // it is the user's to fix. Found by TestFuzzInputs at 100,000 inputs (CSVException escaped).
      throw new IllegalArgumentException("cannot parse csv " + path + ": " + e.getMessage(), e);
    }
  }

  /** The header names of a csv without reading its rows; empty when the file has no header line. */
  public static List<String> readHeader(Path path) throws IOException {
    byte[] head;
    try (var in = Files.newInputStream(path)) {
      head = in.readNBytes(64 * 1024);
    }
    int end = 0;
    while (end < head.length && head[end] != '\n' && head[end] != '\r') {
      end++;
    }
    String first = line(java.util.Arrays.copyOf(head, end));
    return first == null || first.isBlank() ? List.of() : java.util.Arrays.stream(first.split(",", -1))
        .map(h -> normaliseHeader(h.replace("\"", ""))).toList();
  }

  /**
   * The file's text: all of it as UTF-8 when it decodes so; otherwise each line as UTF-8 or else
   * Windows-1252 (warned, with the lines), and a line neither decodes left empty and reported in
   * {@code malformed} with its file and line.
   */
  static String text(Path path, byte[] bytes, List<Rejection> malformed) {
    String utf8 = strict(StandardCharsets.UTF_8, bytes, 0, bytes.length);
    if (utf8 != null) {
      return utf8;
    }
    StringBuilder out = new StringBuilder(bytes.length);
    List<Long> cp1252 = new ArrayList<>();
    long lineNo = 1;
    for (int start = 0; start < bytes.length; lineNo++) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      String line = strict(StandardCharsets.UTF_8, bytes, start, end - start);
      if (line == null) {
        line = strict(WINDOWS_1252, bytes, start, end - start);
        if (line != null) {
          cp1252.add(lineNo);
        } else {
          malformed.add(new Rejection(path + ":" + lineNo, null, QuarantineReason.MALFORMED_ROW,
              "line is neither UTF-8 nor Windows-1252 text"));
          line = "";
        }
      }
      out.append(line);
      if (end < bytes.length) {
        out.append('\n');
      }
      start = end + 1;
    }
    if (!cp1252.isEmpty()) {
      LOG.warn("{} is not UTF-8: {} line(s) read as Windows-1252 (e.g. line {}); save it as UTF-8 to be sure of "
          + "its names", path, cp1252.size(), cp1252.get(0));
    }
    return out.toString();
  }

  /** One header line's text, as {@link #text} would decode it; null when neither charset does. */
  private static String line(byte[] bytes) {
    String s = strict(StandardCharsets.UTF_8, bytes, 0, bytes.length);
    return s != null ? s : strict(WINDOWS_1252, bytes, 0, bytes.length);
  }

  /** The bytes decoded with {@code cs}, or null at the first byte sequence that charset does not define. */
  private static String strict(Charset cs, byte[] bytes, int off, int len) {
    try {
      return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes, off, len)).toString();
    } catch (CharacterCodingException e) {
      return null;
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
