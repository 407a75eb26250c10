package io.dermsynth.jobs.gan;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.metrics.InceptionWeights;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.cli.TestCommandLine;
import io.dermsynth.jobs.cli.TestCommandLine.Outcome;
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
    assertTrue(first.out().contains("0.02 kimg"), first.out());
    SparkTest.assertFigures(SparkTest.context(tmp.resolve("wh")), first.out(), "preset=tiny32", "kimg=0.024");
    // Three ticks of one minibatch (8 images) → 3 snapshots, the oldest deleted (keep 2).
    assertEquals(List.of("curves.png", "grids", "metrics.jsonl", "snapshot-000000002", "snapshot-000000003"),
        list(run));
    assertEquals(900, ImageIO.read(run.resolve("curves.png").toFile()).getWidth());
    assertEquals(List.of("fakes-000001.png", "fakes-000002.png", "fakes-000003.png", "reals.png"),
        list(run.resolve("grids")));
    BufferedImage grid = ImageIO.read(run.resolve("grids/fakes-000003.png").toFile());
    assertEquals(64, grid.getWidth());  // 4 images, 2 a row, 32 px
    assertEquals(3, Files.readAllLines(run.resolve("metrics.jsonl")).size());
    // Each tick's CPU: this JVM's, all threads, over the same span as its wall time (s/kimg × its kimg).
    double kimgBefore = 0;
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      var t = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
      double wall = t.get("secPerKimg").getAsDouble() * (t.get("kimg").getAsDouble() - kimgBefore);
      double cpu = t.get("cpuSeconds").getAsDouble();
      assertTrue(cpu > 0 && cpu <= wall * Runtime.getRuntime().availableProcessors() * 1.05 + 0.05,
          "tick CPU " + cpu + " s over " + wall + " s of wall time");
      kimgBefore = t.get("kimg").getAsDouble();
    }
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

  /**
   * With a classifier at hand, every snapshot is scored (FID, KID, diversity) into metrics.jsonl and the run
   * row; the lowest-KID snapshot is best.json, survives pruning, and is what gan.snapshot = best loads.
   */
  @Test
  void qualityScoresSnapshotsAndTheBestIsKeptAndLoaded() throws Exception {
    String wh = "warehouse=" + tmp.resolve("wh");
    TestCommandLine.phantomsIngested(tmp, 40, tmp.resolve("wh"), 48);
    Outcome cls = cli("train-classifier", "--set", wh, "--set", "classifier.epochs=1", "--set",
        "classifier.image_size=32", "--set", "classifier.progress=false");
    assertEquals(0, cls.code(), cls.err());
    Path run = tmp.resolve("run");
    Outcome gan = cli("train-gan", "--set", wh, "--set", "gan.batch_size=8", "--set", "gan.tick_kimg=0.008",
        "--set", "gan.snapshot_ticks=1", "--set", "gan.keep_snapshots=1", "--set", "gan.grid_images=4",
        "--set", "gan.kimg=0.04", "--set", "gan.quality_fakes=16", "--resume", run.toString());
    assertEquals(0, gan.code(), gan.err());
    List<com.google.gson.JsonObject> ticks = Files.readAllLines(run.resolve("metrics.jsonl")).stream()
        .map(l -> com.google.gson.JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(5, ticks.size());
    com.google.gson.JsonObject best = null;
    for (com.google.gson.JsonObject t : ticks) {
      assertTrue(t.get("fid").getAsDouble() > 0 && t.get("kid").getAsDouble() > -1
          && t.get("diversity").getAsDouble() > 0 && t.get("diversity").getAsDouble() < 1, t.toString());
      if (best == null || t.get("kid").getAsDouble() < best.get("kid").getAsDouble()) {
        best = t;
      }
    }
    String bestSnapshot = best.get("snapshot").getAsString();
    com.google.gson.JsonObject bestJson = com.google.gson.JsonParser.parseString(
        Files.readString(run.resolve("best.json"))).getAsJsonObject();
    assertEquals(bestSnapshot, bestJson.get("snapshot").getAsString());
    assertEquals(best.get("kid").getAsDouble(), bestJson.get("kid").getAsDouble(), 1e-12);
    assertTrue(gan.out().contains("best by KID " + bestSnapshot), gan.out());
    // keep_snapshots = 1: the newest, and the best when it is another.
    List<String> kept = list(run).stream().filter(n -> n.startsWith("snapshot-")).toList();
    assertEquals(bestSnapshot.equals("snapshot-000000005") ? List.of("snapshot-000000005")
        : List.of(bestSnapshot, "snapshot-000000005"), kept);
    Outcome row = cli("sql", "SELECT metrics['best_snapshot'] AS b, metrics['kid'] AS k FROM runs "
        + "WHERE command = 'train-gan'", "--set", wh);
    assertTrue(row.out().contains(run + "/" + bestSnapshot + " | "
        + String.format(java.util.Locale.ROOT, "%.6f", ticks.get(4).get("kid").getAsDouble())), row.out());

    Outcome sample = cli("sample", "--model", run.toString(), "--seeds", "0-1", "--table", "--set", wh,
        "--set", "gan.snapshot=best");
    assertEquals(0, sample.code(), sample.err());
    Outcome rows = cli("sql", "SELECT DISTINCT snapshot FROM gan_samples", "--set", wh);
    assertTrue(rows.out().contains(bestSnapshot), rows.out());
  }

  /**
   * gan.quality_inception: with Inception-v3 weights brought as safetensors (here the hash-weighted network
   * of the Inception fixture, which PyTorch's pytorch-fid network matches), snapshots are scored in its
   * 2048-d pool features, and without any classifier in the warehouse (without the weights, nothing would be).
   */
  @Test
  void inceptionWeightsScoreTheGeneratorInInceptionFeatures() throws Exception {
    String wh = "warehouse=" + tmp.resolve("wh");
    TestCommandLine.phantomsIngested(tmp, 40, tmp.resolve("wh"), 48);
    Path weights = InceptionWeights.write(tmp, "fid", name -> !name.startsWith("fc."));
    Path run = tmp.resolve("run");
    Outcome gan = cli("train-gan", "--set", wh, "--set", "gan.batch_size=8", "--set", "gan.tick_kimg=0.008",
        "--set", "gan.snapshot_ticks=1", "--set", "gan.grid_images=4", "--set", "gan.kimg=0.008",
        "--set", "gan.quality_fakes=4", "--set", "gan.quality_inception=" + weights, "--resume", run.toString());
    assertEquals(0, gan.code(), gan.err());
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    com.google.gson.JsonObject tick = com.google.gson.JsonParser.parseString(lines.get(lines.size() - 1))
        .getAsJsonObject();
    assertTrue(tick.get("fid").getAsDouble() > 0 && Double.isFinite(tick.get("fid").getAsDouble())
        && Double.isFinite(tick.get("kid").getAsDouble()), tick.toString());
    com.google.gson.JsonObject best = com.google.gson.JsonParser.parseString(
        Files.readString(run.resolve("best.json"))).getAsJsonObject();
    assertEquals("inception-fid", best.get("features").getAsString());
    assertEquals(tick.get("fid").getAsDouble(), best.get("fid").getAsDouble(), 1e-12);
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
