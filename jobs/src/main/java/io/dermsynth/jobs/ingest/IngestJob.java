package io.dermsynth.jobs.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.KeepWithoutError;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.jobs.runtime.TableCatalog;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.data.ContentDuplicates;
import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.Diagnosis;
import io.dermsynth.core.data.LesionSplitter;
import io.dermsynth.core.data.LesionSplitter.Split;
import io.dermsynth.core.data.Manifest;
import io.dermsynth.core.data.QuarantineReason;
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
import org.apache.spark.storage.StorageLevel;
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
   * @param partitions decode partitions, 0 = enough for every core to get several (ingest.partitions = auto)
   * @param ratios train/val/test shares
   * @param splitSeed seed of the lesion order within each diagnosis
   */
  public record Options(int size, long maxPixels, long maxBytes, int minSide, int partitions,
      LesionSplitter.Ratios ratios, long splitSeed, ContentDuplicates duplicates) {

    public static Options from(Settings settings) {
      ConfigReader r = ConfigReader.of(settings, "ingest");
      ContentDuplicates.Policy policy = ContentDuplicates.Policy.parse(r.oneOf("duplicates",
          List.of("group", "quarantine")));
      int radius = r.intOrWord("near_duplicate_radius", "off", 0, 16).orElse(ContentDuplicates.OFF);
      return new Options(r.atLeast("size", 8), r.longValue("max_pixels"), settings.config().getBytes("ingest.max_bytes"),
          r.atLeast("min_side", 1), r.intOrAuto("partitions", 1).orElse(0), new LesionSplitter.Ratios(
              r.fraction("split.train"), r.fraction("split.val"), r.fraction("split.test")), r.longValue("split.seed"),
          new ContentDuplicates(policy, radius));
    }
  }

  /** What one ingest did. */
  /**
   * @param duplicates new images that are copies of a stored or another new image (by file or pixel hash)
   * @param nearDuplicates of those, copies by perceptual hash only
   * @param lesionsGrouped new lesions placed with another lesion's split group because of a copy
   */
  public record Result(String runId, String dataset, int listed, int listingRejected,
      int alreadyStored, long imagesAdded, long quarantineAdded, long duplicates, long nearDuplicates,
      long lesionsGrouped, List<String> executors, double seconds) implements JobResult {

    /** What was added, quarantined, already there, and copied. */
    @Override
    public String summary() {
      return String.format(java.util.Locale.ROOT, "%d images added, %d quarantine rows added, %d already stored, "
          + "%d copies of another image (%d near, %d lesions grouped with a copy's), %.1f s", imagesAdded,
          quarantineAdded, alreadyStored, duplicates, nearDuplicates, lesionsGrouped, seconds);
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("dataset", dataset);
      m.put("listed", String.valueOf(listed));
      m.put("listing_rejected", String.valueOf(listingRejected));
      m.put("already_stored", String.valueOf(alreadyStored));
      m.put("images_added", String.valueOf(imagesAdded));
      m.put("quarantine_added", String.valueOf(quarantineAdded));
      m.put("duplicates", String.valueOf(duplicates));
      m.put("near_duplicates", String.valueOf(nearDuplicates));
      m.put("lesions_grouped", String.valueOf(lesionsGrouped));
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
      .add("source_path", DataTypes.StringType, false);

  private static final StructType PLACED_SCHEMA = new StructType()
      .add("image_id", DataTypes.StringType, false)
      .add("split", DataTypes.StringType, false)
      .add("duplicate_of", DataTypes.StringType, true);

  private IngestJob() {}

  /** The URI the executors read a record's file by, and quarantine names it by. */
  private static String sourceUri(SourceRecord r) {
    return new File(r.sourcePath()).toURI().toString();
  }

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
    Stored stored = Stored.read(ctx.tables());
    List<SourceRecord> fresh = manifest.records().stream()
        .filter(r -> !stored.ids().contains(r.imageId())).toList();
    // Failed rows are taken out on the executors and come back through an accumulator (few rows).
    CollectionAccumulator<Row> failures = ctx.spark().sparkContext().collectionAccumulator("ingest failures");
    CollectionAccumulator<String> executorIds = ctx.spark().sparkContext().collectionAccumulator("ingest executors");
    Dataset<Row> decoded = decode(ctx, runId, opt, fresh, failures, executorIds);
    try {
      List<ContentDuplicates.Image> freshKeys = new ArrayList<>(fresh.size());
      for (Row r : decoded.select("image_id", "lesion_id", "source_sha256", "pixel_sha256", "phash").collectAsList()) {
        freshKeys.add(new ContentDuplicates.Image(r.getString(0), r.getString(1), null, r.getString(2),
            r.getString(3), r.isNullAt(4) ? null : r.getLong(4)));
      }
      long tDecoded = System.nanoTime();
      Placement placement = Placement.of(opt, runId, stored, fresh, freshKeys);
      long tSplit = System.nanoTime();
      long imagesAdded = ctx.tables().insertNew(Tables.IMAGES, imageRows(ctx, runId, decoded, placement.rows()),
          "image_id");
      long tImages = System.nanoTime();
      long quarantineAdded = quarantine(ctx, runId, failures, placement.duplicateRows(), manifest);
      List<String> executors = new java.util.TreeSet<>(executorIds.value()).stream().toList();
      LOG.info("ingest {} phases (s): listing {}, decode {}, duplicates+splits {}, images {}, quarantine {}", runId,
          sec(tListed - t0), sec(tDecoded - tListed), sec(tSplit - tDecoded), sec(tImages - tSplit),
          sec(System.nanoTime() - tImages));
      LOG.info("ingest {}: {} images added, {} quarantine rows added, {} already stored, {} copies ({} near), "
          + "{} lesions grouped with a copy's, {} s, executors {}", runId, imagesAdded, quarantineAdded,
          manifest.records().size() - fresh.size(), placement.duplicates(), placement.near(), placement.grouped(),
          sec(System.nanoTime() - t0), executors);
      return new Result(runId, fmt.cliName, manifest.records().size(), manifest.rejections().size(),
          manifest.records().size() - fresh.size(), imagesAdded, quarantineAdded, placement.duplicates(),
          placement.near(), placement.grouped(), executors, (System.nanoTime() - t0) / 1e9);
    } finally {
      decoded.unpersist();
    }
  }

  /**
   * The fresh files decoded on the executors, kept (memory, then disk) while the driver places them:
   * copies are known only once every file is hashed, and a copy must share its split; nothing is
   * decoded twice.
   */
  private static Dataset<Row> decode(JobContext ctx, String runId, Options opt, List<SourceRecord> fresh,
      CollectionAccumulator<Row> failures, CollectionAccumulator<String> executorIds) {
    List<Row> sourceRows = new ArrayList<>(fresh.size());
    for (SourceRecord r : fresh) {
      sourceRows.add(RowFactory.create(r.imageId(), r.lesionId(), r.dataset(), r.dx().code,
          r.dxType(), r.age(), r.sex(), r.localization(), r.extra(), sourceUri(r)));
    }
    int parallelism = ctx.spark().sparkContext().defaultParallelism();
    int partitions = opt.partitions() > 0 ? opt.partitions()
        : Math.max(2 * parallelism, (fresh.size() + 999) / 1000);
    Dataset<Row> loaded = new ImageLoader()
        .setInputCol("source_path").setOutputCol("image")
        .setSize(opt.size()).setMaxPixels(opt.maxPixels()).setMaxBytes(opt.maxBytes()).setMinSide(opt.minSide())
        .transform(ctx.spark().createDataFrame(sourceRows, SOURCE_SCHEMA).repartition(partitions));
    return loaded.filter(new KeepWithoutError(loaded.schema(), "image", ImageLoader.OUTPUT_TYPE,
        "source_path", "ingest", runId, failures, executorIds)).select(
        col("image_id"), col("lesion_id"), col("dataset"), col("dx"), col("dx_type"),
        col("age"), col("sex"), col("localization"), col("metadata"),
        col("image.width").as("width"), col("image.height").as("height"),
        col("image.png").as("png"), col("source_path"),
        col("image.source_sha256").as("source_sha256"),
        col("image.pixel_sha256").as("pixel_sha256"),
        col("image.phash").as("phash"),
        col("image.source_width").as("source_width"),
        col("image.source_height").as("source_height"),
        col("image.source_format").as("source_format"),
        col("image.executor_id").as("ingest_executor"))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** The `images` rows: the decoded images that were placed, with their split. */
  private static Dataset<Row> imageRows(JobContext ctx, String runId, Dataset<Row> decoded, List<Row> placedRows) {
    return decoded.join(ctx.spark().createDataFrame(placedRows, PLACED_SCHEMA), "image_id").select(
        col("image_id"), col("lesion_id"), col("dataset"), col("dx"), col("dx_type"),
        col("age"), col("sex"), col("localization"), col("metadata"), col("split"),
        col("width"), col("height"), col("png"), col("source_path"), col("source_sha256"), col("pixel_sha256"),
        col("phash"), col("duplicate_of"), col("source_width"), col("source_height"), col("source_format"),
        lit(runId).as("run_id"), current_timestamp().as("ingested_at"), col("ingest_executor"));
  }

  /**
   * Where the fresh images go: a copy of a stored or fresh image is quarantined or grouped with it (so it
   * shares its split), the others are split by lesion.
   */
  private record Placement(Map<String, ContentDuplicates.Decision> decisions, Map<String, SourceRecord> byId,
      List<SourceRecord> placed, List<Row> duplicateRows, List<Row> rows) {

    static Placement of(Options opt, String runId, Stored stored, List<SourceRecord> fresh,
        List<ContentDuplicates.Image> freshKeys) {
      Map<String, ContentDuplicates.Decision> decisions = opt.duplicates().decide(stored.keys(), freshKeys);
      Map<String, SourceRecord> byId = new HashMap<>();
      fresh.forEach(r -> byId.put(r.imageId(), r));
      List<SourceRecord> placed = new ArrayList<>();
      List<Row> duplicateRows = new ArrayList<>();
      decisions.values().forEach(d -> {
        SourceRecord r = byId.get(d.imageId());
        if (d.quarantine() != null) {
          duplicateRows.add(RowFactory.create(sourceUri(r), d.imageId(),
              QuarantineReason.DUPLICATE_CONTENT.name(), d.quarantine(), "ingest", runId));
        } else {
          placed.add(r.withLesionId(d.splitGroup()));
        }
      });
      Map<String, Split> splits = new LesionSplitter(opt.ratios(), opt.splitSeed())
          .assign(placed, stored.lesions(), stored.counts());
      List<Row> rows = new ArrayList<>(placed.size());
      for (SourceRecord r : placed) {
        rows.add(RowFactory.create(r.imageId(), splits.get(r.lesionId()).label(),
            decisions.get(r.imageId()).duplicateOf()));
      }
      return new Placement(decisions, byId, placed, duplicateRows, rows);
    }

    long duplicates() {
      return decisions.values().stream().filter(d -> d.duplicateOf() != null).count();
    }

    long near() {
      return decisions.values().stream().filter(ContentDuplicates.Decision::near).count();
    }

    /** Lesions grouped with a copy's (their images now share another lesion's split). */
    long grouped() {
      return placed.stream().filter(r -> !r.lesionId().equals(byId.get(r.imageId()).lesionId()))
          .map(r -> byId.get(r.imageId()).lesionId()).distinct().count();
    }
  }


  /** Decode failures, copies and listing problems → `quarantine`, one row per (source, reason). */
  private static long quarantine(JobContext ctx, String runId, CollectionAccumulator<Row> failures,
      List<Row> duplicates, Manifest manifest) {
    Tables tables = ctx.tables();
    // A retried task reports its failures again.
    Map<String, Row> rows = new LinkedHashMap<>();
    for (Row r : failures.value()) {
      rows.putIfAbsent(r.getString(0) + "|" + r.getString(2), r);
    }
    for (Row r : duplicates) {
      rows.putIfAbsent(r.getString(0) + "|" + r.getString(2), r);
    }
    for (Rejection r : manifest.rejections()) {
      rows.putIfAbsent(r.source() + "|" + r.reason().name(), RowFactory.create(r.source(),
          r.imageId(), r.reason().name(), r.message(), "ingest", runId));
    }
    if (rows.isEmpty() && tables.exists(Tables.QUARANTINE)) {
      return 0;
    }
    return tables.insertNew(Tables.QUARANTINE, ctx.spark()
        .createDataFrame(new ArrayList<>(rows.values()), TableCatalog.schemaWithout(Tables.QUARANTINE, "quarantined_at"))
        .withColumn("quarantined_at", current_timestamp()), "source", "reason_code");
  }

  /** What `images` already holds: ids, each lesion's split, images per diagnosis and split, content keys. */
  private record Stored(Set<String> ids, Map<String, Split> lesions, Map<Diagnosis, Map<Split, Long>> counts,
      List<ContentDuplicates.Image> keys) {

    static Stored read(Tables tables) {
      Stored s = new Stored(new HashSet<>(), new HashMap<>(), new EnumMap<>(Diagnosis.class), new ArrayList<>());
      if (!tables.exists(Tables.IMAGES)) {
        return s;
      }
      Dataset<Row> images = tables.read(Tables.IMAGES);
      Set<String> columns = Set.of(images.columns());
      // Rows stored before pixel and perceptual hashes were kept read null there.
      Dataset<Row> keys = images.select(col("image_id"), col("lesion_id"), col("dx"), col("split"),
          col("source_sha256"),
          columns.contains("pixel_sha256") ? col("pixel_sha256") : lit(null).cast("string"),
          columns.contains("phash") ? col("phash") : lit(null).cast("long"));
      for (Row r : keys.collectAsList()) {
        Split split = Split.parse(r.getString(3));
        s.ids().add(r.getString(0));
        s.lesions().put(r.getString(1), split);
        Diagnosis.parse(r.getString(2)).ifPresent(dx -> s.counts()
            .computeIfAbsent(dx, k -> new EnumMap<>(Split.class)).merge(split, 1L, Long::sum));
        s.keys().add(new ContentDuplicates.Image(r.getString(0), r.getString(1), split, r.getString(4),
            r.getString(5), r.isNullAt(6) ? null : r.getLong(6)));
      }
      return s;
    }
  }
}
