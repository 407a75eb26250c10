package io.dermsynth.jobs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** bin/dermsynth, the launcher a user types: each call is its own JVM from the packaged jar. */
public final class Launcher {

  public static final Path PATH = Path.of("..", "bin", "dermsynth").toAbsolutePath().normalize();

  private Launcher() {}

  /** The command line for {@code args}. */
  public static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(PATH.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Starts {@code args} with stdout and stderr together in {@code log}. */
  public static Process start(Path log, String... args) throws IOException {
    return start(java.util.Map.of(), log, args);
  }

  /** As {@link #start(Path, String...)}, with {@code env} added to the environment. */
  public static Process start(java.util.Map<String, String> env, Path log, String... args) throws IOException {
    ProcessBuilder b = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment().putAll(env);
    return b.start();
  }
}
