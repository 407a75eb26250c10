package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The real experiment's committed arm models (bench/experiment-real/models/&lt;arm&gt;-s&lt;seed&gt;/) score any
 * labelled folder without retraining: `bench/experiment-real.sh --evaluate-only --test-data DIR` prints
 * one line per arm with the means over its seeds, equal to evaluating each model on its own.
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

    Path data = tmp.resolve("labelled");
    assertEquals(0, cli("make-phantoms", "--out", data.toString(), "--n", "70").code());
    Path log = tmp.resolve("evaluate.txt");
    Process p = new ProcessBuilder("bash", MODELS.resolve("../../experiment-real.sh").normalize().toString(),
        "--evaluate-only", "--test-data", data.toString()).redirectErrorStream(false)
        .redirectOutput(log.toFile()).redirectError(tmp.resolve("stderr.txt").toFile()).start();
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "evaluate-only did not finish");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out + Files.readString(tmp.resolve("stderr.txt")));

    Map<String, double[]> printed = new TreeMap<>();
    for (String line : out.strip().split("\n")) {
      Matcher m = LINE.matcher(line);
      assertTrue(m.matches(), "line '" + line + "'");
      assertEquals(byArm.get(m.group(1)).size(), Integer.parseInt(m.group(2)), line);
      printed.put(m.group(1), new double[] {Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4))});
    }
    assertEquals(byArm.keySet(), printed.keySet());
    // The baseline's line is the mean of its models evaluated one by one, here, on the same folder.
    JobContext ctx = SparkTest.context(tmp.resolve("wh"));
    double sum = 0;
    for (Path model : byArm.get("baseline")) {
      sum += EvaluateJob.run(ctx, model.toString(), data).scores().balancedAccuracy();
    }
    assertEquals(String.format(Locale.ROOT, "%.4f", sum / byArm.get("baseline").size()),
        String.format(Locale.ROOT, "%.4f", printed.get("baseline")[0]));
  }
}
