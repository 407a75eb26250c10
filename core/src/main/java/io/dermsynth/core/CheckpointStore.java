package io.dermsynth.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A training run's folder: files by relative name ("snapshot-000000480/G.safetensors", "state.json"),
 * where trainers keep checkpoints, grids and metrics. The core offers a local directory and
 * {@link #NONE}; jobs give one over Hadoop file systems (s3a:// included).
 */
public interface CheckpointStore {

  Optional<byte[]> read(String name) throws IOException;

  /** Writes the whole file, replacing any old one; a reader never sees half a file. */
  void write(String name, byte[] bytes) throws IOException;

  /** Names of the entries (files or folders) directly under the top level. */
  List<String> list() throws IOException;

  /** Removes a file or a folder and everything in it. */
  void delete(String name) throws IOException;

  /** The file's bytes, or an IOException naming it when it is missing. */
  default byte[] readRequired(String name) throws IOException {
    return read(name).orElseThrow(() -> new BadInputException(name + " is missing"));
  }

  /** Complete snapshot folders ({@code snapshot-*} with a {@code manifest.json}), oldest first. */
  default List<String> snapshots() throws IOException {
    List<String> out = new java.util.ArrayList<>();
    for (String name : list()) {
      if (name.startsWith("snapshot-") && read(name + "/manifest.json").isPresent()) {
        out.add(name);
      }
    }
    return out;
  }

  /** The newest complete snapshot folder, if any. */
  default Optional<String> newestSnapshot() throws IOException {
    List<String> s = snapshots();
    return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
  }

  /** Deletes all but the newest {@code keep} complete snapshots. */
  default void keepNewestSnapshots(int keep) throws IOException {
    keepNewestSnapshots(keep, null);
  }

  /** As {@link #keepNewestSnapshots(int)}, never deleting {@code protect} (e.g. the best-scored one). */
  default void keepNewestSnapshots(int keep, String protect) throws IOException {
    List<String> snapshots = snapshots();
    for (int i = 0; i < snapshots.size() - keep; i++) {
      if (!snapshots.get(i).equals(protect)) {
        delete(snapshots.get(i));
      }
    }
  }

  /** No folder: nothing is kept, nothing resumed. */
  CheckpointStore NONE = new CheckpointStore() {
    @Override
    public Optional<byte[]> read(String name) {
      return Optional.empty();
    }

    @Override
    public void write(String name, byte[] bytes) {}

    @Override
    public List<String> list() {
      return List.of();
    }

    @Override
    public void delete(String name) {}
  };

  /** A local folder. */
  static CheckpointStore directory(Path root) {
    return new CheckpointStore() {
      @Override
      public Optional<byte[]> read(String name) throws IOException {
        Path p = root.resolve(name);
        return Files.exists(p) ? Optional.of(Files.readAllBytes(p)) : Optional.empty();
      }

      @Override
      public void write(String name, byte[] bytes) throws IOException {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }

      @Override
      public List<String> list() throws IOException {
        if (!Files.isDirectory(root)) {
          return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
          return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
      }

      @Override
      public void delete(String name) throws IOException {
        Path p = root.resolve(name);
        if (Files.exists(p)) {
          try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(q);
            }
          }
        }
      }
    };
  }
}
