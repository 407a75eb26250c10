package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real HAM10000 subset in {@code ../shared/data}. CI always has it, so there a missing folder is a
 * failure; on a developer machine without it the test is skipped with a message.
 */
public final class SharedData {

  private SharedData() {}

  public static Path ham10000() {
    String override = System.getenv("DERMSYNTH_HAM10000");
    if (override != null) {
      return Path.of(override);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/data/ham10000-200x150");
      if (Files.isRegularFile(candidate.resolve("HAM10000_metadata.csv"))) {
        return candidate;
      }
    }
    String msg = "../shared/data/ham10000-200x150 not found above " + Path.of("").toAbsolutePath()
        + " (set DERMSYNTH_HAM10000 to its path)";
    if ("true".equals(System.getenv("CI"))) {
      fail(msg);
    }
    Assumptions.abort(msg);
    return null;
  }
}
