package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.data.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dermsynth demo` end to end, as a user starts it (the packaged jar, its own JVM), and reproducible
 * runs (issue 19): the tiny chain — make-phantoms → ingest → train-gan → classifier → train-inverter →
 * invert → factorize → augment → experiment — twice, each in its own JVM, into its own warehouse and work
 * folder, with one root seed. Every model's weight files and, stage by stage, the content hash of every
 * table a run wrote are equal. Run A's warehouse then serves the demo's own checks: its ten steps, its
 * report against `evaluations`, and every notebook cell.
 */
class ReproducibleChainIT {

  @TempDir Path tmp;

  /** The demo at its smallest: every stage runs, each for a few steps. */
  static final String[] TINY = {"--set", "seed=3", "--set", "demo.n=56", "--set", "ingest.size=32",
      "--set", "classifier.image_size=32", "--set", "classifier.epochs=1", "--set", "gan.kimg=0.1",
      "--set", "gan.tick_kimg=0.05", "--set", "inverter.encoder_steps=10", "--set", "inverter.hyper_steps=6",
      "--set", "factorize.top_k=3", "--set", "augment.top_k=2", "--set", "augment.target=24",
      "--set", "experiment.arms=[baseline, sa24]",
      // One classifier seed: the seeds' own spread is TestExperimentJob's; here every run is compared.
      "--set", "experiment.seeds=[1]", "--set", "evaluate.bootstrap=100",
      // Ungated, so that the augmented arm trains on synthetic images at this size (the gate keeps none).
      "--set", "experiment.gate=false"};

  @Test
  void theSameRootSeedGivesTheSameModelsAndTablesInTwoJvms() throws Exception {
    // Side by side, one libtorch thread each (the same thread count in both: a reduction's order may
    // depend on it), so the pair takes about as long as one run with two threads.
    Process pa = start(tmp.resolve("a"));
    Process pb = start(tmp.resolve("b"));
    Map<String, String> a = finish(pa, tmp.resolve("a"));
    Map<String, String> b = finish(pb, tmp.resolve("b"));
    // Every stage is there, with what it wrote: weights and tables.
    for (String key : List.of("ingest#1 images", "train-gan#1 weights", "train-classifier#1 weights",
        "train-inverter#1 weights", "invert#1 latents", "factorize#1 directions", "augment#1 synthetic",
        "train-classifier#2 weights", "evaluate#1 evaluations", "experiment#1 seeds")) {
      assertTrue(a.containsKey(key), key + " in " + a.keySet());
    }
    assertTrue(a.entrySet().stream().anyMatch(e -> e.getKey().endsWith(" synthetic_images")
        && Integer.parseInt(e.getValue()) > 0), "an arm trained on synthetic images: " + a);
    List<String> differ = a.keySet().stream().filter(k -> !a.get(k).equals(b.get(k))).toList();
    assertEquals(a.keySet(), b.keySet());
    assertEquals(List.of(), differ, "stages whose outputs differ; run A " + a + "\nrun B " + b);
    DemoChecks.theDemoReportsBothArmsAsInEvaluationsAndTheNotebooksRun(tmp.resolve("a/wh"),
        Files.readString(tmp.resolve("a/demo.log")));
  }

  /** One demo run in its own JVM, into dir/wh and dir/work. */
  private static Process start(Path dir) throws Exception {
    String[] args = Stream.concat(Stream.of("demo", "--set", "warehouse=" + dir.resolve("wh"), "--set",
        "demo.work_dir=" + dir.resolve("work")), Stream.of(TINY)).toArray(String[]::new);
    Files.createDirectories(dir);
    return Launcher.start(Map.of("OMP_NUM_THREADS", "1"), dir.resolve("demo.log"), args);
  }

  /**
   * Per run of the finished demo (command#n in start order): "seeds", each table's content hash and
   * "weights": the SHA-256 of its model folder's .safetensors files.
   */
  private static Map<String, String> finish(Process p, Path dir) throws Exception {
    Path wh = dir.resolve("wh");
    Path log = dir.resolve("demo.log");
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), "demo did not finish");
    assertEquals(0, p.exitValue(), Files.readString(log));
    Map<String, String> out = new TreeMap<>();
    Map<String, Integer> nth = new TreeMap<>();
    for (Row r : SparkTest.context(wh).tables().read(Tables.RUNS).orderBy("started_at").collectAsList()) {
      String command = r.getAs("command");
      String key = command + "#" + nth.merge(command, 1, Integer::sum);
      Map<String, String> seeds = r.getJavaMap(r.fieldIndex("seeds"));
      out.put(key + " seeds", new TreeMap<>(seeds).toString());
      Map<String, String> hashes = r.getJavaMap(r.fieldIndex("content_hashes"));
      hashes.forEach((table, h) -> out.put(key + " " + table, h));
      Map<String, String> metrics = r.getJavaMap(r.fieldIndex("metrics"));
      if (metrics != null && metrics.containsKey("synthetic_images")) {
        out.put(key + " synthetic_images", metrics.get("synthetic_images"));
      }
      if (metrics != null && metrics.containsKey("model_path") && command.startsWith("train-")) {
        out.put(key + " weights", weights(Path.of(metrics.get("model_path"))));
      }
    }
    return out;
  }

  /** SHA-256 over the folder's .safetensors files, by relative path. */
  private static String weights(Path model) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(model)) {
      files = s.filter(f -> f.toString().endsWith(".safetensors")).sorted().toList();
    }
    assertTrue(!files.isEmpty(), "no weights under " + model);
    StringBuilder all = new StringBuilder();
    for (Path f : files) {
      all.append(model.relativize(f)).append('=').append(Hashing.sha256Hex(Files.readAllBytes(f))).append('\n');
    }
    return Hashing.sha256Hex(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
  }
}
