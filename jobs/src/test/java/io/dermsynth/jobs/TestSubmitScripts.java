package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit scripts' command lines, as spark-submit receives them: a stand-in spark-submit records
 * its arguments (DeployIT runs the scripts against a real cluster; this checks what each one passes).
 */
class TestSubmitScripts {

  static final Path SUBMIT = Path.of("../deploy/spark-submit").toAbsolutePath().normalize();

  @TempDir Path tmp;

  private List<String> argv(String script, Map<String, String> env, String... args) throws Exception {
    Path home = tmp.resolve("spark");
    Files.createDirectories(home.resolve("bin"));
    Path fake = home.resolve("bin/spark-submit");
    Files.writeString(fake, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$ARGV_OUT\"\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = Files.writeString(tmp.resolve("app.jar"), "");
    Path out = tmp.resolve(script + ".argv");
    ProcessBuilder pb = new ProcessBuilder(java.util.stream.Stream.concat(
        java.util.stream.Stream.of("bash", SUBMIT.resolve(script).toString()), java.util.stream.Stream.of(args))
        .toList());
    pb.environment().putAll(Map.of("SPARK_HOME", home.toString(), "APP_JAR", jar.toString(), "ARGV_OUT",
        out.toString(), "DERMSYNTH_NATIVE_JARS", "", "DERMSYNTH_PACKAGES", ""));
    pb.environment().putAll(env);
    Process p = pb.redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), log);
    return Files.readAllLines(out);
  }

  @Test
  void everyScriptKeepsTheClustersDefaultsAndOnlyTheLocalOneTakesLaptopSettings() throws Exception {
    List<String> yarn = argv("yarn.sh", Map.of("HADOOP_CONF_DIR", tmp.toString(), "EXECUTOR_GPUS", "1"), "augment");
    List<String> standalone = argv("standalone.sh", Map.of(), "spark://h:7077", "ingest");
    List<String> local = argv("local.sh", Map.of(), "sql", "SELECT 1");
    for (List<String> a : List.of(yarn, standalone, local)) {
      assertTrue(a.contains("--load-spark-defaults"), a.toString());
      assertTrue(a.get(a.indexOf("--properties-file") + 1).endsWith("conf/spark-dermsynth.conf"), a.toString());
    }
    assertTrue(local.contains("spark.sql.shuffle.partitions=8"), local.toString());
    assertFalse(String.join(" ", yarn).contains("shuffle.partitions"), yarn.toString());
    assertFalse(String.join(" ", standalone).contains("shuffle.partitions"), standalone.toString());
    assertFalse(Files.readString(SUBMIT.resolve("../../conf/spark-dermsynth.conf")).contains("shuffle.partitions"));

    // YARN: the discovery script travels with the job and is run from the container's directory.
    assertTrue(yarn.get(yarn.indexOf("--files") + 1).endsWith("deploy/gpu/getGpusResources.sh"), yarn.toString());
    assertTrue(yarn.contains("spark.executor.resource.gpu.discoveryScript=./getGpusResources.sh"), yarn.toString());
    // No GPU asked, none requested: the stages that need none do not wait for one.
    List<String> cpu = argv("yarn.sh", Map.of("HADOOP_CONF_DIR", tmp.toString()), "ingest");
    assertFalse(String.join(" ", cpu).contains("resource.gpu"), cpu.toString());
    assertEquals("augment", yarn.get(yarn.size() - 1));
    // GPU executors, but no task GPU amount for every stage: the model stages ask by ResourceProfile.
    assertTrue(yarn.contains("spark.executor.resource.gpu.amount=1"), yarn.toString());
    for (String script : List.of("common.sh", "yarn.sh", "kubernetes.sh")) {
      assertFalse(Files.readString(SUBMIT.resolve(script)).contains("spark.task.resource.gpu"), script);
    }
  }
}
