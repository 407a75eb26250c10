package io.dermsynth.jobs;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.jobs.runtime.Tables;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * deploy/: the Databricks bundle, the Spark Operator resources and the Dockerfile name a main class that
 * exists, commands the CLI has, settings files that exist and load, and files the image copies from
 * the build; nothing secret is committed; and the spark-submit scripts run against a standalone cluster
 * (Master + 2 Workers on 127.0.0.1, the packaged application jar): ingest decodes in both executor JVMs.
 */
class DeployIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  /** Where the Dockerfile puts things in the image → where they come from in the build. */
  private static final Map<String, Path> IMAGE = dockerCopies();

  @TempDir Path tmp;

  @Test
  void theDatabricksBundleRunsEveryStageAsAJarTaskOnAScheduledGpuCluster() throws Exception {
    Map<String, Object> bundle = yaml(DEPLOY.resolve("databricks/databricks.yml"));
    Map<String, Object> vars = map(bundle.get("variables"));
    Map<String, Object> job = map(map(map(bundle.get("resources")).get("jobs")).get("dermsynth_chain"));
    assertNotNull(map(job.get("schedule")).get("quartz_cron_expression"));
    // Every cluster a GPU runtime (which cluster runs what: TestDatabricksBundle).
    for (Object c : list(job.get("job_clusters"))) {
      Map<String, Object> cluster = map(map(c).get("new_cluster"));
      assertTrue(String.valueOf(cluster.get("spark_version")).contains("gpu"), cluster.toString());
    }
    List<String> keys = new ArrayList<>();
    List<String> commands = new ArrayList<>();
    for (Object t : list(job.get("tasks"))) {
      Map<String, Object> task = map(t);
      for (Object d : task.containsKey("depends_on") ? list(task.get("depends_on")) : List.of()) {
        assertTrue(keys.contains(map(d).get("task_key")), "depends on a later or unknown task: " + task);
      }
      keys.add((String) task.get("task_key"));
      Map<String, Object> jar = map(task.get("spark_jar_task"));
      assertMainClass((String) jar.get("main_class_name"));
      List<String> params = list(jar.get("parameters")).stream().map(String::valueOf).toList();
      commands.add(params.get(0));
      String conf = resolve(params.get(params.indexOf("--config") + 1), vars);
      assertSettingsFile(Path.of(conf.replace("${workspace.file_path}/", "")));
      String library = (String) map(list(task.get("libraries")).get(0)).get("jar");
      assertTrue(Files.isRegularFile(DEPLOY.resolve("databricks").resolve(library).normalize()), library);
    }
    assertEquals(List.of("ingest", "train-classifier", "train-gan", "train-inverter", "invert", "factorize",
        "augment", "experiment"), commands);
    commands.forEach(DeployIT::assertCommand);
  }

  @Test
  void theSparkOperatorResourcesAskForGpusAndNameWhatTheImageHas() throws Exception {
    for (String file : List.of("augment-sparkapplication.yaml", "chain-scheduledsparkapplication.yaml")) {
      Map<String, Object> app = yaml(DEPLOY.resolve("kubernetes").resolve(file));
      assertEquals("sparkoperator.k8s.io/v1beta2", app.get("apiVersion"), file);
      Map<String, Object> spec = map(app.get("spec"));
      if (app.get("kind").equals("ScheduledSparkApplication")) {
        assertEquals(5, ((String) spec.get("schedule")).split(" ").length, file);
        spec = map(spec.get("template"));
      } else {
        assertEquals("SparkApplication", app.get("kind"), file);
      }
      assertMainClass((String) spec.get("mainClass"));
      assertInImage((String) spec.get("mainApplicationFile"));
      List<String> args = list(spec.get("arguments")).stream().map(String::valueOf).toList();
      assertCommand(args.get(0));
      assertInImage(args.get(args.indexOf("--config") + 1));
      Map<String, Object> conf = map(spec.get("sparkConf"));
      // GPUs per task only for the model stages (their ResourceProfile), not for every stage.
      assertFalse(conf.containsKey("spark.task.resource.gpu.amount"), file);
      assertInImage((String) conf.get("spark.executor.resource.gpu.discoveryScript"));
      Map<String, Object> gpu = map(map(spec.get("executor")).get("gpu"));
      assertEquals("nvidia.com/gpu", gpu.get("name"), file);
      assertEquals(conf.get("spark.executor.resource.gpu.amount"), String.valueOf(gpu.get("quantity")), file);
    }
  }

  @Test
  void nothingSecretIsCommittedAndEveryScriptParses() throws Exception {
    Pattern secret = Pattern.compile("(?i)(secret\\.key|access\\.key|AWS_SECRET_ACCESS_KEY)\\s*[=:]");
    for (Path dir : List.of(DEPLOY, ROOT.resolve("conf"))) {
      try (var files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Matcher m = secret.matcher(Files.readString(f));
          assertFalse(m.find(), f + " sets a credential: " + (m.hitEnd() ? "" : m.group()));
          if (f.toString().endsWith(".sh")) {
            Process p = new ProcessBuilder("bash", "-n", f.toString()).redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), f + ": " + new String(p.getInputStream().readAllBytes()));
          }
        }
      }
    }
    ProcessBuilder gpus = new ProcessBuilder(DEPLOY.resolve("gpu/getGpusResources.sh").toString());
    gpus.environment().put("CUDA_VISIBLE_DEVICES", "3,5");
    Process p = gpus.start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    // Inside the container CUDA renumbers the visible GPUs from 0: those are the addresses tasks get.
    assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\",\"1\"]}", new String(p.getInputStream().readAllBytes()).trim());
  }

  @Test
  void theSparkSubmitScriptsRunAgainstAStandaloneCluster() throws Exception {
    assertEquals(0, cli("make-phantoms", "--out", tmp.resolve("p").toString(), "--n", "60").code());
    Path wh = tmp.resolve("wh");
    Map<String, String> env = new HashMap<>(Map.of("APP_JAR", StandaloneCluster.appJar().toString(),
        // The test cluster's SPARK_HOME/jars already holds Delta, s3a and libtorch (the Maven classpath).
        "DERMSYNTH_PACKAGES", "", "DERMSYNTH_NATIVE_JARS", "",
        "EXECUTOR_CORES", "1", "EXECUTOR_MEMORY", "768m", "TOTAL_CORES", "2", "EXECUTOR_GPUS", "1"));
    try (StandaloneCluster cluster = StandaloneCluster.start(StandaloneCluster.mavenClasspath(), 2, tmp)) {
      Process ingest = cluster.command("standalone", env, DEPLOY.resolve("spark-submit/standalone.sh").toString(),
          cluster.masterUrl, "ingest", "--data", tmp.resolve("p").toString(), "--set", "warehouse=" + wh,
          "--set", "ingest.size=32", "--set", "ingest.partitions=6",
          // Tasks wait for both executors, so that each takes partitions (the default ratio is 0 here).
          "--set", "spark.conf.\"spark.scheduler.minRegisteredResourcesRatio\"=1.0");
      String log = finish(cluster, ingest, "standalone");
      assertTrue(log.contains("60 images added"), log);
      // Decoded in the Workers' executor JVMs (a driver of its own, as spark-submit makes it), both of
      // them, and the run's row names them.
      JobContext ctx = SparkTest.context(wh);
      Set<String> executors = new java.util.TreeSet<>(ctx.tables().read(Tables.IMAGES)
          .select("ingest_executor").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
      assertEquals(Set.of("0", "1"), executors, "decoded by (driver = in the driver)");
      org.apache.spark.sql.Row run = ctx.tables().read(Tables.RUNS).where("command = 'ingest'").select("metrics").first();
      assertEquals("0,1", run.<String, String>getJavaMap(0).get("executors"));

      env.put("LOCAL_CORES", "2");
      Process sql = cluster.command("local", env, DEPLOY.resolve("spark-submit/local.sh").toString(), "sql",
          "SELECT count(*) AS n FROM images", "--set", "warehouse=" + wh);
      assertTrue(finish(cluster, sql, "local").contains("n \n--\n60\n"), cluster.log("local"));

      // The GPU training script wires a driver GPU through; with no CUDA here train-gan says so and exits 2.
      Path fakeGpu = Files.writeString(tmp.resolve("gpu.sh"), "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\"]}'\n");
      fakeGpu.toFile().setExecutable(true);
      env.put("GPU_DISCOVERY_SCRIPT", fakeGpu.toString());
      env.put("DRIVER_MEMORY", "1g");
      Process gan = cluster.command("train-gan-gpu", env, DEPLOY.resolve("spark-submit/train-gan-gpu.sh").toString(),
          "local[1]", wh.toString(), tmp.resolve("gan").toString(), "tiny32", "0.008");
      assertTrue(gan.waitFor(300, TimeUnit.SECONDS), cluster.log("train-gan-gpu"));
      assertEquals(2, gan.exitValue(), cluster.log("train-gan-gpu"));
      assertTrue(cluster.log("train-gan-gpu").contains("gan.device"), cluster.log("train-gan-gpu"));
    }
  }

  private static String finish(StandaloneCluster cluster, Process p, String name) throws Exception {
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), name + " did not finish:\n" + cluster.log(name));
    assertEquals(0, p.exitValue(), name + " failed:\n" + cluster.log(name));
    return cluster.log(name);
  }

  private static void assertMainClass(String name) throws Exception {
    var main = Class.forName(name).getMethod("main", String[].class);
    assertTrue(Modifier.isStatic(main.getModifiers()), name);
  }

  private static void assertCommand(String command) {
    Set<String> known = new CommandLine(new Main()).getSubcommands().keySet();
    assertTrue(known.contains(command), command + " is not a dermsynth command: " + known);
  }

  /** A settings file in the repository (conf/...) that loads: every key known, values resolved. */
  private static void assertSettingsFile(Path relative) {
    Path f = ROOT.resolve(relative);
    assertTrue(Files.isRegularFile(f), relative + " does not exist");
    Settings.load(List.of(f), Map.of());
  }

  /** A path inside the image: the Dockerfile copies it there from a build file that exists. */
  private static void assertInImage(String path) {
    String p = path.replace("local://", "");
    for (Map.Entry<String, Path> copy : IMAGE.entrySet()) {
      if (p.equals(copy.getKey()) || p.startsWith(copy.getKey().endsWith("/") ? copy.getKey() : copy.getKey() + "/")) {
        Path source = copy.getValue().resolve(p.substring(copy.getKey().length()).replaceFirst("^/", ""));
        assertTrue(Files.exists(source), path + " comes from " + source + ", which the build does not have");
        if (source.startsWith(ROOT.resolve("conf"))) {
          assertSettingsFile(ROOT.relativize(source));
        }
        return;
      }
    }
    throw new AssertionError(path + " is not copied into the image by deploy/docker/Dockerfile: " + IMAGE);
  }

  /**
   * What the runtime stage (after the last FROM) copies in, by destination: a host path, or for a copy
   * from the build stage the host file its {@code cp} took there (the app jar that `package` built); the
   * build stage's Maven downloads have no host file and are left out.
   */
  private static Map<String, Path> dockerCopies() {
    Map<String, Path> copies = new HashMap<>();
    try {
      String text = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
      String runtime = text.substring(text.lastIndexOf("\nFROM "));
      for (String line : runtime.split("\n")) {
        String[] w = line.trim().split("\\s+");
        if (w.length == 3 && w[0].equals("COPY")) {
          copies.put(w[2], ROOT.resolve(w[1]));
        } else if (w.length == 4 && w[0].equals("COPY") && w[1].equals("--from=build")) {
          Matcher cp = Pattern.compile("cp (\\S+) " + Pattern.quote(w[2]) + "\\b").matcher(text);
          if (!cp.find()) {
            continue;  // made by Maven in the build stage (the extra jars), no host file behind it
          }
          Path dir = ROOT.resolve(cp.group(1)).getParent();
          var glob = dir.getFileSystem().getPathMatcher("glob:" + ROOT.resolve(cp.group(1)));
          try (var files = Files.list(dir)) {
            copies.put(w[3], files.filter(glob::matches).findFirst()
                .orElseThrow(() -> new AssertionError(cp.group(1) + " not built: run `mvn package` first")));
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return copies;
  }

  private static String resolve(String value, Map<String, Object> vars) {
    Matcher m = Pattern.compile("\\$\\{var\\.(\\w+)}").matcher(value);
    return m.matches() ? String.valueOf(map(vars.get(m.group(1))).get("default")) : value;
  }

  private static Map<String, Object> yaml(Path f) throws java.io.IOException {
    return new Yaml().load(Files.readString(f));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }
}
