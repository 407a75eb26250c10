package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.data.PhantomDataset;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `ingest` submitted with SparkSubmit to a standalone Master + 2 Workers on 127.0.0.1: the application
 * jar is the shaded one from `package`, the driver is its own JVM, and decoding runs in executor JVMs.
 */
class IngestOnStandaloneClusterIT {

  @TempDir Path tmp;

  @Test
  void ingestRunsInExecutorJvms() throws Exception {
    Path data = tmp.resolve("phantoms");
    PhantomDataset.write(data, new PhantomDataset.Options(120, 200, 150, 11));
    Path warehouse = tmp.resolve("wh");

    try (StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.mavenClasspath(), 2, tmp)) {
      Process submit = cluster.submit("submit", "ingest", "--data", data.toString(), "--set",
          "warehouse=" + warehouse, "--set", "ingest.size=32", "--set", "ingest.partitions=6");
      boolean ended = submit.waitFor(300, TimeUnit.SECONDS);
      String log = cluster.log("submit");
      assertTrue(ended, "spark-submit did not finish in 300 s:\n" + log);
      assertEquals(0, submit.exitValue(), "spark-submit failed:\n" + log);
      assertTrue(log.contains("120 images added"), log);
    }

    // Read what the cluster wrote, here, with the local session.
    JobContext ctx = SparkTest.context(warehouse);
    assertEquals(120, ctx.tables().read(Tables.IMAGES).count());
    Set<String> executors = new TreeSet<>(ctx.tables().read(Tables.IMAGES)
        .select("ingest_executor").distinct().as(Encoders.STRING()).collectAsList());
    assertFalse(executors.isEmpty());
    assertFalse(executors.contains("driver"), "decoding ran in the driver: " + executors);
    assertTrue(Set.of("0", "1").containsAll(executors), "executor ids: " + executors);
    assertEquals(2, executors.size(), "both executors took partitions: " + executors);
    Row run = ctx.tables().read(Tables.RUNS).where("command = 'ingest'").select("metrics").first();
    assertEquals(String.join(",", executors), run.<String, String>getJavaMap(0).get("executors"));
    assertTrue(Map.of("0", 1, "1", 1).keySet().containsAll(executors));
  }
}
