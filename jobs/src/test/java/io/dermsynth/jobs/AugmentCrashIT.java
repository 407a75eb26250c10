package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.TestCommandLine.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * augment killed with SIGKILL after its first committed chunk (bin/dermsynth in its own JVM), then run
 * again: exactly the 240 planned rows, each once.
 */
class AugmentCrashIT {

  @TempDir Path tmp;

  @Test
  void aKilledRunResumesToExactlyThePlannedRows() throws Exception {
    Path wh = tmp.resolve("wh");
    AugmentFixture.sixteenTrainLatents(tmp, wh);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of("..", "bin", "dermsynth").toAbsolutePath().normalize().toString());
    cmd.addAll(List.of(AugmentFixture.augment(wh, 30)));  // 8 chunks of about 30 rows
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("out.txt").toFile())
        .start();
    Path firstCommit = wh.resolve("synthetic/_delta_log/00000000000000000000.json");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!Files.exists(firstCommit) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(firstCommit), "no chunk committed: " + Files.readString(tmp.resolve("out.txt")));
    // SIGKILL to the JVM the launcher started and to the launcher: no shutdown hook, no cleanup.
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    JobContext ctx = SparkTest.context(wh);
    long before = ctx.tables().read(Tables.SYNTHETIC).count();
    assertTrue(before > 0 && before < 240, "killed midway: " + before + " rows committed");

    Outcome rerun = cli(AugmentFixture.augment(wh, 30));
    assertEquals(0, rerun.code(), rerun.err());
    assertTrue(rerun.out().contains(before + " done before, " + (240 - before) + " rows added"), rerun.out());
    assertEquals(240, ctx.tables().read(Tables.SYNTHETIC).count());
    assertEquals(240, ctx.tables().read(Tables.SYNTHETIC).select("synth_id").distinct().count());
  }
}
