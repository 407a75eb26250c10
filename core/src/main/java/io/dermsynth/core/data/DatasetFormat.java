package io.dermsynth.core.data;

import io.dermsynth.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The dataset layouts dermsynth reads, and how to tell them apart by looking at a folder. */
public enum DatasetFormat {
  HAM10000("ham10000", Ham10000Reader::new),
  ISIC("isic", IsicReader::new),
  FOLDERS("folders", FolderPerClassReader::new),
  LABELS_CSV("labels-csv", LabelsCsvReader::new);

  public final String cliName;
  private final Supplier<DatasetReader> reader;

  DatasetFormat(String cliName, Supplier<DatasetReader> reader) {
    this.cliName = cliName;
    this.reader = reader;
  }

  /**
   * This layout's reader, given its root as its real path: `./dir`, `dir`, `dir/../dir`, a link to it and
   * `/abs/dir` then list the same files under the same paths (the walk and the csv's entries would
   * otherwise spell one file two ways, and every listed image would also be "unlisted").
   */
  public DatasetReader reader() {
    DatasetReader r = reader.get();
    return root -> r.read(root.toRealPath());
  }

  public static DatasetFormat parse(String name) {
    return Arrays.stream(values())
        .filter(f -> f.cliName.equalsIgnoreCase(name.trim()))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown dataset format '" + name
            + "'; allowed: " + allowedNames()));
  }

  public static String allowedNames() {
    return String.join(", ", Arrays.stream(values()).map(f -> f.cliName).toList());
  }

  /** Looks at the folder's csv headers and sub-folders; fails with what it looked for. */
  public static DatasetFormat detect(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new BadInputException("dataset folder " + root + " does not exist");
    }
    if (Files.isRegularFile(root.resolve(LabelsCsvReader.FILE_NAME))) {
      return LABELS_CSV;
    }
    if (findCsv(root, Ham10000Reader.REQUIRED).isPresent()) {
      return HAM10000;
    }
    if (findCsv(root, IsicReader.GT_2019).isPresent()
        || findCsv(root, IsicReader.GT_2020).isPresent()) {
      return ISIC;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      if (dirs.filter(Files::isDirectory)
          .anyMatch(d -> Diagnosis.parse(d.getFileName().toString().replace('_', ' ')).isPresent())) {
        return FOLDERS;
      }
    }
    throw new BadInputException("cannot tell the layout of " + root + ": expected labels.csv, a HAM10000 "
        + "metadata csv (" + Ham10000Reader.REQUIRED + "), an ISIC ground-truth csv, or one folder "
        + "per class (" + Diagnosis.allowedNames() + "); pass --format (" + allowedNames() + ")");
  }

  /** The first csv directly in {@code root} (by name) whose header has all {@code columns}. */
  static Optional<Path> findCsv(Path root, Set<String> columns) throws IOException {
    try (Stream<Path> files = Files.list(root)) {
      for (Path p : files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT)
          .endsWith(".csv")).sorted().toList()) {
        if (CsvTable.readHeader(p).containsAll(columns)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }
}
