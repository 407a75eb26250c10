package io.dermsynth.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Tells DJL which libtorch to load, from what the build recorded ({@code libtorch.properties}: flavour
 * cpu, or cu128 for a {@code -Pgpu} build, and the version). DJL reads PYTORCH_FLAVOR and PYTORCH_VERSION
 * from the environment or system properties; the environment wins, so an operator can always override.
 * Call before the first {@code Engine.getInstance()} of the JVM (driver and executors).
 */
public final class Libtorch {

  private static volatile boolean configured;

  private Libtorch() {}

  public static void configure() {
    if (configured) {
      return;
    }
    Properties p = build();
    // A CPU build runs on the CPU natives' jar, which DJL finds on the classpath by itself.
    if (!"cpu".equals(p.getProperty("flavor"))) {
      set("PYTORCH_FLAVOR", p.getProperty("flavor"));
      set("PYTORCH_VERSION", p.getProperty("version"));
    }
    configured = true;
  }

  /**
   * {@link #configure()}, then the engine, with its convolutions checked on this CPU once per JVM
   * ({@link ConvolutionCheck}): every driver job and executor task that runs a network comes here first.
   */
  public static ai.djl.engine.Engine load() {
    configure();
    ai.djl.engine.Engine engine = ai.djl.engine.Engine.getInstance();
    ConvolutionCheck.ensure();
    return engine;
  }

  /** The flavour and version this build was made for. */
  static Properties build() {
    Properties p = new Properties();
    try (InputStream in = Libtorch.class.getResourceAsStream("libtorch.properties")) {
      if (in == null) {
        throw new IllegalStateException("libtorch.properties missing from the core jar");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static void set(String key, String value) {
    if (System.getenv(key) == null && System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
