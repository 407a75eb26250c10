package io.dermsynth.jobs;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A real S3 API server for tests: s3proxy (filesystem backend) in a child JVM on a free loopback port,
 * with one bucket, and the s3a settings that reach it.
 */
public final class S3Server implements AutoCloseable {

  public static final String ACCESS_KEY = "dermsynth-test";
  public static final String SECRET_KEY = "dermsynth-test-secret";
  /** Copied here by the pom (maven-dependency-plugin, generate-test-resources). */
  private static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");

  private final Process process;
  private final int port;
  private final Path storage;

  /** Starts s3proxy storing under {@code dir}, with the bucket {@code bucket}. */
  public S3Server(Path dir, String bucket) throws Exception {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " missing: run the tests through Maven (its "
          + "generate-test-resources phase copies s3proxy there)");
    }
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    storage = data;
    Files.createDirectories(data.resolve(bucket));
    Path props = dir.resolve("s3proxy.properties");
    Files.write(props, List.of("s3proxy.endpoint=http://127.0.0.1:" + port, "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY, "s3proxy.credential=" + SECRET_KEY, "jclouds.provider=filesystem",
        "jclouds.identity=" + ACCESS_KEY, "jclouds.credential=" + SECRET_KEY, "jclouds.filesystem.basedir=" + data));
    process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-jar", JAR.toString(), "--properties", props.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException("s3proxy did not start; see " + dir.resolve("s3proxy.log"), e);
        }
        Thread.sleep(200);
      }
    }
  }

  /** The s3a settings that reach this server (path-style, plain HTTP), without credentials. */
  Map<String, String> endpoint() {
    return Map.of("fs.s3a.endpoint", "http://127.0.0.1:" + port, "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false", "fs.s3a.endpoint.region", "us-east-1",
        "fs.s3a.change.detection.mode", "none");
  }

  /** Points s3a at this server, with static keys (for the test's own JVM). */
  public void configure(Configuration conf) {
    endpoint().forEach(conf::set);
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    conf.set("fs.s3a.access.key", ACCESS_KEY);
    conf.set("fs.s3a.secret.key", SECRET_KEY);
  }

  /** Where the server keeps objects: bucket/key as files. */
  Path storage() {
    return storage;
  }

  @Override
  public void close() {
    process.destroy();
  }
}
