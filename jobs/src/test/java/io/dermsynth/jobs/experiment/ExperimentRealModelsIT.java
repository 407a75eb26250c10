package io.dermsynth.jobs.experiment;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.classify.EvaluateJob;
import io.dermsynth.jobs.classify.LabelledImages;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real experiment's committed arm models (bench/experiment-real/models/&lt;arm&gt;-s&lt;seed&gt;/): every one
 * loads, and they score any labelled folder without retraining: `bench/experiment-real.sh --evaluate-only
 * --test-data DIR [--models DIR]` prints one line per arm with the means over its seeds, equal to
 * evaluating each model on its own. The script runs here on two arms' models, three seeds each (every model is
 * loaded; the scoring path is the same for each, and 27 evaluations were most of this test's time).
 */
class ExperimentRealModelsIT {

  static final Path MODELS = Path.of("..", "bench", "experiment-real", "models").toAbsolutePath().normalize();
  static final Pattern LINE = Pattern.compile(
      "arm (\\S+) seeds (\\d+) balanced_accuracy ([0-9.]+) auc_macro ([0-9.]+|NaN)");

  @TempDir Path tmp;

  @Test
  void everyArmAndSeedIsScoredOnAFolderItHasNeverSeen() throws Exception {
    Map<String, List<Path>> byArm = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(MODELS)) {
      dirs.filter(d -> Files.exists(d.resolve("manifest.json"))).sorted().forEach(d -> byArm.computeIfAbsent(
          d.getFileName().toString().replaceAll("-s[0-9]+$", ""), k -> new ArrayList<>()).add(d));
    }
    assertTrue(byArm.containsKey("baseline") && byArm.size() >= 3, "committed arms: " + byArm.keySet());
    byArm.forEach((arm, seeds) -> assertTrue(seeds.size() >= 3, arm + " has " + seeds.size() + " seeds"));

    // Every committed model loads: its manifest names the seven classes, its weights restore.
    JobContext ctx = SparkTest.context(tmp.resolve("wh"));
    for (List<Path> seeds : byArm.values()) {
      for (Path model : seeds) {
        try (var m = ModelStore.loadClassifier(ctx.spark(), model.toString(), ai.djl.Device.cpu())) {
          assertEquals(LabelledImages.classNames(), m.manifest().classes(), model.toString());
        }
      }
    }
    // The script on the baseline and one augmented arm, three seeds each (links in a folder of its own).
    Map<String, List<Path>> scored = new TreeMap<>();
    String augmented = byArm.keySet().stream().filter(a -> !a.equals("baseline")).sorted().findFirst().orElseThrow();
    Path subset = Files.createDirectories(tmp.resolve("models"));
    for (String arm : List.of("baseline", augmented)) {
      scored.put(arm, byArm.get(arm).subList(0, 3));
      for (Path model : scored.get(arm)) {
        Files.createSymbolicLink(subset.resolve(model.getFileName()), model);
      }
    }
    Path data = tmp.resolve("labelled");
    assertEquals(0, cli("make-phantoms", "--out", data.toString(), "--n", "70").code());
    Path log = tmp.resolve("evaluate.txt");
    Process p = new ProcessBuilder("bash", MODELS.resolve("../../experiment-real.sh").normalize().toString(),
        "--evaluate-only", "--test-data", data.toString(), "--models", subset.toString()).redirectErrorStream(false)
        .redirectOutput(log.toFile()).redirectError(tmp.resolve("stderr.txt").toFile()).start();
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "evaluate-only did not finish");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out + Files.readString(tmp.resolve("stderr.txt")));

    Map<String, double[]> printed = new TreeMap<>();
    for (String line : out.strip().split("\n")) {
      Matcher m = LINE.matcher(line);
      assertTrue(m.matches(), "line '" + line + "'");
      assertEquals(scored.get(m.group(1)).size(), Integer.parseInt(m.group(2)), line);
      printed.put(m.group(1), new double[] {Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
    }
    assertEquals(scored.keySet(), printed.keySet());
    // The baseline's line is the mean of its models evaluated one by one, here, on the same folder.
    double sum = 0;
    for (Path model : scored.get("baseline")) {
      sum += EvaluateJob.run(ctx, model.toString(), data).scores().balancedAccuracy();
    }
    assertEquals(String.format(Locale.ROOT, "%.4f", sum / scored.get("baseline").size()),
        String.format(Locale.ROOT, "%.4f", printed.get("baseline")[0]));
  }
}
