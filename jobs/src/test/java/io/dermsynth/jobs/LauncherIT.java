package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/dermsynth as a user runs it: a separate JVM from the packaged jar, output on stdout. */
class LauncherIT {

  @TempDir Path tmp;

  @Test
  void printsQueryResultsOnStdout() throws Exception {
    Process p = new ProcessBuilder(Launcher.command("sql", "SELECT 6 * 7 AS answer",
        "--set", "warehouse=" + tmp.resolve("wh")))
        .redirectError(tmp.resolve("stderr.txt").toFile())
        .redirectOutput(tmp.resolve("stdout.txt").toFile())
        .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher did not finish");
    String out = Files.readString(tmp.resolve("stdout.txt"));
    assertEquals(0, p.exitValue(), out + Files.readString(tmp.resolve("stderr.txt")));
    assertEquals("answer\n------\n42    \n", out);
  }
}
