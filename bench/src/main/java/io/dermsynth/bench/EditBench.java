package io.dermsynth.bench;

import static org.apache.spark.sql.functions.col;

import ai.djl.Device;
import io.dermsynth.core.ProcessMemory;
import io.dermsynth.core.gan.GanWeights;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.udf.DirectionEditor;
import io.dermsynth.udf.ModelCache;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * SeFa edits on real latents (train split × the top directions × alphas, as augment makes them), two
 * measurements, each a mode:
 * <ul>
 *   <li>{@code throughput INVERTER WAREHOUSE N BATCH}: edits/s of the bare loop (DirectionEditor's own batch
 *       work — decode, render with the α = 0 rows, LPIPS to the source and to the α = 0 render, PNG —
 *       called batch by batch on this thread, {@link DirectionEditor#batchEditor}) against the same N rows
 *       through DirectionEditor in local Spark (one task at a time, as one executor core), on the same
 *       loaded model, 5 alternating rounds after a warm-up; median ratio.</li>
 *   <li>{@code rss INVERTER WAREHOUSE N BATCH WARMUP}: after WARMUP unmeasured edits, N edits through
 *       DirectionEditor in this JVM (local mode: the executor), RSS every 2 s, growth from the median of
 *       the first fifth to the median of the last, the model's live arrays before and after.</li>
 * </ul>
 */
public final class EditBench {

  public static void main(String[] args) throws Exception {
    io.dermsynth.core.Libtorch.load();  // this CPU's convolutions checked, as every job does
    String mode = args[0];
    Path inverterDir = Path.of(args[1]);
    JobContext ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", args[2], "spark.master", "local[1]")));
    int n = Integer.parseInt(args[3]);
    int batch = Integer.parseInt(args[4]);
    DirectionEditor editor = new DirectionEditor().setModelPath(inverterDir.toString()).setBatchSize(batch)
        .setSourceCol("png").setAlphaCol("w_alpha").setOutputCol("edit");
    Dataset<Row> rows = edits(ctx, inverterDir, n).persist(StorageLevel.MEMORY_AND_DISK());
    long staged = rows.count();
    // Warm-up: loads the model into this JVM's ModelCache (the bare loop uses that same model).
    editor.transform(rows.limit(2 * batch)).select("edit.png").count();
    Inverter inv = ModelCache.get(inverterDir.toString(), Device.cpu().toString(), () -> {
      throw new IllegalStateException("the warm-up did not cache the inverter");
    });
    switch (mode) {
      case "throughput" -> throughput(editor, inv, rows, staged, batch);
      case "rss" -> rss(editor, inv, rows, staged, Integer.parseInt(args[5]));
      default -> throw new IllegalArgumentException("mode must be throughput or rss; got " + mode);
    }
  }

  /** N rows of augment's shape: a train latent, a top direction, an alpha (× w_std), the source PNG. */
  static Dataset<Row> edits(JobContext ctx, Path inverterDir, int n) throws Exception {
    String generator;
    String version;
    try (Inverter inv = Inverter.load(io.dermsynth.core.CheckpointStore.directory(inverterDir), Device.cpu())) {
      generator = GanWeights.contentVersion(inv.generator().namedParameters());
      version = inv.version();
    }
    Dataset<Row> latents = ctx.tables().read(Tables.LATENTS).where(col("inverter_version").equalTo(version)
        .and(col("split").equalTo("train")));
    Dataset<Row> dirs = ctx.tables().read(Tables.DIRECTIONS).where(col("generator_version").equalTo(generator)
        .and(col("rank").lt(8)));
    Dataset<Row> alphas = ctx.spark().range(4).selectExpr("element_at(array(-6.0D, -3.0D, 3.0D, 6.0D), "
        + "CAST(id AS INT) + 1) AS alpha");
    // Keys first (a latent's offsets are ~0.6 MB: never sort those), then the heavy columns for the N kept.
    // Repeated (rep) when the bench's latents × directions × alphas are fewer than N.
    Dataset<Row> keys = latents.select("image_id").crossJoin(dirs.select("direction_id")).crossJoin(alphas)
        .crossJoin(ctx.spark().range(4).toDF("rep")).orderBy("rep", "image_id", "direction_id", "alpha").limit(n)
        .drop("rep");
    return keys
        .join(latents.select(col("image_id").as("lat"), col("w_plus"), col("offsets"), col("offset_layers")),
            col("image_id").equalTo(col("lat"))).drop("lat")
        .join(dirs.select(col("direction_id").as("dir"), col("vector"), col("w_indices"), col("w_std")),
            col("direction_id").equalTo(col("dir"))).drop("dir")
        .join(ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src"), col("png")),
            col("image_id").equalTo(col("src"))).drop("src")
        .withColumn("w_alpha", col("alpha").multiply(col("w_std"))).repartition(4);
  }

  static void throughput(DirectionEditor editor, Inverter inv, Dataset<Row> rows, long n, int batch) {
    List<Row> local = rows.collectAsList();
    var edit = editor.batchEditor(rows.schema(), inv);
    bareLoop(edit, local.subList(0, Math.min(local.size(), 2 * batch)), batch);
    SideBySide.Summary sum = SideBySide.run(5, "edits", () -> {
      bareLoop(edit, local, batch);
      return local.size();
    }, () -> editor.transform(rows).select("edit.png", "edit.lpips").count());
    System.out.printf(Locale.ROOT, "throughput edits=%d batch=%d rounds=%d bare_edits_per_s=%.2f "
        + "transformer_edits_per_s=%.2f median_ratio=%.3f min=%.3f max=%.3f threads=%d rss_mib=%d peak_rss_mib=%d%n", n,
        batch, sum.rounds(), sum.bare(), sum.transformer(), sum.medianRatio(), sum.min(), sum.max(),
        ai.djl.pytorch.jni.JniUtils.getNumThreads(), ProcessMemory.rssMiB(), ProcessMemory.peakRssMiB());
    // What Spark itself costs a round: a job over the same cached rows and partitions that only reads
    // each row's heavy column — the floor under the Transformer's time that no Transformer code can remove.
    double[] job = new double[5];
    for (int i = 0; i < job.length; i++) {
      long t0 = System.nanoTime();
      rows.mapPartitions((MapPartitionsFunction<Row, Integer>) it -> {
        int bytes = 0;
        while (it.hasNext()) {
          Row r = it.next();
          bytes += r.isNullAt(r.fieldIndex("offsets")) ? 0 : r.<byte[]>getAs("offsets").length;
        }
        return List.of(bytes).iterator();
      }, Encoders.INT()).count();
      job[i] = (System.nanoTime() - t0) / 1e9;
    }
    java.util.Arrays.sort(job);
    double bareRound = n / sum.bare();
    double transformerRound = n / sum.transformer();
    System.out.printf(Locale.ROOT, "round_seconds bare=%.3f transformer=%.3f spark_job_alone=%.3f (min %.3f max %.3f) "
        + "transformer_own=%.3f%n", bareRound, transformerRound, job[2], job[0], job[4],
        transformerRound - bareRound - job[2]);
  }

  /**
   * DirectionEditor's own per-batch work (decode, render with the α = 0 rows, LPIPS to the source and to
   * the α = 0 render, PNG), in a plain loop on this thread, batches as a task cuts them.
   */
  private static void bareLoop(java.util.function.Function<List<Row>, Row[]> edit, List<Row> rows, int batch) {
    for (int s = 0; s < rows.size(); s += batch) {
      edit.apply(rows.subList(s, Math.min(rows.size(), s + batch)));
    }
  }

  static void rss(DirectionEditor editor, Inverter inv, Dataset<Row> rows, long n, int warmup) throws Exception {
    if (warmup > 0) {
      editor.transform(rows.limit(warmup)).select("edit.png").count();
    }
    int arraysBefore = inv.manager().getManagedArrays().size();
    Object[] counted = new Object[1];
    RssTrace trace = RssTrace.during(() -> editor.transform(rows).select("edit.png", "edit.lpips").count(), counted);
    int arraysAfter = inv.manager().getManagedArrays().size();
    System.out.printf(Locale.ROOT, "rss edits=%d of %d seconds=%d median_first_fifth_mib=%d median_last_fifth_mib=%d "
        + "peak_mib=%d growth_pct=%.1f live_model_arrays_before=%d after=%d%n", (Long) counted[0], n, trace.seconds,
        trace.firstFifthMedian(), trace.lastFifthMedian(), trace.peak(), trace.growthPct(), arraysBefore,
        arraysAfter);
    trace.write(Path.of("edit-rss-trace.csv"));
  }
}
