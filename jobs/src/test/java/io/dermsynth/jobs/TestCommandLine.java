package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user types it, run in-process. */
class TestCommandLine {

  @TempDir Path tmp;

  record Outcome(int code, String out, String err) {}

  static Outcome cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  /** {@code n} phantoms made in tmp/p and ingested at {@code size} px into the warehouse {@code wh}. */
  static void phantomsIngested(Path tmp, int n, Path wh, int size) {
    assertEquals(0, cli("make-phantoms", "--out", tmp.resolve("p").toString(), "--n", String.valueOf(n)).code());
    Outcome ingest = cli("ingest", "--data", tmp.resolve("p").toString(), "--set", "warehouse=" + wh, "--set",
        "ingest.size=" + size);
    assertEquals(0, ingest.code(), ingest.err());
  }

  @Test
  void everyCommandHasHelp() {
    for (String cmd : new String[] {"make-phantoms", "ingest", "train-gan", "sample", "train-inverter", "invert", "sql",
        "demo"}) {
      Outcome o = cli(cmd, "--help");
      assertEquals(0, o.code(), cmd);
      assertTrue(o.out().contains("--config") && o.out().contains("--set"), cmd + ": " + o.out());
    }
    assertTrue(cli("--help").out().contains("make-phantoms"));
  }

  @Test
  void phantomsIngestAndSqlFromTheCommandLine() throws Exception {
    String wh = "warehouse=" + tmp.resolve("wh");
    Outcome made = cli("make-phantoms", "--out", tmp.resolve("p").toString(), "--n", "40");
    assertEquals(0, made.code(), made.err());
    assertTrue(made.out().contains("nv"), made.out());
    Outcome ingested = cli("ingest", "--data", tmp.resolve("p").toString(), "--format", "ham10000",
        "--set", wh, "--set", "ingest.size=32");
    assertEquals(0, ingested.code(), ingested.err());
    assertTrue(ingested.out().contains("40 images added"), ingested.out());
    Outcome sql = cli("sql", "SELECT count(*) AS n, max(width) AS w FROM images", "--set", wh);
    assertEquals(0, sql.code(), sql.err());
    String[] lines = sql.out().split("\n");
    assertEquals("n  | w ", lines[0]);
    assertEquals("40 | 32", lines[2]);
    Outcome runs = cli("sql", "SELECT command, status, metrics['images_added'] AS added FROM runs", "--set", wh);
    assertTrue(runs.out().contains("ingest  | succeeded | 40"), runs.out());
    try (var dirs = Files.list(tmp.resolve("wh/_runs"))) {
      Path cfg = dirs.findFirst().orElseThrow().resolve("config.conf");
      assertTrue(Files.readString(cfg).contains("size=32") || Files.readString(cfg).contains("size = 32"),
          Files.readString(cfg));
    }
  }

  @Test
  void badInputIsAClearErrorWithExitCode2() {
    Outcome badKey = cli("sql", "SELECT 1", "--set", "warehous=x");
    assertEquals(2, badKey.code());
    assertTrue(badKey.err().contains("unknown config key 'warehous'"), badKey.err());
    Outcome badFormat = cli("ingest", "--data", tmp.toString(), "--format", "png",
        "--set", "warehouse=" + tmp.resolve("wh2"));
    assertEquals(2, badFormat.code());
    assertTrue(badFormat.err().contains("allowed: ham10000, isic, folders, labels-csv"), badFormat.err());
    Outcome noTable = cli("sql", "SELECT * FROM images", "--set", "warehouse=" + tmp.resolve("empty"));
    assertEquals(2, noTable.code(), noTable.err());
    assertTrue(noTable.err().contains("TABLE_OR_VIEW_NOT_FOUND") && noTable.err().contains("images"), noTable.err());
  }
}
