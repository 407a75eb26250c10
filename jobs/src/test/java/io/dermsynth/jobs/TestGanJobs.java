package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.TestCommandLine.Outcome;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-gan and sample from the command line, on phantoms, with the tiny32 preset. */
class TestGanJobs {

  @TempDir Path tmp;

  @Test
  void trainResumeAndSample() throws Exception {
    String wh = "warehouse=" + tmp.resolve("wh");
    TestCommandLine.phantomsIngested(tmp, 40, tmp.resolve("wh"), 48);
    Path run = tmp.resolve("run");
    String[] gan = {"--set", wh, "--set", "gan.batch_size=8", "--set", "gan.tick_kimg=0.008",
        "--set", "gan.snapshot_ticks=1", "--set", "gan.keep_snapshots=2", "--set", "gan.grid_images=4",
        "--resume", run.toString()};
    Outcome first = cli(concat(new String[] {"train-gan", "--set", "gan.kimg=0.024"}, gan));
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("tiny32 on ") && first.out().contains("0.02 kimg"), first.out());
    // Three ticks of one minibatch (8 images) → 3 snapshots, the oldest deleted (keep 2).
    assertEquals(List.of("curves.png", "grids", "metrics.jsonl", "snapshot-000000002", "snapshot-000000003"),
        list(run));
    assertEquals(900, ImageIO.read(run.resolve("curves.png").toFile()).getWidth());
    assertEquals(List.of("fakes-000001.png", "fakes-000002.png", "fakes-000003.png", "reals.png"),
        list(run.resolve("grids")));
    BufferedImage grid = ImageIO.read(run.resolve("grids/fakes-000003.png").toFile());
    assertEquals(64, grid.getWidth());  // 4 images, 2 a row, 32 px
    assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    String manifest = Files.readString(run.resolve("snapshot-000000003/manifest.json"));
    assertTrue(manifest.contains("\"preset\": \"tiny32\"") && manifest.contains("\"step\": 3")
        && manifest.contains("\"format\": \"dermsynth-stylegan2/1\"")
        && manifest.contains("\"codeVersion\": \"0.1.0-SNAPSHOT "), manifest);

    // Asked for more, the same folder continues from its newest snapshot.
    Outcome more = cli(concat(new String[] {"train-gan", "--set", "gan.kimg=0.032"}, gan));
    assertEquals(0, more.code(), more.err());
    assertTrue(more.out().contains("0.03 kimg"), more.out());
    assertEquals(4, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    assertTrue(list(run).contains("snapshot-000000004"));

    Outcome sample = cli("sample", "--model", run.toString(), "--seeds", "0-8", "--trunc", "0.7",
        "--out", tmp.resolve("s.png").toString(), "--table", "--set", wh);
    assertEquals(0, sample.code(), sample.err());
    assertTrue(sample.out().contains("9 images") && sample.out().contains("9 rows added"), sample.out());
    assertEquals(96, ImageIO.read(tmp.resolve("s.png").toFile()).getWidth());  // 3 × 32 px
    Outcome again = cli("sample", "--model", run.toString(), "--seeds", "0-8", "--trunc", "0.7",
        "--table", "--set", wh);
    assertTrue(again.out().contains("0 rows added"), again.out());
    Outcome rows = cli("sql", "SELECT count(*) AS n, count(DISTINCT seed) AS s, min(snapshot) AS snap "
        + "FROM gan_samples", "--set", wh);
    assertTrue(rows.out().contains("9 | 9 | snapshot-000000004"), rows.out());
    Outcome runs = cli("sql", "SELECT command, status FROM runs WHERE command = 'train-gan'", "--set", wh);
    assertEquals(2, runs.out().split("succeeded", -1).length - 1, runs.out());

    Outcome bad = cli("sample", "--model", tmp.resolve("nothing").toString(), "--out", "x.png", "--set", wh);
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("no StyleGAN2 model here"), bad.err());
    Outcome badSeeds = cli("sample", "--model", run.toString(), "--seeds", "a-b", "--out", "x.png", "--set", wh);
    assertTrue(badSeeds.err().contains("seeds must look like 0-31"), badSeeds.err());
  }

  private static List<String> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
  }

  private static String[] concat(String[] a, String[] b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }
}
