package io.dermsynth.jobs.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.Launcher;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.cli.TestCommandLine;
import io.dermsynth.jobs.cli.TextTable;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train-gan killed with SIGKILL mid-run (bin/dermsynth, its own JVM), then `--resume` on the same folder:
 * it continues from the newest complete snapshot and ends where an uninterrupted run ends — the same
 * G_ema bytes, and metrics.jsonl with each tick once.
 */
class TrainGanKillIT {

  @TempDir Path tmp;

  @Test
  void aKilledRunResumesFromItsLastSnapshotToTheUninterruptedResult() throws Exception {
    String wh = "warehouse=" + tmp.resolve("wh");
    TestCommandLine.phantomsIngested(tmp, 40, tmp.resolve("wh"), 32);
    // 8 ticks of one 8-image minibatch, a snapshot every 2 ticks: a kill lands between snapshots.
    String[] gan = {"train-gan", "--set", wh, "--set", "gan.kimg=0.064", "--set", "gan.batch_size=8",
        "--set", "gan.tick_kimg=0.008", "--set", "gan.snapshot_ticks=2", "--set", "gan.keep_snapshots=10",
        "--set", "gan.grid_images=4", "--resume"};
    // Every run through bin/dermsynth, each its own JVM, as a user (or a scheduler) kills and restarts it.
    Path reference = tmp.resolve("reference");
    runToTheEnd(concat(gan, reference.toString()), tmp.resolve("reference.log"));

    Path run = tmp.resolve("killed");
    Process p = Launcher.start(tmp.resolve("killed.log"), concat(gan, run.toString()));
    Path metrics = run.resolve("metrics.jsonl");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (p.isAlive() && System.nanoTime() < deadline
        && !(Files.exists(run.resolve("snapshot-000000002/manifest.json")) && lines(metrics) >= 3)) {
      Thread.sleep(20);
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    int ticksBeforeKill = lines(metrics);
    // The killed run never wrote its `runs` row; its start is there, so `dermsynth runs` shows it running.
    String listed = TextTable.render(Runs.listing(SparkTest.context(tmp.resolve("wh")), 10), 10);
    assertTrue(listed.lines().anyMatch(l -> l.contains("| train-gan ") && l.contains("| running ")), listed);
    assertTrue(ticksBeforeKill >= 3 && ticksBeforeKill < 8,
        "killed after " + ticksBeforeKill + " ticks:\n" + Files.readString(tmp.resolve("killed.log")));

    // Before the resume: if the killed run's first snapshot already differs, two processes computed the
    // same ticks differently (numerics), which no resume logic can fix; the message says which it was.
    assertArrayEquals(Files.readAllBytes(reference.resolve("snapshot-000000002/G_ema.safetensors")),
        Files.readAllBytes(run.resolve("snapshot-000000002/G_ema.safetensors")),
        "the killed run's snapshot-000000002 differs from the reference run's: same ticks, different numbers");
    runToTheEnd(concat(gan, run.toString()), tmp.resolve("resumed.log"));
    String from = SparkTest.context(tmp.resolve("wh")).tables().read(Tables.RUNS)
        .where("command = 'train-gan' AND status = 'succeeded'").orderBy(org.apache.spark.sql.functions.desc(
            "finished_at")).select("metrics").first().<String, String>getJavaMap(0).get("resumed_from");
    assertTrue(from.matches("snapshot-00000000[2-6]"), from);
    assertTrue(Integer.parseInt(from.substring(9)) <= ticksBeforeKill, from + " after " + ticksBeforeKill + " ticks");
    List<Integer> ticks = Files.readAllLines(metrics).stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject().get("tick").getAsInt()).toList();
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), ticks);
    assertArrayEquals(Files.readAllBytes(reference.resolve("snapshot-000000008/G_ema.safetensors")),
        Files.readAllBytes(run.resolve("snapshot-000000008/G_ema.safetensors")),
        "the resumed run's final G_ema differs from the uninterrupted run's");
  }

  private static void runToTheEnd(String[] args, Path log) throws Exception {
    Process p = Launcher.start(log, args);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "train-gan did not end in 5 min:\n" + Files.readString(log));
    assertEquals(0, p.exitValue(), Files.readString(log));
  }

  private static int lines(Path f) throws java.io.IOException {
    return Files.exists(f) ? (int) Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count() : 0;
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
