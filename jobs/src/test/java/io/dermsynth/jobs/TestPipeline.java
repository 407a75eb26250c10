package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.TestCommandLine.Outcome;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `pipeline --data`: an attended run stops before augment until a direction is reviewed; the next run
 * reuses every finished training stage and goes on to the experiment.
 */
class TestPipeline {

  @TempDir Path tmp;

  @Test
  void stopsForTheReviewThenGoesOnReusingWhatItTrained() throws Exception {
    assertEquals(0, cli("make-phantoms", "--out", tmp.resolve("p").toString(), "--n", "40").code());
    Path wh = tmp.resolve("wh");
    String[] run = {"pipeline", "--data", tmp.resolve("p").toString(), "--set", "warehouse=" + wh,
        "--set", "ingest.size=32", "--set", "gan.preset=tiny32",
        "--set", "gan.kimg=0.008", "--set", "gan.batch_size=8", "--set", "gan.tick_kimg=0.008",
        "--set", "gan.grid_images=4", "--set", "classifier.epochs=1", "--set", "classifier.image_size=32",
        "--set", "inverter.encoder_steps=3", "--set", "inverter.hyper_steps=2", "--set", "inverter.hyper_z=8",
        "--set", "inverter.refinement_iterations=2", "--set", "inverter.tick_steps=5", "--set", "factorize.top_k=3",
        "--set", "augment.alphas=[-1.0, 1.0]", "--set", "augment.target=0", "--set", "augment.partitions=2",
        "--set", "experiment.arms=[baseline, sa20]", "--set", "experiment.lpips_threshold=1.0",
        // One-epoch models: no label gate or reconstruction limit, or the pool would be empty.
        "--set", "experiment.gate=false", "--set", "experiment.lpips_recon_threshold=1.0",
        "--set", "evaluate.bootstrap=100"};
    Outcome first = cli(run);
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("[1/9] ingest") && first.out().contains("[7/9] factorize"), first.out());
    assertTrue(first.out().contains("Stopped before augment: no direction has been reviewed"), first.out());
    assertFalse(first.out().contains("reusing"), first.out());
    JobContext ctx = SparkTest.context(wh);
    assertFalse(ctx.tables().exists(Tables.SYNTHETIC));
    // The pipeline's own presets (small64) sat under the --set overrides.
    String config = ctx.tables().read(Tables.RUNS).where("command = 'pipeline'").first().getAs("config");
    assertTrue(config.contains("\"patience\":15") && config.contains("\"kimg\":0.008"), config);

    String direction = ctx.tables().read(Tables.DIRECTIONS).where("rank = 1").first().getAs("direction_id");
    String generator = ctx.tables().read(Tables.DIRECTIONS).where("rank = 1").first().getAs("generator_version");
    DirectionReviews.append(ctx, new DirectionReviews.Review(direction, "approved", "size", -1.0, 1.0, null, "t",
        Instant.now(), generator, "test"));

    Outcome second = cli(run);
    assertEquals(0, second.code(), second.err());
    for (String stage : new String[] {"train-gan", "train-classifier", "train-inverter"}) {
      assertTrue(second.out().contains("reusing the finished " + stage + " run"), stage + ": " + second.out());
    }
    assertTrue(second.out().contains("0 rows added, 0 quarantined"), "invert adds nothing: " + second.out());
    assertTrue(second.out().contains("[8/9] augment: the approved directions"), second.out());
    assertTrue(second.out().contains("sa20") && second.out().contains("Report: "), second.out());
    assertEquals(1, ctx.tables().read(Tables.RUNS).where("command = 'train-gan'").count(), "trained once");
    assertEquals(java.util.List.of(direction), ctx.tables().read(Tables.SYNTHETIC).select("direction_id").distinct()
        .collectAsList().stream().map(r -> r.getString(0)).toList());
  }
}
