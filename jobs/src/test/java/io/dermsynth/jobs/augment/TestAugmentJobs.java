package io.dermsynth.jobs.augment;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.experiment.ExperimentJob;
import io.dermsynth.jobs.review.DirectionReviews;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.delta.tables.DeltaTable;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.jobs.cli.TestCommandLine.Outcome;
import io.dermsynth.udf.SqlFunctions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** factorize and augment from the command line on inverted phantoms, local Spark. */
class TestAugmentJobs {

  @TempDir Path tmp;

  /**
   * DirectionEditor renders a batch's α = 0 image once per source latent: rows of two images interleaved
   * in one batch (A, B, A, B, …) give what each row gives alone in a batch of one — the same PNG within a
   * level, the same LPIPS to the source and to the α = 0 image — so no edit is measured against another
   * image's α = 0 render.
   */
  private static void editsSharingALatentInABatchEqualEditsRenderedAlone(JobContext ctx, String inverter) {
    var latents = ctx.tables().read(Tables.LATENTS).where("split = 'train'").orderBy("image_id").limit(2);
    var rows = latents.select("image_id", "w_plus", "offsets", "offset_layers")
        .crossJoin(ctx.tables().read(Tables.DIRECTIONS).select("direction_id", "vector", "w_indices", "w_std"))
        .crossJoin(ctx.spark().range(2).selectExpr("CAST(id * 4 - 2 AS DOUBLE) AS alpha"))
        .join(ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src"), col("png")),
            col("image_id").equalTo(col("src"))).drop("src")
        .withColumn("w_alpha", col("alpha").multiply(col("w_std")))
        .orderBy("direction_id", "alpha", "image_id").coalesce(1).cache();
    assertEquals(12, rows.count());
    Map<String, Row> alone = new java.util.HashMap<>();
    Map<String, Row> together = new java.util.HashMap<>();
    for (int batch : new int[] {1, 12}) {
      new io.dermsynth.udf.DirectionEditor().setModelPath(inverter).setBatchSize(batch).setSourceCol("png")
          .setAlphaCol("w_alpha").setOutputCol("edit").transform(rows)
          .selectExpr("concat_ws('/', image_id, direction_id, alpha)", "edit").collectAsList()
          .forEach(r -> (batch == 1 ? alone : together).put(r.getString(0), r.getStruct(1)));
    }
    assertEquals(alone.keySet(), together.keySet());
    for (String key : alone.keySet()) {
      Row a = alone.get(key);
      Row t = together.get(key);
      assertEquals(a.<Double>getAs("lpips"), t.<Double>getAs("lpips"), 1e-5, key + ": LPIPS to the source");
      assertEquals(a.<Double>getAs("lpips_recon"), t.<Double>getAs("lpips_recon"), 1e-5, key + ": LPIPS to α = 0");
      byte[] pa = GanImages.decodeOne(a.getAs("png"), 32);
      byte[] pt = GanImages.decodeOne(t.getAs("png"), 32);
      for (int i = 0; i < pa.length; i++) {
        assertTrue(Math.abs((pa[i] & 0xff) - (pt[i] & 0xff)) <= 1, key + ": pixel " + i);
      }
    }
    rows.unpersist();
  }

  @Test
  void augmentWritesEveryLatentDirectionAlphaOnceResumesAndRefusesLeakage() throws Exception {
    Path wh = tmp.resolve("wh");
    String w = "warehouse=" + wh;
    List<String> keep = AugmentFixture.sixteenTrainLatents(tmp, wh);
    JobContext ctx = SparkTest.context(wh);

    Outcome f = cli("factorize", "--set", w, "--set", "factorize.top_k=3");
    assertEquals(0, f.code(), f.err());
    assertTrue(f.out().contains(": g-"), f.out());
    SparkTest.assertFigures(ctx, f.out(), "top_k=3", "rows_added=0");
    assertEquals(3, ctx.tables().read(Tables.DIRECTIONS).count());
    // Each direction knows how far W spreads along it: the unit of augment's alphas.
    assertEquals(0, ctx.tables().read(Tables.DIRECTIONS).where("NOT (w_std > 0)").count());

    String[] augment = AugmentFixture.augment(wh, 100);
    Outcome approved = cli("augment", "--set", w);
    // Nothing approved yet: a scheduled augment waits for a reviewer (exit 3) instead of failing.
    assertEquals(io.dermsynth.jobs.Main.EXIT_WAITING_FOR_REVIEW, approved.code(), approved.err());
    assertTrue(approved.err().contains("waiting for review: no direction_reviews yet"), approved.err());
    // And the experiment after it on a schedule waits too, instead of failing on an empty pool.
    Outcome early = cli("experiment", "--set", w, "--set", "experiment.arms=[baseline, sa40]");
    assertEquals(io.dermsynth.jobs.Main.EXIT_WAITING_FOR_REVIEW, early.code(), early.err());
    assertTrue(early.err().contains("no synthetic images to compare yet"), early.err());

    Outcome a = cli(augment);
    assertEquals(0, a.code(), a.err());
    assertTrue(a.out().contains("unattended") && a.out().contains("208 rows added"), a.out());
    SparkTest.assertFigures(ctx, a.out(), "planned=208", "directions=3", "rows_added=208", "chunks=3");
    Outcome again = cli(augment);
    assertEquals(0, again.code(), again.err());
    SparkTest.assertFigures(ctx, again.out(), "already_done=208", "rows_added=0");

    var synth = ctx.tables().read(Tables.SYNTHETIC);
    assertEquals(208, synth.count());
    assertEquals(208, synth.select("synth_id").distinct().count());
    // α = 0 is the same image along every direction: one row per source, with the first direction.
    assertEquals(16, synth.where("alpha = 0").select("image_id").distinct().count());
    assertEquals(1, synth.where("alpha = 0").select("direction_id").distinct().count());
    // Lineage: every row's dx and lesion are its source image's; sources are the 16 kept train latents.
    var images = ctx.tables().read(Tables.IMAGES).select(col("image_id").as("i"), col("dx").as("d"),
        col("lesion_id").as("l"), col("split").as("s"));
    var joined = synth.join(images, col("image_id").equalTo(col("i")));
    assertEquals(208, joined.where("dx = d AND lesion_id = l AND s = 'train'").count());
    assertEquals(16, synth.select("image_id").distinct().count());
    assertEquals(0, synth.where("lpips_ok <> (lpips <= 0.2) OR label_probability < 0 OR label_probability > 1"
        + " OR png IS NULL OR direction_source <> 'all_top_k' OR alpha_unit <> 'w_std' OR render <> 'generator'"
        + " OR lpips_recon IS NULL OR (alpha = 0 AND lpips_recon > 1e-6)").count());
    // alpha 0 is the inversion: LPIPS to the source equals the one invert measured.
    List<Row> zero = synth.where("alpha = 0").join(ctx.tables().read(Tables.LATENTS).select(col("image_id")
        .as("li"), col("lpips").as("inv_lpips")), col("image_id").equalTo(col("li")))
        .select("lpips", "inv_lpips", "png").collectAsList();
    assertEquals(16, zero.size());
    for (Row r : zero) {
      assertEquals(r.getDouble(1), r.getDouble(0), 1e-4, "alpha-0 LPIPS = inversion LPIPS");
      assertEquals(32 * 32 * 3, GanImages.decodeOne((byte[]) r.get(2), 32).length);
    }
    // LPIPS to the source grows with |alpha| on average.
    Map<Double, Double> byAlpha = new java.util.TreeMap<>();
    synth.groupBy(org.apache.spark.sql.functions.abs(col("alpha"))).avg("lpips").collectAsList()
        .forEach(r -> byAlpha.put(r.getDouble(0), r.getDouble(1)));
    assertTrue(byAlpha.get(0.0) < byAlpha.get(1.0) && byAlpha.get(1.0) < byAlpha.get(2.0), byAlpha.toString());

    // The notebook SQL functions give the same edits and LPIPS as the batched job.
    SqlFunctions.register(ctx.spark(), synth.select("inverter_path").first().getString(0));
    ctx.tables().registerViews();
    List<Row> sql = ctx.spark().sql("SELECT s.png, dermsynth_edit(l.w_plus, l.offsets, l.offset_layers, d.vector, "
        + "d.w_indices, s.alpha * d.w_std), s.lpips, dermsynth_lpips(s.png, i.png) FROM synthetic s "
        + "JOIN latents l ON s.image_id = l.image_id JOIN directions d ON s.direction_id = d.direction_id "
        + "JOIN images i ON s.image_id = i.image_id WHERE s.alpha <> 0 ORDER BY s.synth_id LIMIT 6").collectAsList();
    assertEquals(6, sql.size());
    for (Row r : sql) {
      byte[] job = GanImages.decodeOne((byte[]) r.get(0), 32);
      byte[] udf = GanImages.decodeOne((byte[]) r.get(1), 32);
      int worst = 0;
      for (int i = 0; i < job.length; i++) {
        worst = Math.max(worst, Math.abs((job[i] & 0xff) - (udf[i] & 0xff)));
      }
      assertTrue(worst <= 1, "edit via SQL differs from the job's by " + worst + " levels");
      // The job measured LPIPS before PNG rounding; the SQL function measures the PNG.
      assertEquals(r.getDouble(2), r.getDouble(3), 0.02);
    }

    editsSharingALatentInABatchEqualEditsRenderedAlone(ctx, synth.select("inverter_path").first().getString(0));

    // A run that died before committing some chunks: the rerun writes exactly what is missing.
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.SYNTHETIC)).delete("alpha > 0");
    Outcome resumed = cli(augment);
    assertEquals(0, resumed.code(), resumed.err());
    SparkTest.assertFigures(ctx, resumed.out(), "already_done=112", "rows_added=96");
    assertEquals(208, ctx.tables().read(Tables.SYNTHETIC).count());

    // The residual render: the source plus the edit's change, new rows beside the generator's; at α = 0
    // the stored image is the source's pixels exactly, and LPIPS to the source is LPIPS to the α = 0 image.
    String[] residual = java.util.Arrays.copyOf(augment, augment.length + 2);
    residual[residual.length - 2] = "--set";
    residual[residual.length - 1] = "augment.render=residual";
    // One source image that no longer decodes: its 13 edits (α = 0 and 3 directions × 4) fail, each is
    // quarantined (stage augment, source = its synth_id) and counted; the other 195 are written. With the
    // image repaired, the rerun writes exactly those 13.
    String broken = ctx.tables().read(Tables.LATENTS).where("split = 'train'").orderBy("image_id").first()
        .getAs("image_id");
    DeltaTable imagesTable = DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.IMAGES));
    long imagesVersion = imagesTable.history(1).first().<Long>getAs("version");
    imagesTable.updateExpr("image_id = '" + broken + "'", Map.of("png", "unhex('00FF00')"));
    Outcome failing = cli(residual);
    assertEquals(0, failing.code(), failing.err());
    assertTrue(failing.out().contains("195 rows added") && failing.out().contains("13 failed edits"), failing.out());
    SparkTest.assertFigures(ctx, failing.out(), "already_done=0", "rows_added=195", "edits_failed=13");
    List<Row> quarantined = ctx.tables().read(Tables.QUARANTINE).where("stage = 'augment'").collectAsList();
    assertEquals(13, quarantined.size(), quarantined.toString());
    quarantined.forEach(q -> assertTrue(broken.equals(q.getAs("image_id")) && q.<String>getAs("source").length() > 8
        && q.<String>getAs("reason_code").equals("CORRUPT_IMAGE"), q.toString()));
    imagesTable.restoreToVersion(imagesVersion);
    Outcome r = cli(residual);
    assertEquals(0, r.code(), r.err());
    SparkTest.assertFigures(ctx, r.out(), "planned=208", "directions=3", "already_done=195", "rows_added=13");
    var res = ctx.tables().read(Tables.SYNTHETIC).where("render = 'residual'");
    assertEquals(208, res.count());
    assertEquals(0, res.where("abs(lpips - lpips_recon) > 1e-9").count());
    List<Row> sources = res.join(ctx.tables().read(Tables.IMAGES).select(col("image_id").as("src"),
        col("png").as("source_png")), col("image_id").equalTo(col("src"))).select("alpha", "png", "source_png", "lpips")
        .collectAsList();
    int exact = 0;
    for (Row row : sources) {
      byte[] mine = GanImages.decodeOne((byte[]) row.get(1), 32);
      byte[] source = GanImages.decodeOne((byte[]) row.get(2), 32);
      if (row.getDouble(0) == 0) {
        assertTrue(java.util.Arrays.equals(source, mine), "α = 0 residual render is the source");
        assertEquals(0, row.getDouble(3), 1e-6);
        exact++;
      }
    }
    assertEquals(16, exact);
    // dermsynth_edit_render gives the job's residual renders (within one level of PNG rounding).
    ctx.tables().registerViews();
    List<Row> viaSql = ctx.spark().sql("SELECT s.png, dermsynth_edit_render(l.w_plus, l.offsets, l.offset_layers, "
        + "d.vector, d.w_indices, s.alpha * d.w_std, 'residual', i.png) FROM synthetic s JOIN latents l ON "
        + "s.image_id = l.image_id JOIN directions d ON s.direction_id = d.direction_id JOIN images i ON s.image_id "
        + "= i.image_id WHERE s.render = 'residual' ORDER BY s.synth_id LIMIT 4").collectAsList();
    assertEquals(4, viaSql.size());
    for (Row row : viaSql) {
      byte[] job = GanImages.decodeOne((byte[]) row.get(0), 32);
      byte[] udf = GanImages.decodeOne((byte[]) row.get(1), 32);
      for (int i = 0; i < job.length; i++) {
        assertTrue(Math.abs((job[i] & 0xff) - (udf[i] & 0xff)) <= 1, "residual via SQL differs at " + i);
      }
    }
    assertTrue(res.where("alpha <> 0").agg(org.apache.spark.sql.functions.avg("lpips")).first().getDouble(0) > 0);
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.SYNTHETIC)).delete("render = 'residual'");

    // Reviews after augment (issue 20): every direction approved in w_std; augment refuses to apply those
    // ranges as raw alphas; one direction rejected afterwards no longer feeds any experiment arm, though
    // its rows stay in `synthetic`.
    List<Row> dirs = ctx.tables().read(Tables.DIRECTIONS).orderBy("rank").select("direction_id", "generator_version")
        .collectAsList();
    for (Row d : dirs) {
      DirectionReviews.append(ctx, new DirectionReviews.Review(d.getString(0), "approved", null, -2.0, 2.0, null, "t",
          java.time.Instant.now(), d.getString(1), "review", "w_std"));
    }
    String[] raw = java.util.Arrays.copyOf(augment, augment.length + 4);
    System.arraycopy(new String[] {"--set", "augment.directions=approved", "--set", "augment.alpha_unit=raw"}, 0,
        raw, augment.length, 4);
    Outcome otherUnit = cli(raw);
    assertEquals(2, otherUnit.code(), otherUnit.out());
    assertTrue(otherUnit.err().contains("augment.alpha_unit = 'raw', but 3 approved direction(s) had their alpha "
        + "range reviewed in another unit") && otherUnit.err().contains(dirs.get(0).getString(0) + " (w_std)"),
        otherUnit.err());
    long drawable = ExperimentJob.pool(ctx, "").rows().count();
    assertEquals(208, drawable);
    String rejected = dirs.get(1).getString(0);
    DirectionReviews.append(ctx, new DirectionReviews.Review(rejected, "rejected", null, null, null, "too strong", "t",
        java.time.Instant.now(), dirs.get(1).getString(1), "review", "w_std"));
    ExperimentJob.Pool reviewed = ExperimentJob.pool(ctx, "");
    long ofRejected = ctx.tables().read(Tables.SYNTHETIC).where(col("direction_id").equalTo(rejected)).count();
    assertTrue(ofRejected > 0);
    assertEquals(Map.of(rejected, ofRejected), reviewed.excluded());
    assertEquals(drawable - ofRejected, reviewed.rows().count());
    assertEquals(0, reviewed.rows().where(col("direction_id").equalTo(rejected)).count());

    // train-classifier takes the synthetic rows a filter selects, on top of the real train split.
    long realTrain = ctx.tables().read(Tables.IMAGES).where("split = 'train'").count();
    long okRows = ctx.tables().read(Tables.SYNTHETIC).where("lpips_ok").count();
    String[] withSynthetic = {"train-classifier", "--set", w, "--set", "classifier.epochs=1", "--set",
        "classifier.image_size=32", "--set", "classifier.synthetic=lpips_ok"};
    assertEquals(0, cli(withSynthetic).code());
    Map<String, String> m = ctx.tables().read(Tables.RUNS).where("command = 'train-classifier'")
        .orderBy(col("finished_at").desc()).select("metrics").first().getJavaMap(0);
    assertEquals(String.valueOf(okRows), m.get("synthetic_images"));
    assertEquals(String.valueOf(realTrain + okRows), m.get("train_images"));

    // Leakage: a synthetic row whose source lesion is in the test split is refused by train-classifier ...
    Row test = ctx.tables().read(Tables.IMAGES).where("split = 'test'").select("lesion_id").first();
    String victim = ctx.tables().read(Tables.SYNTHETIC).where("lpips_ok").orderBy("synth_id").select("image_id")
        .first().getString(0);
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.SYNTHETIC)).update(col("image_id").equalTo(victim),
        Map.of("lesion_id", org.apache.spark.sql.functions.lit(test.getString(0))));
    Outcome refused = cli(withSynthetic);
    assertEquals(2, refused.code());
    assertTrue(refused.err().contains("leakage:") && refused.err().contains("synthetic rows")
        && refused.err().contains(victim), refused.err());

    // ... and a latent whose lesion is in the validation split is refused by augment, with the image named.
    Row val = ctx.tables().read(Tables.IMAGES).where("split = 'val'").select("lesion_id").first();
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.LATENTS)).update(col("image_id").equalTo(keep.get(0)),
        Map.of("lesion_id", org.apache.spark.sql.functions.lit(val.getString(0))));
    Outcome leak = cli(augment);
    assertEquals(2, leak.code());
    assertTrue(leak.err().contains("leakage: 1 augment sources") && leak.err().contains(keep.get(0)), leak.err());
  }
}
