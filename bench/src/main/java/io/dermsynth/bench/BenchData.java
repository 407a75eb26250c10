package io.dermsynth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The first N rows of a HAM10000 folder as a folder of their own. The images are copied: ingest refuses
 * links that resolve outside the dataset folder (OUTSIDE_ROOT).
 */
final class BenchData {

  private BenchData() {}

  static Path subset(Path hamDir, Path dir, int n) throws IOException {
    Path ham = hamDir.toAbsolutePath();
    List<String> lines = Files.readAllLines(ham.resolve("HAM10000_metadata.csv"), StandardCharsets.UTF_8);
    if (n > lines.size() - 1) {
      throw new IllegalArgumentException("asked for " + n + " images, " + ham + " lists " + (lines.size() - 1));
    }
    Files.createDirectories(dir.resolve("images"));
    StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
    for (int i = 1; i <= n; i++) {
      String id = lines.get(i).split(",")[1];
      Path copy = dir.resolve("images/" + id + ".jpg");
      if (!Files.exists(copy)) {
        Files.copy(ham.resolve("images/" + id + ".jpg"), copy);
      }
      csv.append(lines.get(i)).append('\n');
    }
    Files.writeString(dir.resolve("HAM10000_metadata.csv"), csv);
    return dir;
  }
}
