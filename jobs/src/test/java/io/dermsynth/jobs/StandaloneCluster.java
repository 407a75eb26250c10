package io.dermsynth.jobs;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on 127.0.0.1 made from the Maven classpath: one Master and N Workers,
 * each its own JVM, executors launched by the Workers as further JVMs. Spark needs a SPARK_HOME whose
 * {@code jars/} holds the classpath, so one is made from links, and a {@code bin/spark-submit} for the
 * deploy scripts. Each Worker advertises one GPU through a discovery script, as a GPU node would; Worker
 * i's has address "i", so a task's recorded address says which Worker's GPU Spark gave it.
 */
public final class StandaloneCluster implements AutoCloseable {

  /** Spark's JavaModuleOptions, for JVMs we start ourselves (Workers add them to executors). */
  public static final List<String> OPENS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");

  final Path home;
  final String classpath;
  final String masterUrl;
  private final Path logs;
  private final List<Process> processes = new ArrayList<>();

  private StandaloneCluster(Path home, String classpath, String masterUrl, Path logs) {
    this.home = home;
    this.classpath = classpath;
    this.masterUrl = masterUrl;
    this.logs = logs;
  }

  /**
   * @param classpath the jars of Spark, Delta, Hadoop and their dependencies (jobs/target/classpath.txt)
   * @param workers number of Workers, one core and 1 GiB each
   */
  public static StandaloneCluster start(String classpath, int workers, Path dir) throws Exception {
    Path home = dir.resolve("spark-home");
    Path jars = Files.createDirectories(home.resolve("jars"));
    Path bin = Files.createDirectories(home.resolve("bin"));
    // What a Spark distribution's bin/spark-submit does, minus its launcher library.
    Files.writeString(bin.resolve("spark-submit"), "#!/usr/bin/env bash\nexec \"" + javaBin() + "\" "
        + String.join(" ", OPENS) + " -Xmx1g -cp \"$SPARK_HOME/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    bin.resolve("spark-submit").toFile().setExecutable(true);
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.endsWith(".jar") && !Files.exists(jars.resolve(jar.getFileName()))) {
        Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
      }
    }
    Path logs = Files.createDirectories(dir.resolve("logs"));
    int port = freePort();
    StandaloneCluster c = new StandaloneCluster(home, classpath, "spark://127.0.0.1:" + port, logs);
    c.spawn("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort()));
    waitForPort(port, 60);
    for (int i = 0; i < workers; i++) {
      Path gpus = dir.resolve("gpus-worker" + i + ".sh");
      Files.writeString(gpus, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"" + i + "\"]}'\n");
      gpus.toFile().setExecutable(true);
      c.spawnWith(List.of("-Dspark.worker.resource.gpu.amount=1",
          "-Dspark.worker.resource.gpu.discoveryScript=" + gpus), "worker" + i,
          "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--cores", "1", "--memory", "1g", "--webui-port", String.valueOf(freePort()),
          "--work-dir", Files.createDirectories(dir.resolve("work" + i)).toString(), c.masterUrl);
    }
    return c;
  }

  /** Starts a JVM on the cluster's classpath, its output in logs/NAME.log. */
  Process spawn(String name, String mainClass, String... args) throws IOException {
    return spawnWith(List.of(), name, mainClass, args);
  }

  private Process spawnWith(List<String> jvmOptions, String name, String mainClass, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin());
    cmd.addAll(OPENS);
    cmd.addAll(jvmOptions);
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Runs a command (a deploy script) with this cluster's SPARK_HOME, its output in logs/NAME.log. */
  Process command(String name, java.util.Map<String, String> env, String... cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** The executor JVMs the Workers have launched and that are running now. */
  List<ProcessHandle> executors() {
    return processes.stream().flatMap(Process::descendants).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().arguments().map(a -> Arrays.asList(a).contains(
            "org.apache.spark.executor.CoarseGrainedExecutorBackend")).orElse(false))
        .toList();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The shaded application jar that `mvn package` made (integration tests run after it). */
  public static Path appJar() throws IOException {
    Path target = Path.of("target").toAbsolutePath();
    try (var jars = Files.list(target)) {
      return jars.filter(p -> p.getFileName().toString().endsWith("-app.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("run `mvn package` first: no *-app.jar in " + target));
    }
  }

  /** The jars of Spark, Delta, Hadoop, DJL and their dependencies, as Maven resolved them. */
  public static String mavenClasspath() throws IOException {
    return Files.readString(Path.of("target", "classpath.txt")).trim();
  }

  /**
   * spark-submit of a dermsynth command in client mode: 1 core, 768 MiB and one GPU per executor (the model
   * stages ask one GPU per task by their own ResourceProfile: no task GPU amount is set here),
   * 2 cores in all, and the first task only once every executor has registered, so the work
   * is spread over all of them.
   */
  Process submit(String name, String... commandAndArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
        "--master", masterUrl, "--deploy-mode", "client",
        "--class", "io.dermsynth.jobs.Main",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.executor.cores=1", "--conf", "spark.executor.memory=768m",
        "--conf", "spark.cores.max=2",
        "--conf", "spark.executor.resource.gpu.amount=1",
        "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
        "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
        appJar().toString()));
    args.addAll(Arrays.asList(commandAndArgs));
    return spawn(name, args.get(0), args.subList(1, args.size()).toArray(new String[0]));
  }

  String log(String name) throws IOException {
    Path f = logs.resolve(name + ".log");
    return Files.exists(f) ? Files.readString(f) : "(no log)";
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void waitForPort(int port, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(250);
      }
    }
    throw new IllegalStateException("Spark master did not open port " + port + " in " + seconds + " s");
  }

  @Override
  public void close() throws InterruptedException {
    // Workers first (their shutdown hooks stop their executors), then the master.
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    // Remove the jar links here, so the temp-dir cleanup has no links to warn about.
    try (var links = Files.list(home.resolve("jars"))) {
      for (Path link : links.toList()) {
        Files.deleteIfExists(link);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
