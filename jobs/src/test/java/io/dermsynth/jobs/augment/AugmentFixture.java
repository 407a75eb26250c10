package io.dermsynth.jobs.augment;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.cli.TestCommandLine;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.delta.tables.DeltaTable;
import io.dermsynth.jobs.cli.TestCommandLine.Outcome;
import java.nio.file.Path;
import java.util.List;

/**
 * A warehouse ready for augment, made from the command line: 40 phantoms ingested at 32 px, a tiny32
 * generator, a classifier, an inverter, every image inverted, then `latents` cut down to 16 train-split
 * rows (val/test rows stay: augment must leave them alone), and the top 3 SeFa directions.
 */
public final class AugmentFixture {

  private AugmentFixture() {}

  /** Builds the warehouse {@code wh}; returns the 16 kept train image ids, sorted. */
  public static List<String> sixteenTrainLatents(Path tmp, Path wh) throws Exception {
    String w = "warehouse=" + wh;
    TestCommandLine.phantomsIngested(tmp, 40, wh, 32);
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
    List<String> keep = ctx.tables().read(Tables.LATENTS).where("split = 'train'").orderBy("image_id")
        .select("image_id").limit(16).collectAsList().stream().map(r -> r.getString(0)).toList();
    assertEquals(16, keep.size());
    DeltaTable.forPath(ctx.spark(), ctx.tables().path(Tables.LATENTS))
        .delete(col("split").equalTo("train").and(col("image_id").isin(keep.toArray()).unary_$bang()));
    Outcome f = cli("factorize", "--set", w, "--set", "factorize.top_k=3");
    assertEquals(0, f.code(), f.err());
    return keep;
  }

  /**
   * augment's settings for 16 latents × 3 directions × 4 non-zero alphas + 16 α = 0 renders (one per
   * latent) = 208 rows, rendered by the generator.
   */
  public static String[] augment(Path wh, int chunkRows) {
    return new String[] {"augment", "--set", "warehouse=" + wh, "--set", "augment.directions=all_top_k", "--set",
        "augment.render=generator", "--set",
        "augment.top_k=3", "--set", "augment.alphas=[-2.0,-1.0,0.0,1.0,2.0]", "--set", "augment.partitions=3",
        "--set", "augment.batch_size=7", "--set", "augment.chunk_rows=" + chunkRows};
  }
}
