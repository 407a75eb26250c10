package io.dermsynth.jobs.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.dermsynth.core.CheckpointStore;
import io.dermsynth.jobs.experiment.ExperimentJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.TableCatalog;
import io.dermsynth.jobs.runtime.Tables;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * `export`: the augmented training set for users who train outside Spark (PyTorch, TensorFlow) — the
 * real train split plus a synthetic pool (an experiment arm's rows, chosen as for training, or a SQL
 * condition on `synthetic`) as class folders or WebDataset tar shards, each image with its label and
 * lineage, and a manifest. Written through the store, so s3a:// and dbfs:/ work as local folders do.
 */
public final class ExportJob {

  /** What an export wrote. */
  public record Result(String runId, String out, ExportFormat format, long real, long synthetic,
      Map<String, long[]> byClass, int files) implements JobResult {
    @Override
    public String summary() {
      return String.format(Locale.ROOT, "%d real + %d synthetic images as %s (%d files) → %s", real, synthetic,
          format.id(), files, out);
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("out", out);
      m.put("format", format.id());
      m.put("real_images", String.valueOf(real));
      m.put("synthetic_images", String.valueOf(synthetic));
      m.put("files", String.valueOf(files));
      return m;
    }
  }

  private ExportJob() {}

  /**
   * @param arm an experiment arm whose synthetic rows go along (null: none, or {@code pool})
   * @param pool a SQL condition on `synthetic` (null: none, or {@code arm})
   * @param shardBytes WebDataset: a shard is closed once it holds this many bytes
   */
  public static Result run(JobContext ctx, String out, ExportFormat format, String arm, String pool, long shardBytes)
      throws Exception {
    if (arm != null && pool != null) {
      throw new IllegalArgumentException("export takes --arm or --pool, not both");
    }
    return Runs.record(ctx, "export", runId -> {
      Dataset<Row> rows = samples(ctx, arm, pool);
      CheckpointStore store = ModelStore.store(ctx.spark(), out);
      Map<String, long[]> byClass = new TreeMap<>();
      ExportWriter w = format.writer(store, shardBytes);
      try {
        Iterator<Row> it = rows.toLocalIterator();
        while (it.hasNext()) {
          Sample s = Sample.of(it.next());
          w.add(s);
          byClass.computeIfAbsent(s.dx(), k -> new long[2])[s.synthetic() ? 1 : 0]++;
        }
      } catch (Exception e) {
        w.abort();
        throw e;
      }
      w.close();
      int files = w.files();
      long real = byClass.values().stream().mapToLong(c -> c[0]).sum();
      long synthetic = byClass.values().stream().mapToLong(c -> c[1]).sum();
      store.write("manifest.json", Manifest.json(format, ctx.tables().warehouse(), arm, pool, byClass, files, runId));
      return new Result(runId, out, format, real, synthetic, byClass, files);
    });
  }

  /** A sample's lineage: `synthetic` columns, each exported under its name here (null for a real image). */
  private static final Map<String, String> LINEAGE = new LinkedHashMap<>();

  static {
    LINEAGE.put("image_id", "source_image_id");
    for (String c : List.of("direction_id", "alpha", "alpha_unit", "render", "generator_version",
        "inverter_version")) {
      LINEAGE.put(c, c);
    }
  }

  /** The real train split, then the chosen synthetic rows, each in key order: one export, one order. */
  private static Dataset<Row> samples(JobContext ctx, String arm, String pool) {
    org.apache.spark.sql.types.StructType declared = TableCatalog.schema(Tables.SYNTHETIC);
    List<Column> real = new java.util.ArrayList<>(List.of(col("image_id").as("key"), col("dx"), col("lesion_id"),
        col("png"), lit(false).as("synthetic")));
    List<Column> made = new java.util.ArrayList<>(List.of(col("synth_id").as("key"), col("dx"), col("lesion_id"),
        col("png"), lit(true).as("synthetic")));
    LINEAGE.forEach((column, name) -> {
      real.add(lit(null).cast(declared.apply(column).dataType()).as(name));
      made.add(col(column).as(name));
    });
    Dataset<Row> images = ctx.tables().read(Tables.IMAGES).where(col("split").equalTo("train"))
        .select(real.toArray(Column[]::new));
    Dataset<Row> synthetic = null;
    if (arm != null) {
      Dataset<Row> chosen = ExperimentJob.armRows(ctx, arm);
      // The arm's choice by id; the rows whole, with their lineage.
      synthetic = chosen == null ? null
          : ctx.tables().read(Tables.SYNTHETIC).join(chosen.select("synth_id").distinct(), "synth_id");
    } else if (pool != null) {
      synthetic = ctx.tables().read(Tables.SYNTHETIC).where(pool);
    }
    if (synthetic == null) {
      return images.orderBy("key");
    }
    return images.unionByName(synthetic.select(made.toArray(Column[]::new))).orderBy(col("synthetic"), col("key"));
  }
}
