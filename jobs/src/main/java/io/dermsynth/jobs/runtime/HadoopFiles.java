package io.dermsynth.jobs.runtime;

import io.dermsynth.core.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Files under the warehouse or a model store, on whatever Hadoop file system their URI names. */
public final class HadoopFiles {

  private HadoopFiles() {}

  public static OutputStream create(SparkSession spark, String uri) throws IOException {
    Path path = new Path(uri);
    return fs(spark, path).create(path, true);
  }

  public static InputStream open(SparkSession spark, String uri) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = fs(spark, path);
    if (!fs.exists(path)) {
      throw new BadInputException(uri + " does not exist");
    }
    return fs.open(path);
  }

  public static void write(SparkSession spark, String uri, byte[] bytes) throws IOException {
    try (OutputStream out = create(spark, uri)) {
      out.write(bytes);
    }
  }

  public static boolean exists(SparkSession spark, String uri) throws IOException {
    Path path = new Path(uri);
    return fs(spark, path).exists(path);
  }

  /** The file's bytes, or empty when there is no such file. */
  public static java.util.Optional<byte[]> readIfExists(SparkSession spark, String uri) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = fs(spark, path);
    if (!fs.exists(path)) {
      return java.util.Optional.empty();
    }
    try (InputStream in = fs.open(path)) {
      return java.util.Optional.of(in.readAllBytes());
    }
  }

  /**
   * Writes beside the target, then renames over it: a process killed mid-write leaves the previous
   * file intact.
   */
  public static void replace(SparkSession spark, String uri, byte[] bytes) throws IOException {
    io.dermsynth.udf.HadoopStore.replace(spark.sparkContext().hadoopConfiguration(), new Path(uri), bytes);
  }

  /** Names of the entries directly in a folder, sorted; empty when the folder does not exist. */
  public static java.util.List<String> list(SparkSession spark, String uri) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = fs(spark, path);
    if (!fs.exists(path)) {
      return java.util.List.of();
    }
    return java.util.Arrays.stream(fs.listStatus(path)).map(st -> st.getPath().getName()).sorted().toList();
  }

  /** Deletes a file or a folder with everything in it; nothing when it does not exist. */
  public static void delete(SparkSession spark, String uri) throws IOException {
    Path path = new Path(uri);
    fs(spark, path).delete(path, true);
  }

  private static FileSystem fs(SparkSession spark, Path path) throws IOException {
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
  }
}
