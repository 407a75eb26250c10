package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/databricks/databricks.yml against the rules a deploy would hit, encoded here from their sources:
 * the Databricks CLI's production-mode check (bundle/config/mutator/process_target_mode.go: a
 * {@code mode: production} target needs {@code workspace.root_path} or {@code run_as}), the bundle JSON
 * schema's field names ({@code databricks bundle schema}: jobs.job_clusters.new_cluster.data_security_mode,
 * libraries[].maven.coordinates, spark_env_vars), Databricks' single-node cluster settings
 * (spark.databricks.cluster.profile singleNode, spark.master local[*, N], ResourceClass SingleNode,
 * num_workers 0), and the project's own: classic SparkContext APIs need a dedicated (SINGLE_USER) cluster,
 * the GPU build and libtorch's version come from the pom, and no two GPU stages share a GPU.
 */
class TestDatabricksBundle {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path BUNDLE = ROOT.resolve("deploy/databricks/databricks.yml");
  /** Driver-side stages: they train or compute on the driver's GPU. */
  static final Set<String> DRIVER_GPU = Set.of("train-gan", "train-classifier", "train-inverter", "experiment");
  /** Executor-side GPU stages: one model per executor GPU. */
  static final Set<String> EXECUTOR_GPU = Set.of("invert", "augment");

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  private static String pomProperty(String name) throws Exception {
    Matcher m = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertTrue(m.find(), name);
    return m.group(1);
  }

  @Test
  void aProductionDeployHasARootPathDedicatedClustersLibtorchAndAGpuPerStage() throws Exception {
    Map<String, Object> bundle = new Yaml().load(Files.readString(BUNDLE));

    // Production mode: a root path (or a run_as principal), else `bundle validate -t prod` fails.
    for (var target : map(bundle.get("targets")).entrySet()) {
      Map<String, Object> t = map(target.getValue());
      if ("production".equals(t.get("mode"))) {
        Map<String, Object> ws = t.containsKey("workspace") ? map(t.get("workspace")) : map(bundle.getOrDefault(
            "workspace", Map.of()));
        assertTrue(ws.containsKey("root_path") || t.containsKey("run_as") || bundle.containsKey("run_as"),
            "production target " + target.getKey() + " needs workspace.root_path or run_as");
      }
    }
    // The GPU build of the jar, and the notebooks deployed with the bundle.
    String build = (String) map(map(bundle.get("artifacts")).get("dermsynth_jar")).get("build");
    assertTrue(build.contains("-Pgpu"), build);
    assertTrue(list(map(bundle.get("sync")).get("paths")).contains("../../notebooks"));

    Map<String, Object> job = map(map(map(bundle.get("resources")).get("jobs")).get("dermsynth_chain"));
    Map<String, Map<String, Object>> clusters = new HashMap<>();
    for (Object c : list(job.get("job_clusters"))) {
      Map<String, Object> cluster = map(map(c).get("new_cluster"));
      clusters.put((String) map(c).get("job_cluster_key"), cluster);
      assertEquals("SINGLE_USER", cluster.get("data_security_mode"), "accumulators and broadcast need it");
      Map<String, Object> env = map(cluster.get("spark_env_vars"));
      assertEquals(pomProperty("libtorch.version"), env.get("PYTORCH_VERSION"));
      assertEquals("cu128", env.get("PYTORCH_FLAVOR"));
      assertNotNull(env.get("PYTORCH_LIBRARY_PATH"));
      // Named (Unity Catalog) tables: the settings file takes catalog and schema from these.
      assertEquals("${var.catalog}", env.get("DERMSYNTH_CATALOG"));
      assertEquals("${var.schema}", env.get("DERMSYNTH_SCHEMA"));
    }
    assertTrue(map(bundle.get("variables")).keySet().containsAll(List.of("catalog", "schema")));
    String clusterConf = Files.readString(ROOT.resolve("conf/cluster-gpu.conf"));
    assertTrue(clusterConf.contains("tables.catalog = ${?DERMSYNTH_CATALOG}")
        && clusterConf.contains("tables.schema = ${?DERMSYNTH_SCHEMA}"), clusterConf);
    // Without those variables (spark-submit, Kubernetes) the same file keeps path-based tables.
    assertEquals(io.dermsynth.jobs.runtime.TableNames.PATHS, io.dermsynth.jobs.runtime.TableNames.of(
        io.dermsynth.jobs.settings.Settings.load(List.of(ROOT.resolve("conf/cluster-gpu.conf")), Map.of())));
    String jni = "ai.djl.pytorch:pytorch-jni:" + pomProperty("libtorch.version") + "-" + pomProperty("djl.version");

    Map<String, String> clusterOf = new HashMap<>();
    Map<String, Set<String>> before = new HashMap<>();
    for (Object o : list(job.get("tasks"))) {
      Map<String, Object> task = map(o);
      String key = (String) task.get("task_key");
      String command = String.valueOf(list(map(task.get("spark_jar_task")).get("parameters")).get(0));
      Set<String> upstream = new HashSet<>();
      for (Object d : task.containsKey("depends_on") ? list(task.get("depends_on")) : List.of()) {
        String dep = (String) map(d).get("task_key");
        upstream.add(dep);
        upstream.addAll(before.get(dep));
      }
      before.put(key, upstream);
      assertTrue(list(task.get("libraries")).stream().anyMatch(l -> map(l).containsKey("maven")
          && jni.equals(map(map(l).get("maven")).get("coordinates"))), key + " needs " + jni);
      Map<String, Object> cluster = clusters.get((String) task.get("job_cluster_key"));
      Map<String, Object> conf = map(cluster.get("spark_conf"));
      if (DRIVER_GPU.contains(command)) {
        // A single-node cluster: the driver's GPU is the one GPU, and no executor holds another.
        assertEquals(0, cluster.get("num_workers"), key);
        assertEquals("singleNode", conf.get("spark.databricks.cluster.profile"), key);
        assertTrue(String.valueOf(conf.get("spark.master")).startsWith("local[*"), key);
        assertEquals("SingleNode", map(cluster.get("custom_tags")).get("ResourceClass"), key);
      }
      if (EXECUTOR_GPU.contains(command)) {
        assertEquals("1", conf.get("spark.executor.resource.gpu.amount"), key);
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"), key);
      } else {
        assertFalse(conf.containsKey("spark.task.resource.gpu.amount"), key + " would wait for a GPU it never uses");
      }
      clusterOf.put(key, command + "@" + task.get("job_cluster_key"));
    }
    // Two driver-GPU stages on one cluster never run at the same time: one depends on the other.
    List<String> keys = List.copyOf(clusterOf.keySet());
    for (String a : keys) {
      for (String b : keys) {
        String[] ca = clusterOf.get(a).split("@");
        String[] cb = clusterOf.get(b).split("@");
        if (!a.equals(b) && ca[1].equals(cb[1]) && DRIVER_GPU.contains(ca[0]) && DRIVER_GPU.contains(cb[0])) {
          assertTrue(before.get(a).contains(b) || before.get(b).contains(a), a + " and " + b + " share a GPU");
        }
      }
    }
  }
}
