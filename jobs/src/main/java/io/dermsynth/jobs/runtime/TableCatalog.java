package io.dermsynth.jobs.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Every table's columns, declared once with their types and what each holds: every write goes through
 * {@link #conformed} (the declared columns, in order, of the declared types), rows made on the driver
 * take {@link #schema}, and the comments are written to Delta as column comments when
 * a table is created ({@code DESCRIBE images} shows them; Unity Catalog and Databricks' Catalog
 * Explorer too), and PNG columns annotated with {@code spark.contentAnnotation} = image/png so that
 * Databricks' {@code display()} shows them as thumbnails. A job writing a column this catalogue does not
 * declare, or of another type, is a bug: the write fails, naming the column.
 */
public final class TableCatalog {

  /** The metadata key Databricks' display() reads to show binary columns as images. */
  static final String CONTENT_ANNOTATION = "spark.contentAnnotation";

  /** A declared column: its Spark type, whether it may be null, what it holds. */
  private record Declared(DataType type, boolean nullable, String comment) {}

  private static final Map<String, Map<String, Declared>> TABLES = new LinkedHashMap<>();
  private static final List<String> PNG = List.of("png");

  static {
    table(Tables.IMAGES,
        "image_id", "string not null", "The image's id in its dataset (HAM10000: ISIC_…); the key",
        "lesion_id", "string not null", "The lesion it shows; splits keep a lesion's images together (a copy joins its original's lesion)",
        "dataset", "string not null", "Which dataset the image came from (ham10000, isic, folders, labels-csv)",
        "dx", "string not null", "Diagnosis: akiec, bcc, bkl, df, mel, nv or vasc",
        "dx_type", "string", "How the diagnosis was made (histo, follow_up, consensus, confocal), when the dataset says",
        "age", "double", "Patient age, when the dataset says",
        "sex", "string", "Patient sex, when the dataset says",
        "localization", "string", "Body site, when the dataset says",
        "metadata", "map<string,string>", "The source row's other fields",
        "split", "string not null", "train, val or test, by lesion",
        "width", "int not null", "Working image width (px)",
        "height", "int not null", "Working image height (px)",
        "png", "binary not null", "The working image: centre-cropped, resized to ingest.size, PNG",
        "source_path", "string not null", "Where the file was read (file:, s3a:, dbfs:)",
        "source_sha256", "string not null", "SHA-256 of the file's bytes",
        "pixel_sha256", "string not null", "SHA-256 of the decoded working pixels (equal for re-encoded copies)",
        "phash", "bigint not null", "64-bit perceptual hash, for near copies",
        "duplicate_of", "string", "The image this one copies, when it is a copy kept in its original's split",
        "source_width", "int", "The file's width (px)",
        "source_height", "int", "The file's height (px)",
        "source_format", "string", "The file's format (jpeg, png, bmp, …)",
        "run_id", "string not null", "The ingest run that added the row",
        "ingested_at", "timestamp not null", "When it was added",
        "ingest_executor", "string", "The Spark executor that decoded it");
    table(Tables.QUARANTINE,
        "source", "string not null", "What could not be used: a file, a csv row, or a synth_id",
        "image_id", "string", "Its image id, when known",
        "reason_code", "string not null", "Why, as a code (CORRUPT_IMAGE, TRUNCATED_JPEG, DUPLICATE_CONTENT, …)",
        "message", "string not null", "Why, in words",
        "stage", "string not null", "The stage that set it aside (ingest, invert, augment)",
        "run_id", "string not null", "The run that set it aside",
        "quarantined_at", "timestamp not null", "When");
    table(Tables.LATENTS,
        "image_id", "string not null", "The inverted image (images.image_id)",
        "lesion_id", "string not null", "Its lesion",
        "dx", "string not null", "Its diagnosis",
        "split", "string not null", "Its split",
        "inverter_version", "string not null", "Hash of the inverter's weights (i-…); with image_id, the key",
        "method", "string not null", "encoder (e4e), hyperstyle (e4e + HyperStyle offsets) or optimised (+ latent optimisation)",
        "w_plus", "binary not null", "W+ code: num_ws × w_dim float32, little-endian",
        "num_ws", "int not null", "Rows of W+ (one per style input)",
        "w_dim", "int not null", "Width of W",
        "offsets", "binary", "HyperStyle weight offsets of the tuned layers, float32 (empty for encoder)",
        "offset_layers", "array<string>", "The layers the offsets belong to, in order",
        "l2", "double", "Mean squared pixel error of the reconstruction ([-1, 1] scale)",
        "lpips", "double", "LPIPS of the reconstruction to the image",
        "inverter_path", "string not null", "The inverter's model folder",
        "run_id", "string not null", "The invert run that wrote the row",
        "created_at", "timestamp not null", "When");
    table(Tables.DIRECTIONS,
        "direction_id", "string not null", "The direction's id (hash of generator, layers and rank); the key",
        "generator_version", "string not null", "Hash of the generator's weights (g-…) whose style weights were factorised",
        "rank", "int not null", "0 = the largest eigenvalue",
        "eigenvalue", "double not null", "SeFa's eigenvalue: how much the layers' styles change along it",
        "w_std", "double not null", "Spread of W along the direction: the unit of augment's alphas (alpha_unit w_std)",
        "vector", "array<float> not null", "The unit direction in W, float32",
        "layers", "array<string> not null", "The layers whose style weights were factorised",
        "w_indices", "array<int> not null", "The W+ rows the direction moves",
        "layer_selection", "string not null", "How the layers were chosen (all, coarse, middle, fine, or a list)",
        "model_path", "string not null", "The model folder factorised",
        "run_id", "string not null", "The factorize run",
        "created_at", "timestamp not null", "When");
    table(Tables.DIRECTION_REVIEWS,
        "direction_id", "string not null", "The reviewed direction (directions.direction_id)",
        "decision", "string not null", "approved or rejected; the latest row of a direction is in force",
        "name", "string", "The reviewer's name for what it changes",
        "alpha_min", "double", "Smallest alpha approved",
        "alpha_max", "double", "Largest alpha approved",
        "note", "string", "The reviewer's note",
        "reviewer", "string not null", "Who decided",
        "decided_at", "timestamp not null", "When",
        "generator_version", "string not null", "The generator the direction belongs to",
        "run_id", "string not null", "The review session (or demo run) that recorded it",
        "alpha_unit", "string", "The unit of alpha_min/alpha_max (w_std or raw)");
    table(Tables.SYNTHETIC,
        "synth_id", "string not null", "Hash of (source, inverter, direction, alpha, render, inversion method); the key",
        "image_id", "string not null", "The real training image edited",
        "lesion_id", "string not null", "Its lesion (every synthetic image inherits its source's)",
        "dx", "string not null", "Its diagnosis, inherited",
        "direction_id", "string not null", "The direction edited along",
        "alpha", "double not null", "The edit's strength, in alpha_unit",
        "alpha_unit", "string not null", "w_std (alpha × the direction's spread of W) or raw",
        "generator_version", "string not null", "The generator that rendered it",
        "inverter_version", "string not null", "The inverter whose latent was edited",
        "inverter_path", "string not null", "The inverter's model folder",
        "render", "string not null", "generator (the generator's image) or residual (the source plus the edit's change)",
        "inversion_method", "string not null", "The latent's inversion method",
        "png", "binary not null", "The synthetic image, PNG",
        "lpips", "double", "LPIPS to the source image",
        "lpips_ok", "boolean", "lpips within augment.lpips_threshold (the paper's 0.2)",
        "lpips_recon", "double", "LPIPS to the unedited (alpha 0) render",
        "label_probability", "double", "The label judge's probability of the inherited dx",
        "label_kept", "boolean", "Whether the judge's arg-max is still the inherited dx",
        "predicted_dx", "string", "The judge's arg-max",
        "classifier_path", "string", "The label judge's model folder",
        "direction_source", "string not null", "approved (direction_reviews) or all_top_k (unattended, no reviewer)",
        "run_id", "string not null", "The augment run that wrote it",
        "executor_id", "string", "The Spark executor that rendered it",
        "task_gpu", "string", "The GPU Spark gave the task, if any",
        "device", "string", "The device it ran on",
        "created_at", "timestamp not null", "When");
    table(Tables.EVALUATIONS,
        "run_id", "string not null", "The evaluate run; the key",
        "arm", "string not null", "The experiment arm (or classifier.arm) of the model",
        "model_path", "string not null", "The model folder scored",
        "model_run_id", "string", "The train-classifier run that made it",
        "test_set", "string not null", "images:test, or the folder scored",
        "n_images", "bigint not null", "Test images",
        "n_lesions", "bigint not null", "Test lesions (the bootstrap resamples lesions)",
        "classes", "array<string> not null", "The model's classes, in order",
        "balanced_accuracy", "double not null", "Mean recall over the classes present",
        "balanced_accuracy_ci_low", "double", "95% bootstrap interval, lower end",
        "balanced_accuracy_ci_high", "double", "95% bootstrap interval, upper end",
        "auc_macro", "double", "One-vs-rest ROC AUC averaged over the classes present",
        "auc_macro_ci_low", "double", "95% bootstrap interval, lower end",
        "auc_macro_ci_high", "double", "95% bootstrap interval, upper end",
        "accuracy", "double not null", "Share of test images right",
        "recall", "map<string,double> not null", "Per class",
        "precision", "map<string,double> not null", "Per class",
        "f1", "map<string,double> not null", "Per class",
        "auc", "map<string,double> not null", "Per class, one vs rest",
        "support", "map<string,bigint> not null", "Test images per class",
        "confusion", "array<array<bigint>> not null", "Counts, rows the true class, columns the predicted",
        "evaluated_at", "timestamp not null", "When",
        "experiment_id", "string", "The experiment that trained the model, if any",
        "seed", "bigint", "The arm's training seed, if an experiment's",
        "arm_policy", "string", "The arm's training set in words: which synthetic images, render, gate, allocation");
    table(Tables.RUNS,
        "run_id", "string not null", "The run (yyyyMMdd-HHmmss-random); the key",
        "command", "string not null", "The command (ingest, train-gan, …, pipeline, demo)",
        "status", "string not null", "succeeded, failed, or partial (a time budget stopped it; rerun to go on)",
        "started_at", "timestamp not null", "When it started",
        "finished_at", "timestamp not null", "When it ended",
        "config", "string not null", "The resolved settings, secrets masked",
        "config_path", "string not null", "Where the settings file lies",
        "metrics", "map<string,string>", "The run's figures",
        "error", "string", "What failed, when it failed",
        "seeds", "map<string,string>", "The seeds in effect",
        "content_hashes", "map<string,string>", "Content hash of the rows each table got (equal hashes: equal rows)",
        "cpu_seconds", "double", "CPU time of the job's JVM during the run: all of it in local mode, where the executors "
            + "are that JVM's threads; on a cluster the driver's share only");
    table(Tables.GAN_SAMPLES,
        "model_path", "string not null", "The generator's model folder",
        "snapshot", "string not null", "The snapshot sampled",
        "seed", "bigint not null", "The latent's seed",
        "truncation_psi", "float not null", "Truncation ψ (1: none)",
        "noise_mode", "string not null", "const, random or none",
        "png", "binary not null", "The generated image, PNG",
        "run_id", "string not null", "The sample run",
        "created_at", "timestamp not null", "When");
  }

  private TableCatalog() {}

  /** @param columns name, type (Spark DDL, "not null" when it may not be null), comment; repeated */
  private static void table(String name, String... columns) {
    Map<String, Declared> declared = new LinkedHashMap<>();
    for (int i = 0; i < columns.length; i += 3) {
      String type = columns[i + 1];
      boolean notNull = type.endsWith(" not null");
      declared.put(columns[i], new Declared(DataType.fromDDL(notNull ? type.substring(0, type.length() - 9) : type),
          !notNull, columns[i + 2]));
    }
    TABLES.put(name, declared);
  }

  /** The table's declared columns, in order. */
  public static List<String> columns(String table) {
    return new ArrayList<>(declared(table).keySet());
  }

  /** The column's comment. */
  public static String comment(String table, String column) {
    return declared(table).get(column).comment();
  }

  /** The table's schema, for rows made on the driver. */
  public static StructType schema(String table) {
    return schemaWithout(table);
  }

  /** The table's schema less {@code later} columns (e.g. run_id and a timestamp, added to all rows at once). */
  public static StructType schemaWithout(String table, String... later) {
    List<String> skip = List.of(later);
    StructType out = new StructType();
    for (var e : declared(table).entrySet()) {
      if (!skip.contains(e.getKey())) {
        out = out.add(e.getKey(), e.getValue().type(), e.getValue().nullable());
      }
    }
    return out;
  }

  /**
   * {@code rows} as the table declares them: its columns in the declared order, a nullable column the
   * rows lack as null. Fails naming the column when the rows carry one the table does not declare, lack
   * one that may not be null, or hold one of another type.
   *
   * @param create also write each column's comment (and PNG annotation), for the write that creates it
   */
  static Dataset<Row> conformed(String table, Dataset<Row> rows, boolean create) {
    Map<String, Declared> declared = declared(table);
    List<String> undeclared = java.util.Arrays.stream(rows.columns()).filter(c -> !declared.containsKey(c)).toList();
    if (!undeclared.isEmpty()) {
      throw new IllegalStateException("table " + table + ": columns " + undeclared + " are not declared in "
          + "TableCatalog; declared: " + declared.keySet());
    }
    Map<String, DataType> given = new LinkedHashMap<>();
    for (StructField f : rows.schema().fields()) {
      given.put(f.name(), f.dataType());
    }
    List<Column> cols = new ArrayList<>();
    for (var e : declared.entrySet()) {
      String name = e.getKey();
      Declared d = e.getValue();
      DataType type = given.get(name);
      Column c;
      if (type == null) {
        if (!d.nullable()) {
          throw new IllegalStateException("table " + table + ": column " + name + " (" + d.type().catalogString()
              + ", not null) is missing");
        }
        c = functions.lit(null).cast(d.type());
      } else if (!type.catalogString().equals(d.type().catalogString())) {
        throw new IllegalStateException("table " + table + ": column " + name + " is " + type.catalogString()
            + ", declared " + d.type().catalogString());
      } else {
        c = rows.col(name);
      }
      cols.add(create ? c.as(name, metadata(name, d.comment())) : c.as(name));
    }
    return rows.select(cols.toArray(Column[]::new));
  }

  /** A stored table with the declared columns it lacks (it predates them) as nulls, after its own. */
  static Dataset<Row> withDeclared(String table, Dataset<Row> stored) {
    List<String> has = List.of(stored.columns());
    Dataset<Row> out = stored;
    for (var e : declared(table).entrySet()) {
      if (!has.contains(e.getKey())) {
        out = out.withColumn(e.getKey(), functions.lit(null).cast(e.getValue().type()));
      }
    }
    return out;
  }

  private static Metadata metadata(String column, String comment) {
    MetadataBuilder b = new MetadataBuilder().putString("comment", comment);
    if (PNG.contains(column)) {
      b.putString(CONTENT_ANNOTATION, "{\"mimeType\":\"image/png\"}");
    }
    return b.build();
  }

  private static Map<String, Declared> declared(String table) {
    Map<String, Declared> c = TABLES.get(table);
    if (c == null) {
      throw new IllegalArgumentException("no table '" + table + "'; tables: " + TABLES.keySet());
    }
    return c;
  }
}
