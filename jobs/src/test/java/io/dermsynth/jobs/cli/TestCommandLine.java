package io.dermsynth.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.Main;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.runtime.Tables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user types it, run in-process. */
public class TestCommandLine {

  @TempDir Path tmp;

  public record Outcome(int code, String out, String err) {}

  public static Outcome cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  /** {@code n} phantoms made in tmp/p and ingested at {@code size} px into the warehouse {@code wh}. */
  public static void phantomsIngested(Path tmp, int n, Path wh, int size) {
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
  void aSecretGivenBySetOrByConfigIsWrittenNowhere() throws Exception {
    String token = "tok-" + "9f3e1c77aa52";
    String s3Secret = "s3-" + "Zq8XwQ2vL0pR";
    String sessionToken = "sess-" + "44d1b0e6";
    Path conf = Files.writeString(tmp.resolve("secrets.conf"), "spark.conf {\n"
        + "  \"spark.hadoop.fs.s3a.secret.key\" = \"" + s3Secret + "\"\n"
        + "  \"spark.hadoop.fs.s3a.session.token\" = \"" + sessionToken + "\"\n"
        + "  \"spark.hadoop.fs.s3a.aws.credentials.provider\" = \"org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider\"\n"
        + "}\n");
    Path wh = tmp.resolve("wh");
    assertEquals(0, cli("make-phantoms", "--out", tmp.resolve("p").toString(), "--n", "20").code());
    Outcome ingested = cli("ingest", "--data", tmp.resolve("p").toString(), "--config", conf.toString(),
        "--set", "warehouse=" + wh, "--set", "ingest.size=32", "--set", "review.token=" + token);
    assertEquals(0, ingested.code(), ingested.err());
    for (String secret : java.util.List.of(token, s3Secret, sessionToken)) {
      assertTrue(!ingested.out().contains(secret) && !ingested.err().contains(secret), secret);
      try (var files = Files.walk(wh)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertTrue(!new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret),
              secret + " is stored in " + f);
        }
      }
    }
    // The keys are there, their values are not; a class name that is no credential stays readable.
    String config = SparkTest.context(wh).tables().read(Tables.RUNS).first().getAs("config");
    assertTrue(config.contains("\"token\":\"***\"") && config.contains("\"spark.hadoop.fs.s3a.secret.key\":\"***\"")
        && config.contains("\"spark.hadoop.fs.s3a.session.token\":\"***\""), config);
    assertTrue(config.contains("TemporaryAWSCredentialsProvider"), config);
    try (var dirs = Files.list(wh.resolve("_runs"))) {
      String file = Files.readString(dirs.findFirst().orElseThrow().resolve("config.conf"));
      assertTrue(file.contains("\"spark.hadoop.fs.s3a.secret.key\"=\"***\"") || file.contains("\"spark.hadoop.fs.s3a.secret.key\" = \"***\""), file);
    }
    // A mistyped secret is named, its value is not echoed.
    Outcome bad = cli("sql", "SELECT 1", "--set", "warehouse=" + wh, "--config",
        Files.writeString(tmp.resolve("bad.conf"), "review.token = [\"" + token + "\"]\n").toString());
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("review.token") && !bad.err().contains(token), bad.err());
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
    Outcome noData = cli("ingest", "--data", tmp.resolve("nowhere").toString(), "--set", "warehouse=" + tmp.resolve("wh3"));
    assertEquals(2, noData.code(), noData.err());
  }

  @Test
  void exitCodesTellASchedulerWhetherToRetry() {
    // 1: anything the user cannot fix by changing the command (here a query failing at run time; storage
    // and network errors alike), which a scheduler may retry.
    Outcome failed = cli("sql", "SELECT raise_error('storage went away')", "--set", "warehouse=" + tmp.resolve("wh"));
    assertEquals(Main.EXIT_FAILED, failed.code(), failed.err());
    assertTrue(failed.err().contains("storage went away"), failed.err());
    // I/O errors are retryable; a missing input is the user's to fix.
    assertTrue(!Main.isUsersToFix(new java.io.IOException("Connection reset")));
    assertTrue(!Main.isUsersToFix(new java.net.SocketTimeoutException("read timed out")));
    assertTrue(!Main.isUsersToFix(new java.nio.file.FileSystemException("/wh/images: No space left on device")));
    assertTrue(Main.isUsersToFix(new java.io.FileNotFoundException("s3a://bucket/data/labels.csv")));
    assertTrue(Main.isUsersToFix(new java.nio.file.NoSuchFileException("/data/missing")));
    assertTrue(Main.isUsersToFix(new io.dermsynth.core.BadInputException("no StyleGAN2 model here")));
    assertEquals(List.of(0, 1, 2, 3), List.of(Main.EXIT_OK, Main.EXIT_FAILED, Main.EXIT_USAGE,
        Main.EXIT_WAITING_FOR_REVIEW));
  }
}
