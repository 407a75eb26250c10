package io.dermsynth.jobs.experiment;

import io.dermsynth.core.experiment.ExperimentArm;
import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.augment.AugmentFixture;
import io.dermsynth.jobs.classify.HtmlReport;
import io.dermsynth.jobs.classify.TrainClassifierJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.jobs.cli.TestCommandLine.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** experiment: arms expanded from config, trained per seed, evaluated, summarised and reported. */
class TestExperimentJob {

  @TempDir Path tmp;

  static final ExperimentArm.Policy DEFAULTS = new ExperimentArm.Policy(
      io.dermsynth.core.factor.EditRenderer.Render.RESIDUAL, true,
      io.dermsynth.core.classify.SyntheticAllocation.Policy.PROPORTIONAL);

  @Test
  void armSpecsExpandWithTheBaselineFirst() {
    List<ExperimentArm.Direction> dirs = List.of(new ExperimentArm.Direction("d-a", 0, null),
        new ExperimentArm.Direction("d-b", 3, "Lesion Size!"));
    List<ExperimentArm> arms = ExperimentArm.expand(List.of("sa2k", "SA300", "per-direction", "lpips-sweep",
        "synthetic-only", "baseline", "recon300", "sa1k:generator:ungated:capped"), 50, 0.2, List.of(0.1, 0.3),
        DEFAULTS, () -> dirs);
    assertEquals(List.of("baseline", "sa2k", "sa300", "dir0", "dir3-lesion-size", "lpips0.10", "lpips0.30",
        "synthetic-only", "recon300", "sa1k:generator:ungated:capped"),
        arms.stream().map(ExperimentArm::name).toList());
    assertEquals(new ExperimentArm("sa2k", 2000, 0.2, null, true, false, DEFAULTS), arms.get(1));
    assertEquals(new ExperimentArm("dir3-lesion-size", 50, 0.2, "d-b", true, false, DEFAULTS), arms.get(4));
    assertEquals(new ExperimentArm("lpips0.30", 50, 0.3, null, true, false, DEFAULTS), arms.get(6));
    assertEquals(new ExperimentArm("synthetic-only", 50, 0.2, null, false, false, DEFAULTS), arms.get(7));
    assertEquals(new ExperimentArm("recon300", 300, 0.2, null, true, true, DEFAULTS), arms.get(8));
    assertEquals(new ExperimentArm.Policy(io.dermsynth.core.factor.EditRenderer.Render.GENERATOR, false,
        io.dermsynth.core.classify.SyntheticAllocation.Policy.CAPPED), arms.get(9).policy());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ExperimentArm.expand(List.of("sa2k"), 1, 0.2,
        List.of(), DEFAULTS, List::of)).getMessage().contains("must include baseline"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ExperimentArm.expand(List.of("baseline", "sb2"),
        1, 0.2, List.of(), DEFAULTS, List::of)).getMessage().contains("unknown arm 'sb2'; allowed: baseline | sa<N>"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ExperimentArm.expand(List.of("baseline", "sa2",
        "sa2"), 1, 0.2, List.of(), DEFAULTS, List::of)).getMessage().contains("twice"));
  }

  @Test
  void everyArmAndSeedIsTrainedEvaluatedAndReportedAgainstTheBaseline() throws Exception {
    Path wh = tmp.resolve("wh");
    AugmentFixture.sixteenTrainLatents(tmp, wh);
    Outcome a = cli(AugmentFixture.augment(wh, 1000));
    assertEquals(0, a.code(), a.err());
    String[] common = {"--set", "warehouse=" + wh, "--set", "classifier.epochs=1", "--set", "classifier.image_size=32",
        "--set", "evaluate.bootstrap=200", "--set", "experiment.id=t1", "--set", "experiment.seeds=[1]",
        "--set", "experiment.synthetic=30", "--set", "experiment.lpips_thresholds=[0.15, 1.0]",
        // The fixture's pool is generator renders; the arms take them as the paper did (no gate).
        "--set", "experiment.render=generator", "--set", "experiment.gate=false", "--set",
        "experiment.allocation=inverse_frequency", "--set", "experiment.lpips_recon_threshold=100"};
    Outcome tooFew = cli(concat(new String[] {"experiment", "--set", "experiment.arms=[baseline, sa5k]"}, common));
    assertEquals(2, tooFew.code());
    assertTrue(tooFew.err().contains("arm sa5k needs 5000 synthetic images (edits, LPIPS ≤ 0.20, render=generator "
        + "gate=none allocation=inverse_frequency sources=finest); the pool has"), tooFew.err());

    // One more image than the pool's edits within LPIPS 0.15 (a count of the fixture's models): the sweep's
    // strict arm cannot be filled, and the experiment refuses before training anything.
    long within = SparkTest.context(wh).tables().read(Tables.SYNTHETIC).where("alpha <> 0 AND lpips <= 0.15")
        .count();
    Outcome sweep = cli(concat(concat(new String[] {"experiment", "--set", "experiment.arms=[baseline, lpips-sweep]"},
        common), new String[] {"--set", "experiment.synthetic=" + (within + 1)}));
    assertEquals(2, sweep.code(), sweep.err());
    assertTrue(sweep.err().contains("arm lpips0.15 needs " + (within + 1) + " synthetic images (edits, LPIPS ≤ 0.15"),
        sweep.err());
    assertTrue(!SparkTest.context(wh).tables().exists(Tables.EVALUATIONS), "refused before any training");

    Outcome e = cli(concat(new String[] {"experiment", "--set", "experiment.lpips_threshold=1.0", "--set",
        "experiment.allow_fewer=true", "--set",
        "experiment.arms=[baseline, sa40, per-direction, lpips-sweep, synthetic-only]"}, common));
    assertEquals(0, e.code(), e.err());
    JobContext ctx = SparkTest.context(wh);
    List<Row> evals = ctx.tables().read(Tables.EVALUATIONS).where("experiment_id = 't1'")
        .orderBy("evaluated_at").collectAsList();
    // baseline, sa40, dir0..dir2, lpips0.15, lpips1.00, synthetic-only: 8 arms, one seed here (the resume
    // below adds a second to two of them).
    assertEquals(List.of("baseline", "sa40", "dir0", "dir1", "dir2", "lpips0.15", "lpips1.00", "synthetic-only"),
        evals.stream().map(r -> r.<String>getAs("arm")).toList());
    assertEquals(List.of(1L), evals.stream().map(r -> r.<Long>getAs("seed")).distinct().toList());

    // Training sets: the synthetic rows each arm drew (train-classifier runs record them).
    Map<String, Long> synth = new java.util.TreeMap<>();
    Map<String, Long> trainImages = new java.util.TreeMap<>();
    ctx.tables().read(Tables.RUNS).where("command = 'train-classifier'").collectAsList().forEach(r -> {
      Map<String, String> m = r.getJavaMap(r.fieldIndex("metrics"));
      synth.put(m.get("arm"), Long.parseLong(m.get("synthetic_images")));
      trainImages.put(m.get("arm"), Long.parseLong(m.get("train_images")));
    });
    long realTrain = ctx.tables().read(Tables.IMAGES).where("split = 'train'").count();
    assertEquals(0L, synth.get("baseline"));
    assertEquals(40L, synth.get("sa40"));
    assertEquals(realTrain + 40, trainImages.get("sa40"));
    assertEquals(30L, synth.get("dir0"), "16 latents × 4 non-zero alphas per direction: 30 of 64");
    assertEquals(30L, synth.get("synthetic-only"));
    assertEquals(30L, trainImages.get("synthetic-only"), "no real images");
    long under015 = ctx.tables().read(Tables.SYNTHETIC).where("lpips <= 0.15 AND alpha <> 0").count();
    assertEquals(Math.min(30, under015), synth.get("lpips0.15"));

    // The report: every arm, and each evaluation row's figures.
    String report = Files.readString(wh.resolve("report/experiments/t1/index.html"));
    for (String arm : List.of("baseline", "sa40", "dir2", "lpips1.00", "synthetic-only")) {
      assertTrue(report.contains("<tr data-arm=\"" + arm + "\">"), arm);
    }
    for (Row r : evals) {
      String row = report.substring(report.indexOf("<tr data-run=\"" + r.getAs("run_id") + "\">"));
      assertTrue(row.contains(HtmlReport.fmt(r.getAs("balanced_accuracy"))), r.toString());
    }
    String out = e.out();
    for (String arm : List.of("baseline", "sa40", "synthetic-only")) {
      double mean = evals.stream().filter(r -> r.getAs("arm").equals(arm))
          .mapToDouble(r -> r.<Double>getAs("balanced_accuracy")).average().orElseThrow();
      assertTrue(out.contains(String.format(java.util.Locale.ROOT, "balanced accuracy %.4f", mean)),
          arm + " " + mean + "\n" + out);
    }
    assertTrue(report.contains("Synthetic examples per class"));

    // Resumed with one more seed (experiment.resume): only seed 2's models train; seed 1's are reused (the
    // same model folders, so the same scores) and the report holds both.
    long trainedBefore = ctx.tables().read(Tables.RUNS).where("command = 'train-classifier'").count();
    String[] more = common.clone();
    more[java.util.Arrays.asList(more).indexOf("experiment.seeds=[1]")] = "experiment.seeds=[1, 2]";
    Outcome resumed = cli(concat(new String[] {"experiment", "--set", "experiment.lpips_threshold=1.0", "--set",
        "experiment.allow_fewer=true", "--set", "experiment.arms=[baseline, sa40]"}, more));
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(trainedBefore + 2, ctx.tables().read(Tables.RUNS).where("command = 'train-classifier'").count());
    List<Row> again = ctx.tables().read(Tables.EVALUATIONS).where("experiment_id = 't1'")
        .orderBy("evaluated_at").collectAsList();
    assertEquals(8 + 4, again.size());
    for (Row r : again.subList(8, 12)) {
      long seed = r.<Long>getAs("seed");
      if (seed < 2) {
        Row first = evals.stream().filter(x -> x.getAs("arm").equals(r.getAs("arm")) && x.<Long>getAs("seed") == seed)
            .findFirst().orElseThrow();
        assertEquals(first.<String>getAs("model_path"), r.<String>getAs("model_path"));
        assertEquals(first.<Double>getAs("balanced_accuracy"), r.<Double>getAs("balanced_accuracy"));
      }
    }
    assertEquals(List.of(1L, 2L, 1L, 2L), again.subList(8, 12).stream().map(r -> r.<Long>getAs("seed")).toList());
    // The resumed run's summary: each arm's mean over both seeds, Δ to the baseline, each seed's figures.
    List<Row> resumedEvals = again.subList(8, 12);
    double base = resumedEvals.stream().filter(r -> r.getAs("arm").equals("baseline"))
        .mapToDouble(r -> r.<Double>getAs("balanced_accuracy")).average().orElseThrow();
    double sa = resumedEvals.stream().filter(r -> r.getAs("arm").equals("sa40"))
        .mapToDouble(r -> r.<Double>getAs("balanced_accuracy")).average().orElseThrow();
    assertTrue(resumed.out().contains(String.format(java.util.Locale.ROOT, "Δ BA %+.4f", sa - base)), resumed.out());
    // With more than one seed, each arm's line is followed by its seeds' figures and their spread.
    List<Double> saSeeds = resumedEvals.stream().filter(r -> r.getAs("arm").equals("sa40"))
        .map(r -> r.<Double>getAs("balanced_accuracy")).toList();
    double sd = Math.abs(saSeeds.get(0) - saSeeds.get(1)) / Math.sqrt(2);
    assertTrue(resumed.out().contains(String.format(java.util.Locale.ROOT, "per seed: s1 %.4f s2 %.4f (sd %.4f)",
        saSeeds.get(0), saSeeds.get(1), sd)), resumed.out());

    // A model is reused only for the same synthetic images: the digest its run recorded, not just the count
    // (a pool that grew after a refinement can give an arm as many, but other, images).
    Map<String, String> sets = new java.util.HashMap<>();
    for (int i = 0; i + 1 < more.length; i += 2) {
      String[] kv = more[i + 1].split("=", 2);
      sets.put(kv[0], kv[1]);
    }
    sets.putAll(Map.of("experiment.lpips_threshold", "1.0", "experiment.allow_fewer", "true",
        "classifier.seed", "2", "classifier.arm", "sa40", "classifier.epoch_draws", "real"));
    JobContext armCtx = SparkTest.context(wh, sets);
    Map<String, String> sa40 = ctx.tables().read(Tables.RUNS).where("command = 'train-classifier'")
        .orderBy(org.apache.spark.sql.functions.col("finished_at").desc()).collectAsList().stream()
        .map(r -> r.<String, String>getJavaMap(r.fieldIndex("metrics"))).filter(m -> m.get("arm").equals("sa40"))
        .findFirst().orElseThrow();
    String digest = sa40.get("synthetic_digest");
    assertEquals(32, digest.length());
    assertTrue(ArmModels.trained(armCtx, "sa40", 40, digest).isPresent());
    assertTrue(ArmModels.trained(armCtx, "sa40", 40, "0".repeat(32)).isEmpty());
    Row baseline = ctx.tables().read(Tables.RUNS)
        .where("command = 'train-classifier' AND metrics['arm'] = 'baseline'").first();
    assertEquals(TrainClassifierJob.syntheticDigest(List.of()),
        baseline.<String, String>getJavaMap(baseline.fieldIndex("metrics")).get("synthetic_digest"));

    exportsTheArmsTrainingSet(wh, ctx, more, digest, realTrain);
  }

  /**
   * `export --arm sa40` writes exactly the images sa40 trained on (the same synth_ids: the same digest) beside
   * the real train split, as class folders and as WebDataset shards that Python's tarfile reads.
   */
  private void exportsTheArmsTrainingSet(Path wh, JobContext ctx, String[] settings, String digest, long realTrain)
      throws Exception {
    String[] armSets = concat(settings, new String[] {"--set", "experiment.lpips_threshold=1.0", "--set",
        "experiment.allow_fewer=true"});
    Path folders = tmp.resolve("export-folders");
    Outcome f = cli(concat(new String[] {"export", "--out", folders.toString(), "--arm", "sa40"}, armSets));
    assertEquals(0, f.code(), f.err());
    assertTrue(f.out().contains(realTrain + " real + 40 synthetic images as imagefolder"), f.out());
    List<String> lines = Files.readAllLines(folders.resolve("metadata.jsonl"));
    assertEquals(realTrain + 40, lines.size());
    List<String> synthIds = new java.util.ArrayList<>();
    Map<String, Long> byDx = new java.util.TreeMap<>();
    for (String line : lines) {
      var o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
      String file = o.get("file_name").getAsString();
      assertTrue(file.startsWith(o.get("label").getAsString() + "/") && Files.isRegularFile(folders.resolve(file)), file);
      byDx.merge(o.get("label").getAsString(), 1L, Long::sum);
      if (o.get("synthetic").getAsBoolean()) {
        synthIds.add(o.get("key").getAsString());
        assertTrue(o.has("source_image_id") && o.has("direction_id") && o.has("alpha"), line);
      }
    }
    java.util.Collections.sort(synthIds);
    assertEquals(digest, TrainClassifierJob.syntheticDigest(synthIds), "the images sa40 trained on");
    Map<String, Long> realByDx = new java.util.TreeMap<>();
    ctx.tables().read(Tables.IMAGES).where("split = 'train'").groupBy("dx").count().collectAsList()
        .forEach(r -> realByDx.put(r.getString(0), r.getLong(1)));
    for (var e : realByDx.entrySet()) {
      try (var files = Files.list(folders.resolve(e.getKey()))) {
        // (Hadoop's local file system adds hidden .crc files beside them; image readers go by extension.)
        assertEquals(byDx.get(e.getKey()), files.filter(p -> p.toString().endsWith(".png")).count(),
            "class folder " + e.getKey());
      }
    }

    Path shards = tmp.resolve("export-shards");
    Outcome w = cli(concat(new String[] {"export", "--out", shards.toString(), "--arm", "sa40", "--format",
        "webdataset", "--shard-mb", "0.05"}, armSets));
    assertEquals(0, w.code(), w.err());
    var manifest = com.google.gson.JsonParser.parseString(Files.readString(shards.resolve("manifest.json")))
        .getAsJsonObject();
    assertEquals(realTrain, manifest.get("real").getAsLong());
    assertEquals(40, manifest.get("synthetic").getAsLong());
    assertTrue(manifest.get("files").getAsInt() > 1, "several shards at 50 kB each");
    // Python's tarfile: every shard lists <key>.png and <key>.json in pairs; the json's label is a class.
    Process py = new ProcessBuilder("python3", "-c", String.join("\n",
        "import glob, json, sys, tarfile",
        "n = 0",
        "for shard in sorted(glob.glob(sys.argv[1] + '/shard-*.tar')):",
        "    with tarfile.open(shard) as t:",
        "        names = t.getnames()",
        "        assert len(names) % 2 == 0, names",
        "        for png, js in zip(names[0::2], names[1::2]):",
        "            assert png[:-4] == js[:-5] and png.endswith('.png') and js.endswith('.json'), (png, js)",
        "            meta = json.load(t.extractfile(js))",
        "            assert meta['key'] == png[:-4] and meta['label'] in sys.argv[2].split(','), meta",
        "            assert t.extractfile(png).read(8) == b'\\x89PNG\\r\\n\\x1a\\n'",
        "            n += 1",
        "print(n)"), shards.toString(), String.join(",", realByDx.keySet())).redirectErrorStream(true).start();
    String printed = new String(py.getInputStream().readAllBytes()).trim();
    assertEquals(0, py.waitFor(), printed);
    assertEquals(String.valueOf(realTrain + 40), printed);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
