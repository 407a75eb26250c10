package io.dermsynth.udf;

import io.dermsynth.core.CheckpointStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A model or run folder on any Hadoop file system (local, s3a://, dbfs:/) as a {@link CheckpointStore}:
 * what trainers write on the driver and what executors load models from.
 */
public final class HadoopStore implements CheckpointStore {

  private final Configuration hadoop;
  private final Path root;

  public HadoopStore(Configuration hadoop, String dir) {
    this.hadoop = hadoop;
    this.root = new Path(dir);
  }

  @Override
  public Optional<byte[]> read(String name) throws IOException {
    Path p = new Path(root, name);
    FileSystem fs = p.getFileSystem(hadoop);
    if (!fs.exists(p)) {
      return Optional.empty();
    }
    try (InputStream in = fs.open(p)) {
      return Optional.of(in.readAllBytes());
    }
  }

  @Override
  public InputStream open(String name) throws IOException {
    Path p = new Path(root, name);
    FileSystem fs = p.getFileSystem(hadoop);
    if (!fs.exists(p)) {
      throw new io.dermsynth.core.BadInputException(p + " does not exist");
    }
    return new java.io.BufferedInputStream(fs.open(p), 1 << 16);
  }

  /** Writes beside the target, then renames over it: a process killed mid-write leaves the previous file. */
  @Override
  public void write(String name, byte[] bytes) throws IOException {
    CheckpointStore.writeStaged(this, name, bytes);
  }

  @Override
  public Staged create(String name) throws IOException {
    Path target = new Path(root, name);
    Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp");
    FileSystem fs = target.getFileSystem(hadoop);
    return new Staged(fs.create(tmp, true), () -> {
      fs.delete(target, false);
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot move " + tmp + " to " + target);
      }
    }, () -> fs.delete(tmp, false));
  }

  @Override
  public List<String> list(String dir) throws IOException {
    Path d = dir.isEmpty() ? root : new Path(root, dir);
    FileSystem fs = d.getFileSystem(hadoop);
    if (!fs.exists(d)) {
      return List.of();
    }
    return Arrays.stream(fs.listStatus(d)).map(st -> st.getPath().getName()).sorted().toList();
  }

  @Override
  public void delete(String name) throws IOException {
    Path p = new Path(root, name);
    p.getFileSystem(hadoop).delete(p, true);
  }
}
