package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.data.PhantomDataset;
import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.core.gan.GanPreset;
import io.dermsynth.core.gan.GanTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `invert` submitted to a standalone Master + 2 Workers with a (fake) GPU each, one GPU per executor and
 * task: 8 partitions over 2 executor JVMs, each executor loads the inverter exactly once (ModelCache),
 * whatever number of its tasks use it, and every task records its Worker's GPU address.
 */
class InvertOnStandaloneClusterIT {

  @TempDir Path tmp;

  @Test
  void eachExecutorLoadsTheInverterOnce() throws Exception {
    Path data = tmp.resolve("phantoms");
    PhantomDataset.write(data, new PhantomDataset.Options(32, 200, 150, 5));
    Path warehouse = tmp.resolve("wh");
    String w = "warehouse=" + warehouse;
    assertEquals(0, cli("ingest", "--data", data.toString(), "--set", w, "--set", "ingest.size=32").code());
    // An untrained tiny32 generator and LPIPS network are enough to count model loads.
    Path gan = tmp.resolve("gan");
    try (GanTrainer t = new GanTrainer(GanOptions.defaults(GanPreset.TINY32, 1), Device.cpu())) {
      t.save(CheckpointStore.directory(gan));
    }
    Path lpips = tmp.resolve("lpips");
    try (ClassifierModel m = ClassifierModel.create(new ClassifierModel.Manifest("small",
        LabelledImages.classNames(), 32, 0, Double.NaN, "it"), Device.cpu())) {
      ModelStore.save(SparkTest.context(warehouse).spark(), m, lpips.toString());
    }
    Path inverter = tmp.resolve("inverter");
    TestCommandLine.Outcome train = cli("train-inverter", "--set", w, "--set", "inverter.gan_model=" + gan,
        "--set", "inverter.lpips_model=" + lpips, "--set", "inverter.encoder_steps=1", "--set",
        "inverter.hyper_steps=1", "--set", "inverter.batch_size=2", "--set", "inverter.hyper_z=8",
        "--resume", inverter.toString());
    assertEquals(0, train.code(), train.err());

    try (StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.mavenClasspath(), 2, tmp)) {
      Process submit = cluster.submit("submit", "invert", "--model", inverter.toString(), "--set", w,
          "--set", "invert.partitions=8", "--set", "invert.batch_size=4", "--set", "invert.method=encoder");
      boolean ended = submit.waitFor(400, TimeUnit.SECONDS);
      String log = cluster.log("submit");
      assertTrue(ended, "spark-submit did not finish in 400 s:\n" + log);
      assertEquals(0, submit.exitValue(), "spark-submit failed:\n" + log);
      assertTrue(log.contains("32 rows added to latents"), log);
    }

    JobContext ctx = SparkTest.context(warehouse);
    assertEquals(32, ctx.tables().read(Tables.LATENTS).count());
    var metrics = ctx.tables().read(Tables.RUNS).where("command = 'invert'").select("metrics").first()
        .<String, String>getJavaMap(0);
    // Both executors took partitions (8 tasks), and each loaded the model once: "0:1,1:1".
    assertEquals("0:1,1:1", metrics.get("model_loads"), metrics.toString());
    // executor:gpu>device:rows — each executor its own Worker's GPU, the CPU device (no CUDA here).
    var devices = java.util.regex.Pattern.compile("0:gpu ([01])>cpu\\(\\):(\\d+),1:gpu ([01])>cpu\\(\\):(\\d+)")
        .matcher(metrics.get("task_devices"));
    assertTrue(devices.matches(), metrics.toString());
    assertTrue(!devices.group(1).equals(devices.group(3)), metrics.toString());
    assertEquals(32, Integer.parseInt(devices.group(2)) + Integer.parseInt(devices.group(4)), metrics.toString());
    Set<String> splits = new TreeSet<>(ctx.tables().read(Tables.LATENTS).select("split").distinct()
        .as(Encoders.STRING()).collectAsList());
    assertTrue(Set.of("train", "val", "test").containsAll(splits) && !splits.isEmpty(), splits.toString());
    assertEquals(List.of("encoder"), ctx.tables().read(Tables.LATENTS).select("method").distinct()
        .as(Encoders.STRING()).collectAsList());
  }
}
