package io.dermsynth.jobs.export;

import io.dermsynth.core.CheckpointStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes exported samples in one layout; {@link #close()} finishes the last file. */
abstract sealed class ExportWriter implements AutoCloseable {

  abstract void add(Sample s) throws IOException;

  /** Files written so far (images and shards; the manifest aside). */
  abstract int files();

  /** Finishes the last file. */
  @Override
  public abstract void close() throws IOException;

  /** After a failure: the file being written does not appear (the manifest, written last, is never written). */
  abstract void abort() throws IOException;

  /** Class folders and a metadata.jsonl whose file_name column points at each image. */
  static final class ImageFolder extends ExportWriter {
    private final CheckpointStore store;
    private final StringBuilder metadata = new StringBuilder();
    private int files;

    ImageFolder(CheckpointStore store) {
      this.store = store;
    }

    @Override
    void add(Sample s) throws IOException {
      String file = s.dx() + "/" + s.key() + ".png";
      store.write(file, s.png());
      var json = s.json();
      json.addProperty("file_name", file);
      metadata.append(json).append('\n');
      files++;
    }

    @Override
    int files() {
      return files;
    }

    @Override
    public void close() throws IOException {
      store.write("metadata.jsonl", metadata.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    void abort() {
      // Each image was written whole; without metadata.jsonl and the manifest the folder is incomplete.
    }
  }

  /**
   * WebDataset tar shards: each sample's {@code <key>.png} then {@code <key>.json}, consecutive, as
   * webdataset groups them; a new shard once one holds {@code shardBytes}.
   */
  static final class WebDataset extends ExportWriter {
    private final CheckpointStore store;
    private final long shardBytes;
    private TarArchiveOutputStream tar;
    private CheckpointStore.Staged shard;
    private long written;
    private int shards;

    WebDataset(CheckpointStore store, long shardBytes) {
      if (shardBytes < 1) {
        throw new IllegalArgumentException("shard size must be ≥ 1 byte, got " + shardBytes);
      }
      this.store = store;
      this.shardBytes = shardBytes;
    }

    @Override
    void add(Sample s) throws IOException {
      if (tar == null || written >= shardBytes) {
        close();
        shard = store.create(String.format(Locale.ROOT, "shard-%06d.tar", shards++));
        tar = new TarArchiveOutputStream(shard);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        written = 0;
      }
      entry(s.key() + ".png", s.png());
      entry(s.key() + ".json", s.json().toString().getBytes(StandardCharsets.UTF_8));
    }

    private void entry(String name, byte[] bytes) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setSize(bytes.length);
      e.setModTime(0);  // the same rows give the same bytes
      tar.putArchiveEntry(e);
      tar.write(bytes);
      tar.closeArchiveEntry();
      written += bytes.length + 1024;
    }

    @Override
    int files() {
      return shards;
    }

    @Override
    public void close() throws IOException {
      if (tar != null) {
        tar.close();
        tar = null;
      }
    }

    @Override
    void abort() throws IOException {
      if (shard != null) {
        shard.discard();
        shard.close();
        tar = null;
      }
    }
  }
}
