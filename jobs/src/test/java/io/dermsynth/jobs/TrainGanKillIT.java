package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.dermsynth.jobs.TestCommandLine.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    Path reference = tmp.resolve("reference");
    Outcome whole = cli(concat(gan, reference.toString()));
    assertEquals(0, whole.code(), whole.err());

    Path run = tmp.resolve("killed");
    List<String> cmd = new ArrayList<>(List.of(Path.of("..", "bin", "dermsynth").toAbsolutePath().normalize()
        .toString()));
    cmd.addAll(List.of(concat(gan, run.toString())));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile())
        .start();
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
    assertTrue(ticksBeforeKill >= 3 && ticksBeforeKill < 8,
        "killed after " + ticksBeforeKill + " ticks:\n" + Files.readString(tmp.resolve("killed.log")));

    Outcome resumed = cli(concat(gan, run.toString()));
    assertEquals(0, resumed.code(), resumed.err());
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

  private static int lines(Path f) throws java.io.IOException {
    return Files.exists(f) ? (int) Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count() : 0;
  }

  private static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
