package io.dermsynth.udf;

import io.dermsynth.core.data.Hashing;
import io.dermsynth.core.data.ImageNormalizer;
import io.dermsynth.core.data.QuarantineReason;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads image files named in a column (any Hadoop FileSystem URI: file:, s3a:, dbfs:) on the executors
 * and appends the normalised working image as a struct (see {@link #OUTPUT_TYPE}). A file that cannot
 * be used gets {@code error_code}/{@code error_message} instead of pixels; nothing is thrown, so one
 * bad file never fails the task.
 *
 * <pre>{@code
 * Dataset<Row> out = new ImageLoader().setInputCol("path").setOutputCol("image").setSize(128).transform(df);
 * }</pre>
 */
public final class ImageLoader extends ColumnTransformer<ImageLoader> {

  private static final long serialVersionUID = 1L;

  /** The struct appended as {@code outputCol}. */
  public static final StructType OUTPUT_TYPE = new StructType(new StructField[] {
      DataTypes.createStructField("png", DataTypes.BinaryType, true),
      DataTypes.createStructField("width", DataTypes.IntegerType, true),
      DataTypes.createStructField("height", DataTypes.IntegerType, true),
      DataTypes.createStructField("source_width", DataTypes.IntegerType, true),
      DataTypes.createStructField("source_height", DataTypes.IntegerType, true),
      DataTypes.createStructField("source_format", DataTypes.StringType, true),
      DataTypes.createStructField("source_sha256", DataTypes.StringType, true),
      DataTypes.createStructField("pixel_sha256", DataTypes.StringType, true),
      DataTypes.createStructField("phash", DataTypes.LongType, true),
      DataTypes.createStructField("error_code", DataTypes.StringType, true),
      DataTypes.createStructField("error_message", DataTypes.StringType, true),
      DataTypes.createStructField("executor_id", DataTypes.StringType, false)});

  private final IntParam size;
  private final LongParam maxPixels;
  private final LongParam maxBytes;
  private final IntParam minSide;

  public ImageLoader() {
    this("imageLoader_" + UUID.randomUUID().toString().substring(0, 12));
  }

  public ImageLoader(String uid) {
    super(uid, "column holding the image file's path or URI", "path", "struct column to append", "image");
    size = new IntParam(this, "size", "side of the square working image in pixels",
        ParamValidators.inRange(8, 4096));
    maxPixels = new LongParam(this, "maxPixels", "largest declared width×height accepted",
        ParamValidators.gt(0));
    maxBytes = new LongParam(this, "maxBytes", "largest file read, checked before reading it",
        ParamValidators.gt(0));
    minSide = new IntParam(this, "minSide", "smallest accepted width or height", ParamValidators.gtEq(1));
    setDefault(size, 128);
    setDefault(maxPixels, 50_000_000L);
    setDefault(maxBytes, 64L << 20);
    setDefault(minSide, 16);
  }

  public IntParam size() {
    return size;
  }

  public LongParam maxPixels() {
    return maxPixels;
  }

  public IntParam minSide() {
    return minSide;
  }

  public LongParam maxBytes() {
    return maxBytes;
  }

  public ImageLoader setMaxBytes(long v) {
    set(maxBytes, v);
    return this;
  }

  public ImageLoader setSize(int v) {
    set(size, v);
    return this;
  }

  public ImageLoader setMaxPixels(long v) {
    set(maxPixels, v);
    return this;
  }

  public ImageLoader setMinSide(int v) {
    set(minSide, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    checkColumns(schema, DataTypes.StringType, "a string path");
    return schema.add($(outputCol()), OUTPUT_TYPE, false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema());
    SparkSession spark = dataset.sparkSession();
    Broadcast<Map<String, String>> conf = HadoopConf.broadcast(spark);
    int pathIndex = dataset.schema().fieldIndex($(inputCol()));
    ImageNormalizer.Options options = new ImageNormalizer.Options(
        (Integer) $(size), (Long) $(maxPixels), (Integer) $(minSide));
    return dataset.toDF().mapPartitions(new LoadPartition(conf, pathIndex, options, (Long) $(maxBytes)),
        Encoders.row(outSchema));
  }

  /** Runs on the executors: one normaliser and one Hadoop configuration per partition. */
  private record LoadPartition(Broadcast<Map<String, String>> conf, int pathIndex,
      ImageNormalizer.Options options, long maxBytes) implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      Configuration hadoop = HadoopConf.of(conf);
      String executor = SparkEnv.get().executorId();
      ImageNormalizer normalizer = new ImageNormalizer(options);
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          boolean more = rows.hasNext();
          if (!more) {
            normalizer.close();
          }
          return more;
        }

        @Override
        public Row next() {
          Row in = rows.next();
          Row image = load(in.getString(pathIndex), hadoop, normalizer, maxBytes, executor);
          List<Object> values = new ArrayList<>(in.size() + 1);
          for (int i = 0; i < in.size(); i++) {
            values.add(in.get(i));
          }
          values.add(image);
          return RowFactory.create(values.toArray());
        }
      };
    }

    private static Row load(String uri, Configuration hadoop, ImageNormalizer normalizer, long maxBytes,
        String executor) {
      byte[] bytes;
      try {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        // The size first: a file is read whole, and one of gigabytes (or a sparse one) must not be.
        long length = fs.getFileStatus(path).getLen();
        if (length > maxBytes) {
          return failed(null, QuarantineReason.IMAGE_TOO_LARGE, "file is " + length + " bytes; the limit is "
              + maxBytes + " (ingest.max_bytes)", executor);
        }
        try (InputStream in = fs.open(path)) {
          bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
        }
        if (bytes.length > maxBytes) {
          return failed(null, QuarantineReason.IMAGE_TOO_LARGE, "file grew past " + maxBytes
              + " bytes while read (ingest.max_bytes)", executor);
        }
      } catch (IOException | RuntimeException e) {
        rethrowIfKilled(e);
        return failed(null, QuarantineReason.READ_ERROR, "cannot read " + uri + ": " + e, executor);
      }
      String sha = Hashing.sha256Hex(bytes);
      try {
        ImageNormalizer.Outcome outcome = normalizer.normalize(bytes);
        if (outcome instanceof ImageNormalizer.Normalized ok) {
          return RowFactory.create(ok.png(), ok.size(), ok.size(), ok.sourceWidth(), ok.sourceHeight(),
              ok.sourceFormat(), sha, ok.pixelSha256(), ok.phash(), null, null, executor);
        }
        ImageNormalizer.Failed bad = (ImageNormalizer.Failed) outcome;
        return failed(sha, bad.reason(), bad.message(), executor);
      } catch (RuntimeException | Error e) {
        // Whatever one file does to a decoder (an Error too: a stack overflow, an array too large) is
        // that file's problem; the task goes on with the next file.
        rethrowIfKilled(e);
        return failed(sha, QuarantineReason.CORRUPT_IMAGE, "decoding failed: " + e, executor);
      }
    }

    private static Row failed(String sha, QuarantineReason reason, String message, String executor) {
      return RowFactory.create(null, null, null, null, null, null, sha, null, null, reason.name(), message,
          executor);
    }

    /** A task Spark killed (or an interrupted read) ends the task, as Spark expects; it is no bad file. */
    private static void rethrowIfKilled(Throwable e) {
      org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
      if (e instanceof org.apache.spark.TaskKilledException || e instanceof java.io.InterruptedIOException
          || (task != null && task.isInterrupted())) {
        throw e instanceof RuntimeException r ? r : new org.apache.spark.TaskKilledException("killed while reading");
      }
    }
  }
}
