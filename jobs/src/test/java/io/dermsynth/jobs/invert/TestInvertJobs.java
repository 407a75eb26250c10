package io.dermsynth.jobs.invert;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.cli.TestCommandLine;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.invert.LatentCodec;
import io.dermsynth.jobs.cli.TestCommandLine.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train-inverter and invert from the command line, on 32 phantoms, local Spark. */
class TestInvertJobs {

  @TempDir Path tmp;

  @Test
  void invertWritesOneRowPerImageOnceAndQuarantinesWhatDoesNotDecode() throws Exception {
    Path wh = tmp.resolve("wh");
    String w = "warehouse=" + wh;
    TestCommandLine.phantomsIngested(tmp, 32, wh, 32);
    Outcome gan = cli("train-gan", "--set", w, "--set", "gan.kimg=0.008", "--set", "gan.batch_size=8",
        "--set", "gan.tick_kimg=0.008", "--set", "gan.grid_images=4");
    assertEquals(0, gan.code(), gan.err());
    Outcome cls = cli("train-classifier", "--set", w, "--set", "classifier.epochs=1", "--set",
        "classifier.image_size=32");
    assertEquals(0, cls.code(), cls.err());
    // The generator and the LPIPS network are found as the newest train-gan / train-classifier runs.
    Outcome train = cli("train-inverter", "--set", w, "--set", "inverter.encoder_steps=4", "--set",
        "inverter.hyper_steps=2", "--set", "inverter.batch_size=4", "--set", "inverter.hyper_z=8",
        "--set", "inverter.refinement_iterations=2", "--set", "inverter.tick_steps=3");
    assertEquals(0, train.code(), train.err());
    SparkTest.assertFigures(SparkTest.context(wh), train.out(), "steps=6");

    Outcome first = cli("invert", "--set", w, "--set", "invert.partitions=4", "--set", "invert.batch_size=5");
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("32 rows added, 0 quarantined"), first.out());
    SparkTest.assertFigures(SparkTest.context(wh), first.out(), "rows_added=32", "quarantined=0",
        "model_loads=driver:1");

    JobContext ctx = SparkTest.context(wh);
    var latents = ctx.tables().read(Tables.LATENTS);
    assertEquals(32, latents.count());
    assertEquals(32, latents.select("image_id").distinct().count());
    // The split column is carried over, W+ is [8, 512] float32, offsets cover the 7 tuned convs of tiny32.
    assertEquals(ctx.tables().read(Tables.IMAGES).groupBy("split").count().orderBy("split").collectAsList()
        .toString(), latents.groupBy("split").count().orderBy("split").collectAsList().toString());
    Row r = latents.select("w_plus", "num_ws", "w_dim", "offsets", "offset_layers", "l2", "lpips", "method")
        .first();
    assertEquals(8 * 512, LatentCodec.decode((byte[]) r.get(0)).length);
    assertEquals(8, r.getInt(1));
    assertEquals(512, r.getInt(2));
    List<String> layers = r.getList(4);
    assertEquals(List.of("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1", "b32.conv0",
        "b32.conv1"), layers);
    assertEquals(7 * 64 * 64, LatentCodec.decode((byte[]) r.get(3)).length);
    assertTrue(r.getDouble(5) > 0 && r.getDouble(5) < 1 && r.getDouble(6) >= 0, r.toString());
    assertEquals("hyperstyle", r.getString(7));

    // Invert's batches depend on which images it inverts, not on the order of `images`' rows and files
    // (a batch's neighbours change the last bits of its latents).
    var images = ctx.tables().read(Tables.IMAGES);
    var ids = images.select("image_id");
    assertEquals(partitions(InvertJob.inBatchOrder(ids, 4)),
        partitions(InvertJob.inBatchOrder(ids.orderBy(functions.rand(7)).repartition(3), 4)));

    // A stored image that no longer decodes goes to quarantine; the others are already there (a rerun
    // adds nothing).
    var broken = images.limit(1).withColumn("image_id", functions.lit("ISIC_BROKEN"))
        .withColumn("source_path", functions.lit("broken.jpg"))
        .withColumn("png", functions.lit(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}));
    ctx.tables().append(Tables.IMAGES, broken);
    Outcome third = cli("invert", "--set", w, "--set", "invert.partitions=2");
    assertEquals(0, third.code(), third.err());
    assertTrue(third.out().contains(" 0 rows added, 1 quarantined"), third.out());
    Row q = ctx.tables().read(Tables.QUARANTINE).where("stage = 'invert'").select("image_id", "reason_code")
        .first();
    assertEquals("ISIC_BROKEN", q.getString(0));
    assertEquals("CORRUPT_IMAGE", q.getString(1));

    // Optimisation refinement: a finer method replaces the HyperStyle rows it is asked for, nothing else;
    // a coarser rerun leaves them; the same refinement again does nothing.
    List<String> refine = latents.where("split = 'train'").orderBy("image_id").limit(3).select("image_id")
        .collectAsList().stream().map(x -> x.getString(0)).toList();
    String where = "invert.where=image_id IN ('" + String.join("','", refine) + "')";
    Map<String, Double> hyperL2 = l2ByImage(latents.where(functions.col("image_id").isin(refine.toArray())));
    Outcome opt = cli("invert", "--set", w, "--set", "invert.partitions=2", "--set", "invert.method=optimised",
        "--set", "invert.opt_steps=30", "--set", where);
    assertEquals(0, opt.code(), opt.err());
    assertTrue(opt.out().contains(" 0 rows added, 3 replaced"), opt.out());
    var after = ctx.tables().read(Tables.LATENTS);
    assertEquals(32, after.count());
    assertEquals(List.of("hyperstyle:29", "optimised:3"), after.groupBy("method").count().orderBy("method")
        .collectAsList().stream().map(x -> x.getString(0) + ":" + x.getLong(1)).toList());
    Map<String, Double> optL2 = l2ByImage(after.where("method = 'optimised'"));
    assertEquals(hyperL2.keySet(), optL2.keySet());
    double hyperMean = hyperL2.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double optMean = optL2.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertTrue(optMean < hyperMean, "optimised L2 " + optL2 + " vs HyperStyle " + hyperL2);
    // The run's figures are of the images it inverted (they were NaN when read after the write, which
    // leaves `invert.where` nothing to invert).
    Row run = ctx.tables().read(Tables.RUNS).where("command = 'invert'")
        .orderBy(functions.col("finished_at").desc()).first();
    Map<String, String> m = run.getJavaMap(run.fieldIndex("metrics"));
    assertEquals(optMean, Double.parseDouble(m.get("mean_l2")), 1e-6, m.toString());
    assertTrue(m.get("model_loads").matches(".+:[1-9].*"), m.toString());
    Outcome coarser = cli("invert", "--set", w, "--set", "invert.partitions=2", "--set", "invert.method=encoder");
    SparkTest.assertFigures(ctx, coarser.out(), "rows_added=0", "rows_replaced=0");
    Outcome again = cli("invert", "--set", w, "--set", "invert.partitions=2", "--set", "invert.method=optimised",
        "--set", where);
    SparkTest.assertFigures(ctx, again.out(), "rows_added=0", "rows_replaced=0");
    assertEquals(3, ctx.tables().read(Tables.LATENTS).where("method = 'optimised'").count());
    assertTrue(Files.exists(Path.of(ctx.tables().read(Tables.RUNS).where("command = 'train-inverter'")
        .select("metrics").first().<String, String>getJavaMap(0).get("model_path"), "lpips", "manifest.json")));
  }

  private static List<List<String>> partitions(org.apache.spark.sql.Dataset<Row> ids) {
    return ids.javaRDD().glom().collect().stream().map(p -> p.stream().map(r -> r.getString(0)).toList()).toList();
  }

  private static Map<String, Double> l2ByImage(org.apache.spark.sql.Dataset<Row> rows) {
    Map<String, Double> m = new java.util.TreeMap<>();
    rows.select("image_id", "l2").collectAsList().forEach(r -> m.put(r.getString(0), r.getDouble(1)));
    return m;
  }
}
