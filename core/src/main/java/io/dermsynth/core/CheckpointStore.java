package io.dermsynth.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one storage adaptor for model and run folders: files by relative name
 * ("snapshot-000000480/G.safetensors", "metrics.jsonl"), written whole. The core offers a local directory
 * and {@link #NONE}; udf gives one over Hadoop file systems (s3a://, dbfs:/), the same on driver and
 * executors. {@link ModelFolder} lays models and snapshots out on it.
 */
public interface CheckpointStore {

  Optional<byte[]> read(String name) throws IOException;

  /**
   * The file as a stream, for files too big to hold twice (a user's 100 MB weights); missing is an
   * IOException naming it. Stores that can stream override this.
   */
  default java.io.InputStream open(String name) throws IOException {
    return new java.io.ByteArrayInputStream(readRequired(name));
  }

  /** Writes the whole file, replacing any old one; a reader never sees half a file. */
  void write(String name, byte[] bytes) throws IOException;

  /**
   * A file written as a stream (an export's gigabyte shard), beside its name until {@code close()} moves it
   * there: a reader never sees half a file. A write that failed, or {@link Staged#discard()}, makes
   * {@code close()} drop it instead.
   */
  Staged create(String name) throws IOException;

  /** A file being written beside its name; see {@link #create}. */
  final class Staged extends java.io.FilterOutputStream {
    /** What completes or drops the file. */
    public interface Action {
      void run() throws IOException;
    }

    private final Action move;
    private final Action drop;
    private boolean failed;

    public Staged(java.io.OutputStream out, Action move, Action drop) {
      super(out);
      this.move = move;
      this.drop = drop;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        out.write(b, off, len);  // FilterOutputStream's own writes byte by byte
      } catch (IOException | RuntimeException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    /** The file is not to appear: close() drops what was written. */
    public void discard() {
      failed = true;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } catch (IOException e) {
        failed = true;
        throw e;
      } finally {
        if (failed) {
          drop.run();
        } else {
          move.run();
        }
      }
    }
  }

  /** Writes {@code bytes} through {@link #create}: whole or not at all. */
  static void writeStaged(CheckpointStore store, String name, byte[] bytes) throws IOException {
    try (Staged out = store.create(name)) {
      out.write(bytes);
    }
  }

  /** Names of the entries (files or folders) directly in {@code dir} ("" the top), sorted. */
  List<String> list(String dir) throws IOException;

  /** Names of the entries directly under the top level, sorted. */
  default List<String> list() throws IOException {
    return list("");
  }

  /** Removes a file or a folder and everything in it. */
  void delete(String name) throws IOException;

  /** The file's bytes, or an IOException naming it when it is missing. */
  default byte[] readRequired(String name) throws IOException {
    return read(name).orElseThrow(() -> new BadInputException(name + " is missing"));
  }

  /**
   * Adds one line to a text file (a run's metrics.jsonl), rewriting it whole: object stores have no
   * append, and the files are small (one line per tick).
   */
  default void appendLine(String name, String line) throws IOException {
    String old = read(name).map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)).orElse("");
    write(name, (old + line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The sub-folder {@code prefix} as a store of its own (e.g. an inverter's {@code lpips/} model). */
  default CheckpointStore under(String prefix) {
    CheckpointStore parent = this;
    return new CheckpointStore() {
      @Override
      public Optional<byte[]> read(String name) throws IOException {
        return parent.read(prefix + "/" + name);
      }

      @Override
      public java.io.InputStream open(String name) throws IOException {
        return parent.open(prefix + "/" + name);
      }

      @Override
      public void write(String name, byte[] bytes) throws IOException {
        parent.write(prefix + "/" + name, bytes);
      }

      @Override
      public Staged create(String name) throws IOException {
        return parent.create(prefix + "/" + name);
      }

      @Override
      public List<String> list(String dir) throws IOException {
        return parent.list(dir.isEmpty() ? prefix : prefix + "/" + dir);
      }

      @Override
      public void delete(String name) throws IOException {
        parent.delete(prefix + "/" + name);
      }
    };
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
    public Staged create(String name) {
      return new Staged(java.io.OutputStream.nullOutputStream(), () -> { }, () -> { });
    }

    @Override
    public List<String> list(String dir) {
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
      public java.io.InputStream open(String name) throws IOException {
        Path p = root.resolve(name);
        if (!Files.exists(p)) {
          throw new BadInputException(p + " does not exist");
        }
        return new java.io.BufferedInputStream(Files.newInputStream(p), 1 << 16);
      }

      @Override
      public void write(String name, byte[] bytes) throws IOException {
        writeStaged(this, name, bytes);
      }

      @Override
      public Staged create(String name) throws IOException {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        return new Staged(new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16),
            () -> Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE), () -> Files.deleteIfExists(tmp));
      }

      @Override
      public List<String> list(String dir) throws IOException {
        Path d = dir.isEmpty() ? root : root.resolve(dir);
        if (!Files.isDirectory(d)) {
          return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
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
