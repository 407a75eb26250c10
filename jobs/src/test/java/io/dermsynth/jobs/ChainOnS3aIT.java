package io.dermsynth.jobs;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.cli.TextTable;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.review.DirectionReviews;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.jobs.runtime.Tables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain (pipeline: ingest → train-gan → train-classifier → train-inverter → invert → factorize →
 * augment → experiment) with the warehouse and every model on s3a:// against s3proxy, run by bin/dermsynth
 * as a user would: the credentials only in the environment (s3a's default provider chain reads
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), the config file holds the endpoint alone. Attended, as
 * `pipeline` runs by default: the first run stops before augment until a direction is reviewed; the
 * second reuses every finished training stage and goes on to the experiment. Nothing may land in the
 * working directory, and the secret may appear in no log line and in no stored object.
 */
class ChainOnS3aIT {

  @TempDir Path tmp;

  @Test
  void theChainStopsForTheReviewThenGoesOnReusingWhatItTrainedOnS3aWithCredentialsFromTheEnvironment()
      throws Exception {
    assertEquals(0, cli("make-phantoms", "--out", tmp.resolve("phantoms").toString(), "--n", "40").code());
    try (S3Server s3 = new S3Server(tmp.resolve("s3"), "lesions")) {
      StringBuilder conf = new StringBuilder("warehouse = \"s3a://lesions/dermsynth\"\nspark.conf {\n");
      s3.endpoint().forEach((k, v) -> conf.append("  \"spark.hadoop.").append(k).append("\" = \"").append(v)
          .append("\"\n"));
      Path confFile = Files.writeString(tmp.resolve("s3.conf"), conf.append("}\n").toString());
      Path cwd = Files.createDirectories(tmp.resolve("cwd"));
      List<String> cmd = Launcher.command("pipeline", "--data", tmp.resolve("phantoms").toString(), "--config",
          confFile.toString());
      for (String set : new String[] {"ingest.size=32", "gan.preset=tiny32", "gan.kimg=0.016", "gan.batch_size=8",
          "gan.tick_kimg=0.008", "gan.grid_images=4", "classifier.epochs=1", "classifier.image_size=32",
          "inverter.encoder_steps=3", "inverter.hyper_steps=2", "inverter.hyper_z=8",
          "inverter.refinement_iterations=2", "inverter.tick_steps=5", "factorize.top_k=3",
          "augment.alphas=[-1.0, 1.0]", "augment.target=0",
          "augment.partitions=2", "experiment.arms=[baseline, sa20]", "experiment.lpips_threshold=1.0",
          // One-epoch models: no label gate or reconstruction limit, or the pool would be empty.
          "experiment.gate=false", "experiment.lpips_recon_threshold=1.0", "evaluate.bootstrap=50"}) {
        cmd.add("--set");
        cmd.add(set);
      }
      // A time budget stops train-gan after its first tick of two: the run is "partial" and the pipeline
      // stops there (exit 0: nothing is wrong; the next scheduled run goes on).
      List<String> budget = new java.util.ArrayList<>(cmd);
      // 6 ms: past it at the end of tick 1 on any machine (the budget was whole seconds once, and 1 s was not
      // always past on a fast one).
      budget.addAll(List.of("--set", "gan.max_minutes=0.0001"));
      String zeroth = run(budget, cwd, "zeroth.log", Main.EXIT_OK);
      assertTrue(zeroth.contains("Stopped after train-gan: gan.max_minutes ended it at 0.01 of 0.02 kimg"), zeroth);
      assertFalse(zeroth.contains("[3/9] sample"), zeroth);

      // Exit code 3: stopped, waiting for a person (a scheduler should neither retry nor alert). The partial
      // train-gan run is resumed from its snapshot, not reused.
      String first = run(cmd, cwd, "first.log", Main.EXIT_WAITING_FOR_REVIEW);
      assertTrue(first.contains("resuming the partial train-gan run "), first);
      assertTrue(first.contains("0.02 kimg"), first);
      assertTrue(first.contains("[1/9] ingest") && first.contains("[7/9] factorize"), first);
      assertTrue(first.contains("Stopped before augment: no direction has been reviewed"), first);
      assertFalse(first.contains("reusing"), first);

      // Read and write through s3a from this JVM, as a reviewer's tools would.
      org.apache.hadoop.conf.Configuration hadoop = SparkTest.context(tmp.resolve("local")).spark().sparkContext()
          .hadoopConfiguration();
      s3.configure(hadoop);
      JobContext ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", "s3a://lesions/dermsynth")));
      assertFalse(ctx.tables().exists(Tables.SYNTHETIC));
      // The pipeline's own presets (small64) sat under the --set overrides.
      String config = ctx.tables().read(Tables.RUNS).where("command = 'pipeline'").first().getAs("config");
      assertTrue(config.contains("\"patience\":15") && config.contains("\"kimg\":0.016"), config);
      org.apache.spark.sql.Row top = ctx.tables().read(Tables.DIRECTIONS).where("rank = 1").first();
      String direction = top.getAs("direction_id");
      DirectionReviews.append(ctx, new DirectionReviews.Review(direction, "approved", "size", -1.0, 1.0, null, "t",
          java.time.Instant.now(), top.getAs("generator_version"), "test", "w_std"));

      String second = run(cmd, cwd, "second.log", Main.EXIT_OK);
      for (String stage : new String[] {"train-gan", "train-classifier", "train-inverter"}) {
        assertTrue(second.contains("reusing the finished " + stage + " run"), stage + ": " + second);
      }
      assertTrue(second.contains("0 rows added, 0 quarantined"), "invert adds nothing: " + second);
      assertTrue(second.contains("[8/9] augment: the approved directions"), second);
      assertTrue(second.contains("sa20") && second.contains("Report: s3a://lesions/dermsynth/"), second);
      assertEquals(List.of("partial", "succeeded"), ctx.tables().read(Tables.RUNS).where("command = 'train-gan'")
          .orderBy("finished_at").select("status").collectAsList().stream().map(r -> r.getString(0)).toList(),
          "stopped once by the budget, resumed once, then reused");
      String listed = TextTable.render(Runs.listing(ctx, 20), 20);
      assertTrue(listed.lines().anyMatch(l -> l.contains("| train-gan ") && l.contains("| partial ")), listed);
      assertEquals(List.of(direction), ctx.tables().read(Tables.SYNTHETIC).select("direction_id").distinct()
          .collectAsList().stream().map(r -> r.getString(0)).toList());

      for (String log : List.of(zeroth, first, second)) {
        assertFalse(log.contains(S3Server.SECRET_KEY), "the secret is in the log");
      }
      try (var files = Files.list(cwd)) {
        assertEquals(List.of(), files.toList(), "written to the working directory");
      }
      Path bucket = s3.storage().resolve("lesions").resolve("dermsynth");
      for (String table : List.of("images", "runs", "latents", "directions", "synthetic", "evaluations")) {
        assertTrue(Files.isDirectory(bucket.resolve(table).resolve("_delta_log")), table + " is not on S3");
      }
      for (String model : List.of("gan", "classifier", "inverter")) {
        try (var runs = Files.list(bucket.resolve("models").resolve(model))) {
          assertTrue(runs.findAny().isPresent(), model + " models are not on S3");
        }
      }
      byte[] secret = S3Server.SECRET_KEY.getBytes(StandardCharsets.UTF_8);
      try (var objects = Files.walk(s3.storage())) {
        for (Path f : objects.filter(Files::isRegularFile).toList()) {
          assertFalse(contains(Files.readAllBytes(f), secret), "the secret is stored in " + f);
        }
      }

      // Augment's rows lead back to the real images.
      long synthetic = ctx.tables().read(Tables.SYNTHETIC).count();
      assertTrue(synthetic > 0, "no synthetic rows");
      assertEquals(synthetic, ctx.tables().read(Tables.SYNTHETIC).join(ctx.tables().read(Tables.IMAGES), "image_id")
          .count(), "every synthetic row leads back to its real image");
      assertTrue(ctx.tables().read(Tables.RUNS).where("command = 'augment' AND status = 'succeeded'").count() == 1);
    }
  }

  /** One `bin/dermsynth` run in {@code cwd} with the credentials in its environment only, ending with {@code exitCode}; its output. */
  private String run(List<String> cmd, Path cwd, String logName, int exitCode) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(tmp.resolve(logName).toFile());
    pb.environment().put("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
    pb.environment().put("DERMSYNTH_JAVA_OPTS", "-Xmx3g");
    Process p = pb.start();
    boolean ended = p.waitFor(900, TimeUnit.SECONDS);
    String log = Files.readString(tmp.resolve(logName));
    assertTrue(ended, "the chain did not finish in 15 min:\n" + log);
    assertEquals(exitCode, p.exitValue(), log);
    return log;
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
