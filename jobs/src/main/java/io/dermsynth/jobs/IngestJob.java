package io.dermsynth.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import com.typesafe.config.Config;
import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.Diagnosis;
import io.dermsynth.core.data.LesionSplitter;
import io.dermsynth.core.data.LesionSplitter.Split;
import io.dermsynth.core.data.Manifest;
import io.dermsynth.core.data.Rejection;
import io.dermsynth.core.data.SourceRecord;
import io.dermsynth.udf.ImageLoader;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 1, ingest: a dataset folder → Delta {@code images} (normalised PNG, metadata, lesion-grouped
 * split) and {@code quarantine} (every file or row that could not be used, with its reason).
 *
 * <p>Listing and split assignment happen on the driver (they need the whole picture); reading, decoding
 * and encoding happen on the executors. Re-running adds only images whose id is not stored yet, and
 * stored lesions keep their split.
 */
public final class IngestJob {

  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  /**
   * @param size side of the square working image
   * @param maxPixels largest declared width × height decoded
   * @param maxBytes largest file read (its size is checked before reading)
   * @param minSide smallest accepted width or height
   * @param partitions decode partitions, 0 = automatic
   * @param ratios train/val/test shares
   * @param splitSeed seed of the lesion order within each diagnosis
   */
  public record Options(int size, long maxPixels, long maxBytes, int minSide, int partitions,
      LesionSplitter.Ratios ratios, long splitSeed) {

    public static Options from(Settings settings) {
      Config c = settings.config().getConfig("ingest");
      return new Options(c.getInt("size"), c.getLong("max_pixels"), c.getBytes("max_bytes"), c.getInt("min_side"),
          c.getInt("partitions"), new LesionSplitter.Ratios(c.getDouble("split.train"),
              c.getDouble("split.val"), c.getDouble("split.test")), c.getLong("split.seed"));
    }
  }

  /** What one ingest did. */
  public record Result(String runId, String dataset, int listed, int listingRejected,
      int alreadyStored, long imagesAdded, long quarantineAdded, List<String> executors,
      double seconds) implements JobResult {

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("dataset", dataset);
      m.put("listed", String.valueOf(listed));
      m.put("listing_rejected", String.valueOf(listingRejected));
      m.put("already_stored", String.valueOf(alreadyStored));
      m.put("images_added", String.valueOf(imagesAdded));
      m.put("quarantine_added", String.valueOf(quarantineAdded));
      m.put("executors", String.join(",", executors));
      m.put("seconds", String.format(java.util.Locale.ROOT, "%.2f", seconds));
      return m;
    }
  }

  static final StructType SOURCE_SCHEMA = new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("lesion_id", DataTypes.StringType, false)
      .add("dataset", DataTypes.StringType, false)
      .add("dx", DataTypes.StringType, false)
      .add("dx_type", DataTypes.StringType, true)
      .add("age", DataTypes.DoubleType, true)
      .add("sex", DataTypes.StringType, true)
      .add("localization", DataTypes.StringType, true)
      .add("metadata", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
      .add("split", DataTypes.StringType, false)
      .add("source_path", DataTypes.StringType, false);

  static final StructType QUARANTINE_SCHEMA = new StructType()
      .add("source", DataTypes.StringType, false)
      .add("image_id", DataTypes.StringType, true)
      .add("reason_code", DataTypes.StringType, false)
      .add("message", DataTypes.StringType, false)
      .add("stage", DataTypes.StringType, false)
      .add("run_id", DataTypes.StringType, false);

  private IngestJob() {}

  private static String sec(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e9);
  }

  /**
   * @param format the layout, or null to detect it
   */
  public static Result run(JobContext ctx, Path data, DatasetFormat format) throws Exception {
    return Runs.record(ctx, "ingest", runId -> ingest(ctx, runId, data, format));
  }

  private static Result ingest(JobContext ctx, String runId, Path data, DatasetFormat format)
      throws Exception {
    long t0 = System.nanoTime();
    Options opt = Options.from(ctx.settings());
    DatasetFormat fmt = format != null ? format : DatasetFormat.detect(data);
    Manifest manifest = fmt.reader().read(data);
    LOG.info("{}: {} listed images, {} listing problems in {}", fmt.cliName,
        manifest.records().size(), manifest.rejections().size(), data);

    long tListed = System.nanoTime();
    Tables tables = ctx.tables();
    Set<String> storedIds = new HashSet<>();
    Map<String, Split> storedLesions = new HashMap<>();
    Map<Diagnosis, Map<Split, Long>> storedCounts = new EnumMap<>(Diagnosis.class);
    if (tables.exists(Tables.IMAGES)) {
      for (Row r : tables.read(Tables.IMAGES).select("image_id", "lesion_id", "dx", "split")
          .collectAsList()) {
        storedIds.add(r.getString(0));
        Split split = Split.parse(r.getString(3));
        storedLesions.put(r.getString(1), split);
        Diagnosis.parse(r.getString(2)).ifPresent(dx -> storedCounts
            .computeIfAbsent(dx, k -> new EnumMap<>(Split.class)).merge(split, 1L, Long::sum));
      }
    }
    List<SourceRecord> fresh = manifest.records().stream()
        .filter(r -> !storedIds.contains(r.imageId())).toList();
    Map<String, Split> splits = new LesionSplitter(opt.ratios(), opt.splitSeed())
        .assign(fresh, storedLesions, storedCounts);

    List<Row> sourceRows = new ArrayList<>(fresh.size());
    for (SourceRecord r : fresh) {
      sourceRows.add(RowFactory.create(r.imageId(), r.lesionId(), r.dataset(), r.dx().code,
          r.dxType(), r.age(), r.sex(), r.localization(), r.extra(),
          splits.get(r.lesionId()).label(), new File(r.sourcePath()).toURI().toString()));
    }
    long tSplit = System.nanoTime();
    int parallelism = ctx.spark().sparkContext().defaultParallelism();
    int partitions = opt.partitions() > 0 ? opt.partitions()
        : Math.max(2 * parallelism, (fresh.size() + 999) / 1000);
    // One pass: decoded rows go to `images`; failed ones are taken out on the executors and come back
    // through an accumulator (few rows), so nothing is cached and nothing is decoded twice.
    CollectionAccumulator<Row> failures = ctx.spark().sparkContext().collectionAccumulator("ingest failures");
    CollectionAccumulator<String> executorIds = ctx.spark().sparkContext().collectionAccumulator("ingest executors");
    Dataset<Row> loaded = new ImageLoader()
        .setInputCol("source_path").setOutputCol("image")
        .setSize(opt.size()).setMaxPixels(opt.maxPixels()).setMaxBytes(opt.maxBytes()).setMinSide(opt.minSide())
        .transform(ctx.spark().createDataFrame(sourceRows, SOURCE_SCHEMA).repartition(partitions));
    Dataset<Row> good = loaded.filter(new KeepWithoutError(loaded.schema(), "image", ImageLoader.OUTPUT_TYPE,
        "source_path", "ingest", runId, failures, executorIds)).select(
        col("image_id"), col("lesion_id"), col("dataset"), col("dx"), col("dx_type"),
        col("age"), col("sex"), col("localization"), col("metadata"), col("split"),
        col("image.width").as("width"), col("image.height").as("height"),
        col("image.png").as("png"), col("source_path"),
        col("image.source_sha256").as("source_sha256"),
        col("image.source_width").as("source_width"),
        col("image.source_height").as("source_height"),
        col("image.source_format").as("source_format"),
        lit(runId).as("run_id"), current_timestamp().as("ingested_at"),
        col("image.executor_id").as("ingest_executor"));
    long imagesAdded = tables.insertNew(Tables.IMAGES, good, "image_id");
    long tImages = System.nanoTime();

    // A retried task reports its failures again: keep one row per (source, reason).
    Map<String, Row> quarantineRows = new LinkedHashMap<>();
    for (Row r : failures.value()) {
      quarantineRows.putIfAbsent(r.getString(0) + "|" + r.getString(2), r);
    }
    for (Rejection r : manifest.rejections()) {
      quarantineRows.putIfAbsent(r.source() + "|" + r.reason().name(), RowFactory.create(r.source(),
          r.imageId(), r.reason().name(), r.message(), "ingest", runId));
    }
    long quarantineAdded = 0;
    if (!quarantineRows.isEmpty() || !tables.exists(Tables.QUARANTINE)) {
      quarantineAdded = tables.insertNew(Tables.QUARANTINE, ctx.spark()
          .createDataFrame(new ArrayList<>(quarantineRows.values()), QUARANTINE_SCHEMA)
          .withColumn("quarantined_at", current_timestamp()), "source", "reason_code");
    }
    long tQuarantine = System.nanoTime();

    List<String> executors = new java.util.TreeSet<>(executorIds.value()).stream().toList();
    double seconds = (System.nanoTime() - t0) / 1e9;
    LOG.info("ingest {} phases (s): listing {}, splits {}, decode+images {}, quarantine {}",
        runId, sec(tListed - t0), sec(tSplit - tListed), sec(tImages - tSplit), sec(tQuarantine - tImages));
    LOG.info("ingest {}: {} images added, {} quarantine rows added, {} already stored, {} s, executors {}",
        runId, imagesAdded, quarantineAdded, manifest.records().size() - fresh.size(),
        sec(System.nanoTime() - t0), executors);
    return new Result(runId, fmt.cliName, manifest.records().size(), manifest.rejections().size(),
        manifest.records().size() - fresh.size(), imagesAdded, quarantineAdded, executors, seconds);
  }
}
