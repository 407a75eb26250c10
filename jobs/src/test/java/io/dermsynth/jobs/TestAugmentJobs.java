package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.tables.DeltaTable;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.jobs.TestCommandLine.Outcome;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** factorize and augment from the command line on inverted phantoms, local Spark. */
class TestAugmentJobs {

  @TempDir Path tmp;

  @Test
  void augmentWritesEveryLatentDirectionAlphaOnceResumesAndRefusesLeakage() throws Exception {
    Path wh = tmp.resolve("wh");
    String w = "warehouse=" + wh;
    assertEquals(0, cli("make-phantoms", "--out", tmp.resolve("p").toString(), "--n", "40").code());
    assertEquals(0, cli("ingest", "--data", tmp.resolve("p").toString(), "--set", w, "--set", "ingest.size=32").code());
    Outcome gan = cli("train-gan", "--set", w, "--set", "gan.kimg=0.008", "--set", "gan.batch_size=8",
        "--set", "gan.tick_kimg=0.008", "--set", "gan.grid_images=4");
    assertEquals(0, gan.code(), gan.err());
    assertEquals(0, cli("train-classifier", "--set", w, "--set", "classifier.epochs=1", "--set",
        "classifier.image_size=32").code());
    Outcome inv = cli("train-inverter", "--set", w, "--set", "inverter.encoder_steps=3", "--set",
        "inverter.hyper_steps=2", "--set", "inverter.batch_size=4", "--set", "inverter.hyper_z=8", "--set",
        "inverter.refinement_iterations=2", "--set", "inverter.tick_steps=5");
    assertEquals(0, inv.code(), inv.err());
    assertEquals(0, cli("invert", "--set", w, "--set", "invert.partitions=2").code());
    JobContext ctx = SparkTest.context(wh);
    // Keep 16 train-split latents (and every val/test one, which augment must leave alone).
    List<String> keep = ctx.tables().read(Tables.LATENTS).where("split = 'train'").orderBy("image_id")
        .select("image_id").limit(16).collectAsList().stream().map(r -> r.getString(0)).toList();
    assertEquals(16, keep.size());
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.LATENTS))
        .delete(col("split").equalTo("train").and(col("image_id").isin(keep.toArray()).unary_$bang()));

    Outcome f = cli("factorize", "--set", w, "--set", "factorize.top_k=3");
    assertEquals(0, f.code(), f.err());
    assertTrue(f.out().contains("3 directions of g-") && f.out().contains("3 rows added to directions"), f.out());
    assertTrue(cli("factorize", "--set", w, "--set", "factorize.top_k=3").out().contains(" 0 rows added"));

    String[] sets = {"--set", w, "--set", "augment.directions=all_top_k", "--set", "augment.top_k=3", "--set",
        "augment.alphas=[-2.0,-1.0,0.0,1.0,2.0]", "--set", "augment.partitions=3", "--set",
        "augment.batch_size=7", "--set", "augment.chunk_rows=100"};
    Outcome approved = cli("augment", "--set", w);
    assertEquals(2, approved.code());
    assertTrue(approved.err().contains("no direction_reviews yet"), approved.err());

    Outcome a = cli(concat("augment", sets));
    assertEquals(0, a.code(), a.err());
    assertTrue(a.out().contains("unattended") && a.out().contains("240 planned from 3 directions")
        && a.out().contains("240 rows added to synthetic in 3 chunks"), a.out());
    Outcome again = cli(concat("augment", sets));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("240 done before, 0 rows added"), again.out());

    var synth = ctx.tables().read(Tables.SYNTHETIC);
    assertEquals(240, synth.count());
    assertEquals(240, synth.select("synth_id").distinct().count());
    // Lineage: every row's dx and lesion are its source image's; sources are the 16 kept train latents.
    var images = ctx.tables().read(Tables.IMAGES).select(col("image_id").as("i"), col("dx").as("d"),
        col("lesion_id").as("l"), col("split").as("s"));
    var joined = synth.join(images, col("image_id").equalTo(col("i")));
    assertEquals(240, joined.where("dx = d AND lesion_id = l AND s = 'train'").count());
    assertEquals(16, synth.select("image_id").distinct().count());
    assertEquals(0, synth.where("lpips_ok <> (lpips <= 0.2) OR label_probability < 0 OR label_probability > 1"
        + " OR png IS NULL OR direction_source <> 'all_top_k'").count());
    // alpha 0 is the inversion: LPIPS to the source equals the one invert measured.
    List<Row> zero = synth.where("alpha = 0").join(ctx.tables().read(Tables.LATENTS).select(col("image_id")
        .as("li"), col("lpips").as("inv_lpips")), col("image_id").equalTo(col("li")))
        .select("lpips", "inv_lpips", "png").collectAsList();
    assertEquals(48, zero.size());
    for (Row r : zero) {
      assertEquals(r.getDouble(1), r.getDouble(0), 1e-4, "alpha-0 LPIPS = inversion LPIPS");
      assertEquals(32 * 32 * 3, GanImages.decodeOne((byte[]) r.get(2), 32).length);
    }
    // LPIPS to the source grows with |alpha| on average.
    Map<Double, Double> byAlpha = new java.util.TreeMap<>();
    synth.groupBy(org.apache.spark.sql.functions.abs(col("alpha"))).avg("lpips").collectAsList()
        .forEach(r -> byAlpha.put(r.getDouble(0), r.getDouble(1)));
    assertTrue(byAlpha.get(0.0) < byAlpha.get(1.0) && byAlpha.get(1.0) < byAlpha.get(2.0), byAlpha.toString());

    // A run that died before committing some chunks: the rerun writes exactly what is missing.
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.SYNTHETIC)).delete("alpha > 0");
    Outcome resumed = cli(concat("augment", sets));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("144 done before, 96 rows added"), resumed.out());
    assertEquals(240, ctx.tables().read(Tables.SYNTHETIC).count());

    // Leakage: a latent whose lesion is in the validation split is refused, with the image named.
    Row val = ctx.tables().read(Tables.IMAGES).where("split = 'val'").select("lesion_id").first();
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.LATENTS)).update(col("image_id").equalTo(keep.get(0)),
        Map.of("lesion_id", org.apache.spark.sql.functions.lit(val.getString(0))));
    Outcome leak = cli(concat("augment", sets));
    assertEquals(2, leak.code());
    assertTrue(leak.err().contains("leakage: 1 augment sources") && leak.err().contains(keep.get(0)), leak.err());
  }

  private static String[] concat(String first, String[] rest) {
    String[] out = new String[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }
}
