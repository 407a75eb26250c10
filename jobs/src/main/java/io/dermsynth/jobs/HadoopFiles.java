package io.dermsynth.jobs;

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
      throw new IOException(uri + " does not exist");
    }
    return fs.open(path);
  }

  public static void write(SparkSession spark, String uri, byte[] bytes) throws IOException {
    try (OutputStream out = create(spark, uri)) {
      out.write(bytes);
    }
  }

  private static FileSystem fs(SparkSession spark, Path path) throws IOException {
    return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
  }
}
