package io.dermsynth.jobs.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * Every table's columns, declared once with what each holds: written to Delta as column comments when
 * a table is created ({@code DESCRIBE images} shows them; Unity Catalog and Databricks' Catalog
 * Explorer too), and PNG columns annotated with {@code spark.contentAnnotation} = image/png so that
 * Databricks' {@code display()} shows them as thumbnails. A job writing a column this catalogue does not
 * declare is a bug: creating the table fails, naming the column.
 */
public final class TableCatalog {

  /** The metadata key Databricks' display() reads to show binary columns as images. */
  static final String CONTENT_ANNOTATION = "spark.contentAnnotation";

  private static final Map<String, Map<String, String>> COMMENTS = new LinkedHashMap<>();
  private static final List<String> PNG = List.of("png");

  static {
    table(Tables.IMAGES,
        "image_id", "The image's id in its dataset (HAM10000: ISIC_…); the key",
        "lesion_id", "The lesion it shows; splits keep a lesion's images together (a copy joins its original's lesion)",
        "dataset", "Which dataset the image came from (ham10000, isic, folders, labels-csv)",
        "dx", "Diagnosis: akiec, bcc, bkl, df, mel, nv or vasc",
        "dx_type", "How the diagnosis was made (histo, follow_up, consensus, confocal), when the dataset says",
        "age", "Patient age, when the dataset says",
        "sex", "Patient sex, when the dataset says",
        "localization", "Body site, when the dataset says",
        "metadata", "The source row's other fields",
        "split", "train, val or test, by lesion",
        "width", "Working image width (px)",
        "height", "Working image height (px)",
        "png", "The working image: centre-cropped, resized to ingest.size, PNG",
        "source_path", "Where the file was read (file:, s3a:, dbfs:)",
        "source_sha256", "SHA-256 of the file's bytes",
        "pixel_sha256", "SHA-256 of the decoded working pixels (equal for re-encoded copies)",
        "phash", "64-bit perceptual hash, for near copies",
        "duplicate_of", "The image this one copies, when it is a copy kept in its original's split",
        "source_width", "The file's width (px)",
        "source_height", "The file's height (px)",
        "source_format", "The file's format (jpeg, png, bmp, …)",
        "run_id", "The ingest run that added the row",
        "ingested_at", "When it was added",
        "ingest_executor", "The Spark executor that decoded it");
    table(Tables.QUARANTINE,
        "source", "What could not be used: a file, a csv row, or a synth_id",
        "image_id", "Its image id, when known",
        "reason_code", "Why, as a code (CORRUPT_IMAGE, TRUNCATED_JPEG, DUPLICATE_CONTENT, …)",
        "message", "Why, in words",
        "stage", "The stage that set it aside (ingest, invert, augment)",
        "run_id", "The run that set it aside",
        "quarantined_at", "When");
    table(Tables.LATENTS,
        "image_id", "The inverted image (images.image_id)",
        "lesion_id", "Its lesion",
        "dx", "Its diagnosis",
        "split", "Its split",
        "inverter_version", "Hash of the inverter's weights (i-…); with image_id, the key",
        "method", "encoder (e4e), hyperstyle (e4e + HyperStyle offsets) or optimised (+ latent optimisation)",
        "w_plus", "W+ code: num_ws × w_dim float32, little-endian",
        "num_ws", "Rows of W+ (one per style input)",
        "w_dim", "Width of W",
        "offsets", "HyperStyle weight offsets of the tuned layers, float32 (empty for encoder)",
        "offset_layers", "The layers the offsets belong to, in order",
        "l2", "Mean squared pixel error of the reconstruction ([-1, 1] scale)",
        "lpips", "LPIPS of the reconstruction to the image",
        "inverter_path", "The inverter's model folder",
        "run_id", "The invert run that wrote the row",
        "created_at", "When");
    table(Tables.DIRECTIONS,
        "direction_id", "The direction's id (hash of generator, layers and rank); the key",
        "generator_version", "Hash of the generator's weights (g-…) whose style weights were factorised",
        "rank", "0 = the largest eigenvalue",
        "eigenvalue", "SeFa's eigenvalue: how much the layers' styles change along it",
        "w_std", "Spread of W along the direction: the unit of augment's alphas (alpha_unit w_std)",
        "vector", "The unit direction in W, float32",
        "layers", "The layers whose style weights were factorised",
        "w_indices", "The W+ rows the direction moves",
        "layer_selection", "How the layers were chosen (all, coarse, middle, fine, or a list)",
        "model_path", "The model folder factorised",
        "run_id", "The factorize run",
        "created_at", "When");
    table(Tables.DIRECTION_REVIEWS,
        "direction_id", "The reviewed direction (directions.direction_id)",
        "decision", "approved or rejected; the latest row of a direction is in force",
        "name", "The reviewer's name for what it changes",
        "alpha_min", "Smallest alpha approved",
        "alpha_max", "Largest alpha approved",
        "note", "The reviewer's note",
        "reviewer", "Who decided",
        "decided_at", "When",
        "generator_version", "The generator the direction belongs to",
        "run_id", "The review session (or demo run) that recorded it",
        "alpha_unit", "The unit of alpha_min/alpha_max (w_std or raw)");
    table(Tables.SYNTHETIC,
        "synth_id", "Hash of (source, inverter, direction, alpha, render, inversion method); the key",
        "image_id", "The real training image edited",
        "lesion_id", "Its lesion (every synthetic image inherits its source's)",
        "dx", "Its diagnosis, inherited",
        "direction_id", "The direction edited along",
        "alpha", "The edit's strength, in alpha_unit",
        "alpha_unit", "w_std (alpha × the direction's spread of W) or raw",
        "generator_version", "The generator that rendered it",
        "inverter_version", "The inverter whose latent was edited",
        "inverter_path", "The inverter's model folder",
        "render", "generator (the generator's image) or residual (the source plus the edit's change)",
        "inversion_method", "The latent's inversion method",
        "png", "The synthetic image, PNG",
        "lpips", "LPIPS to the source image",
        "lpips_ok", "lpips within augment.lpips_threshold (the paper's 0.2)",
        "lpips_recon", "LPIPS to the unedited (alpha 0) render",
        "label_probability", "The label judge's probability of the inherited dx",
        "label_kept", "Whether the judge's arg-max is still the inherited dx",
        "predicted_dx", "The judge's arg-max",
        "classifier_path", "The label judge's model folder",
        "direction_source", "approved (direction_reviews) or all_top_k (unattended, no reviewer)",
        "run_id", "The augment run that wrote it",
        "executor_id", "The Spark executor that rendered it",
        "task_gpu", "The GPU Spark gave the task, if any",
        "device", "The device it ran on",
        "created_at", "When");
    table(Tables.EVALUATIONS,
        "run_id", "The evaluate run; the key",
        "arm", "The experiment arm (or classifier.arm) of the model",
        "model_path", "The model folder scored",
        "model_run_id", "The train-classifier run that made it",
        "test_set", "images:test, or the folder scored",
        "n_images", "Test images",
        "n_lesions", "Test lesions (the bootstrap resamples lesions)",
        "classes", "The model's classes, in order",
        "balanced_accuracy", "Mean recall over the classes present",
        "balanced_accuracy_ci_low", "95% bootstrap interval, lower end",
        "balanced_accuracy_ci_high", "95% bootstrap interval, upper end",
        "auc_macro", "One-vs-rest ROC AUC averaged over the classes present",
        "auc_macro_ci_low", "95% bootstrap interval, lower end",
        "auc_macro_ci_high", "95% bootstrap interval, upper end",
        "accuracy", "Share of test images right",
        "recall", "Per class",
        "precision", "Per class",
        "f1", "Per class",
        "auc", "Per class, one vs rest",
        "support", "Test images per class",
        "confusion", "Counts, rows the true class, columns the predicted",
        "evaluated_at", "When",
        "experiment_id", "The experiment that trained the model, if any",
        "seed", "The arm's training seed, if an experiment's",
        "arm_policy", "The arm's training set in words: which synthetic images, render, gate, allocation");
    table(Tables.RUNS,
        "run_id", "The run (yyyyMMdd-HHmmss-random); the key",
        "command", "The command (ingest, train-gan, …, pipeline, demo)",
        "status", "succeeded, failed, or partial (a time budget stopped it; rerun to go on)",
        "started_at", "When it started",
        "finished_at", "When it ended",
        "config", "The resolved settings, secrets masked",
        "config_path", "Where the settings file lies",
        "metrics", "The run's figures",
        "error", "What failed, when it failed",
        "seeds", "The seeds in effect",
        "content_hashes", "Content hash of the rows each table got (equal hashes: equal rows)");
    table(Tables.GAN_SAMPLES,
        "model_path", "The generator's model folder",
        "snapshot", "The snapshot sampled",
        "seed", "The latent's seed",
        "truncation_psi", "Truncation ψ (1: none)",
        "noise_mode", "const, random or none",
        "png", "The generated image, PNG",
        "run_id", "The sample run",
        "created_at", "When");
  }

  private TableCatalog() {}

  private static void table(String name, String... columnsAndComments) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (int i = 0; i < columnsAndComments.length; i += 2) {
      columns.put(columnsAndComments[i], columnsAndComments[i + 1]);
    }
    COMMENTS.put(name, columns);
  }

  /** The table's declared columns, in order. */
  public static List<String> columns(String table) {
    return new ArrayList<>(declared(table).keySet());
  }

  /** The column's comment. */
  public static String comment(String table, String column) {
    return declared(table).get(column);
  }

  /**
   * {@code rows} with every column's comment (and PNG annotation) as metadata, for the write that
   * creates the table; fails naming any column the catalogue does not declare.
   */
  static Dataset<Row> annotated(String table, Dataset<Row> rows) {
    Map<String, String> comments = declared(table);
    List<String> undeclared = java.util.Arrays.stream(rows.columns()).filter(c -> !comments.containsKey(c)).toList();
    if (!undeclared.isEmpty()) {
      throw new IllegalStateException("table " + table + ": columns " + undeclared + " are not declared in "
          + "TableCatalog; declared: " + comments.keySet());
    }
    List<Column> cols = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      cols.add(rows.col(f.name()).as(f.name(), metadata(f, comments.get(f.name()))));
    }
    return rows.select(cols.toArray(Column[]::new));
  }

  private static Metadata metadata(StructField f, String comment) {
    MetadataBuilder b = new MetadataBuilder().withMetadata(f.metadata()).putString("comment", comment);
    if (PNG.contains(f.name())) {
      b.putString(CONTENT_ANNOTATION, "{\"mimeType\":\"image/png\"}");
    }
    return b.build();
  }

  private static Map<String, String> declared(String table) {
    Map<String, String> c = COMMENTS.get(table);
    if (c == null) {
      throw new IllegalArgumentException("no table '" + table + "'; tables: " + COMMENTS.keySet());
    }
    return c;
  }
}
