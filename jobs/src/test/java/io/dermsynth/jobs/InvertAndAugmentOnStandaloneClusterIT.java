package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.augment.AugmentFixture;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * invert and augment submitted to a standalone Master + 2 Workers, one (fake) GPU each, a GPU per executor
 * and per task, on one cluster and one fixture warehouse (AugmentFixture; each test works on a copy).
 * invert: 8 partitions over 2 executor JVMs, each executor loads the inverter exactly once (ModelCache),
 * whatever number of its tasks use it, and every task records its Worker's GPU address.
 * augment: an uninterrupted run is the reference (144 rows: 16 latents × 2 directions × 4 non-zero alphas
 * + 16 α = 0 renders, 3 chunks); then one run with an executor JVM killed after the first chunk and the
 * driver killed after the second, and the command run again, must end with the reference's table — the
 * same synth_ids with the same image bytes, each once.
 */
class InvertAndAugmentOnStandaloneClusterIT {

  private static final int PLANNED = 144;

  @TempDir static Path tmp;
  static Path fixture;
  static StandaloneCluster cluster;
  static Map<String, String> reference;
  static String referenceLog;

  @BeforeAll
  static void warehouseClusterAndReference() throws Exception {
    fixture = tmp.resolve("fixture");
    AugmentFixture.sixteenTrainLatents(tmp, fixture);
    cluster = StandaloneCluster.start(StandaloneCluster.mavenClasspath(), 2, tmp.resolve("cluster"));
    Path wh = copy("reference");
    Process p = cluster.submit("reference", augment(wh));
    referenceLog = finish(p, "reference");
    reference = imageHashes(wh);
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void eachTaskRecordsTheGpuSparkGaveItAndRunsOnTheDeviceThatFollows() throws Exception {
    assertEquals(PLANNED, reference.size(), referenceLog);
    JobContext ctx = SparkTest.context(tmp.resolve("reference"));
    List<Row> placements = ctx.tables().read(Tables.SYNTHETIC).groupBy("executor_id", "task_gpu", "device").count()
        .collectAsList();
    Map<String, Set<String>> gpusByExecutor = new TreeMap<>();
    for (Row r : placements) {
      gpusByExecutor.computeIfAbsent(r.getString(0), k -> new TreeSet<>()).add(r.getString(1));
      // No CUDA here: the device that follows an assigned GPU on a CPU-only libtorch is the CPU.
      assertEquals("cpu()", r.getString(2), placements.toString());
    }
    // Two executors, one per Worker, each with its Worker's GPU on every one of its tasks.
    assertEquals(2, gpusByExecutor.size(), placements.toString());
    gpusByExecutor.values().forEach(g -> assertEquals(1, g.size(), placements.toString()));
    assertEquals(Set.of("0", "1"), gpusByExecutor.values().stream().flatMap(Set::stream).collect(Collectors.toSet()),
        placements.toString());
    String metric = ctx.tables().read(Tables.RUNS).where("command = 'augment'").select("metrics").first()
        .<String, String>getJavaMap(0).get("task_devices");
    assertTrue(metric.matches("\\d+:gpu [01]>cpu\\(\\):\\d+,\\d+:gpu [01]>cpu\\(\\):\\d+"), metric);
  }

  @Test
  void invertLoadsTheInverterOncePerExecutorAndEachTaskRecordsItsGpu() throws Exception {
    // The fixture's warehouse without its latents: every image is inverted again, on the cluster.
    Path wh = copy("invert");
    try (var files = Files.walk(wh.resolve(Tables.LATENTS))) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    long images = SparkTest.context(wh).tables().read(Tables.IMAGES).count();
    String log = finish(cluster.submit("invert", "invert", "--set", "warehouse=" + wh, "--set",
        "invert.partitions=8", "--set", "invert.batch_size=4", "--set", "invert.method=encoder"), "invert");
    assertTrue(log.contains(images + " rows added, 0 quarantined"), log);
    JobContext ctx = SparkTest.context(wh);
    assertEquals(images, ctx.tables().read(Tables.LATENTS).count());
    Map<String, String> metrics = ctx.tables().read(Tables.RUNS).where("command = 'invert'")
        .orderBy(org.apache.spark.sql.functions.col("finished_at").desc()).select("metrics").first().getJavaMap(0);
    // Both executors took partitions (8 tasks), and each loaded the model once: "0:1,1:1".
    assertEquals("0:1,1:1", metrics.get("model_loads"), metrics.toString());
    // executor:gpu>device:rows — each executor its own Worker's GPU, the CPU device (no CUDA here).
    var devices = java.util.regex.Pattern.compile("0:gpu ([01])>cpu\\(\\):(\\d+),1:gpu ([01])>cpu\\(\\):(\\d+)")
        .matcher(metrics.get("task_devices"));
    assertTrue(devices.matches(), metrics.toString());
    assertTrue(!devices.group(1).equals(devices.group(3)), metrics.toString());
    assertEquals(images, Integer.parseInt(devices.group(2)) + Integer.parseInt(devices.group(4)), metrics.toString());
    assertEquals(List.of("encoder"), ctx.tables().read(Tables.LATENTS).select("method").distinct()
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  /**
   * One run, two faults: an executor SIGKILLed after the first chunk (Spark reruns its tasks elsewhere;
   * the chunk being rendered must not gain a row twice), then the driver SIGKILLed after the second (the
   * run dies; what it committed stays); the same command run again writes exactly what is missing.
   */
  @Test
  void anExecutorThenTheDriverKilledMidRunThenRunAgainLeaveExactlyTheReferenceTable() throws Exception {
    Path wh = copy("killed");
    Process p = cluster.submit("killed", augment(wh));
    awaitCommit(p, wh, "killed", 0);
    List<ProcessHandle> executors = cluster.executors();
    assertEquals(2, executors.size(), "executor JVMs: " + executors);
    executors.get(0).destroyForcibly();  // SIGKILL: the Worker reports it lost, its tasks run elsewhere
    awaitCommit(p, wh, "killed", 1);
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();  // client mode: the spark-submit JVM is the driver
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    // Two chunks of three committed, none of them twice.
    long committed = SparkTest.context(wh).tables().read(Tables.SYNTHETIC).count();
    assertTrue(committed > 0 && committed < PLANNED, "killed midway: " + committed + " rows committed");
    assertEquals(committed, imageHashes(wh).size());
    String log = finish(cluster.submit("killed-rerun", augment(wh)), "killed-rerun");
    SparkTest.assertFigures(SparkTest.context(wh), log, "already_done=" + committed,
        "rows_added=" + (PLANNED - committed));
    assertEquals(reference, imageHashes(wh));
  }

  /**
   * The fixture's augment with two directions, not three, in 3 chunks of 50: three runs of it are most of
   * this test's time (a chunk's commit costs ~12 s on this cluster).
   */
  private static String[] augment(Path wh) {
    String[] args = AugmentFixture.augment(wh, 50);
    String[] out = java.util.Arrays.copyOf(args, args.length + 2);
    out[args.length] = "--set";
    out[args.length + 1] = "augment.top_k=2";
    return out;
  }

  /** synth_id → SHA-256 of the PNG; fails on a duplicate synth_id. */
  private static Map<String, String> imageHashes(Path wh) {
    JobContext ctx = SparkTest.context(wh);
    List<Row> rows = ctx.tables().read(Tables.SYNTHETIC).selectExpr("synth_id", "sha2(png, 256)").collectAsList();
    Map<String, String> hashes = new TreeMap<>();
    for (Row r : rows) {
      assertFalse(hashes.containsKey(r.getString(0)), "duplicate " + r.getString(0));
      hashes.put(r.getString(0), r.getString(1));
    }
    return hashes;
  }

  /** A fresh copy of the fixture warehouse (Delta logs hold relative paths, so a copy is a warehouse). */
  private static Path copy(String name) throws IOException {
    Path to = tmp.resolve(name);
    try (var files = Files.walk(fixture)) {
      for (Path f : files.toList()) {
        Path t = to.resolve(fixture.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
    return to;
  }

  /** Waits until {@code synthetic}'s Delta version {@code version} (chunk version + 1) is committed. */
  private static void awaitCommit(Process p, Path wh, String name, int version) throws Exception {
    Path commit = wh.resolve(String.format("synthetic/_delta_log/%020d.json", version));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!Files.exists(commit) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(commit) && p.isAlive(), "chunk " + (version + 1) + " not committed while running:\n"
        + cluster.log(name));
  }

  private static String finish(Process p, String name) throws Exception {
    boolean ended = p.waitFor(400, TimeUnit.SECONDS);
    String log = cluster.log(name);
    assertTrue(ended, name + ": spark-submit did not finish in 400 s:\n" + log);
    assertEquals(0, p.exitValue(), name + ": spark-submit failed:\n" + log);
    return log;
  }
}
