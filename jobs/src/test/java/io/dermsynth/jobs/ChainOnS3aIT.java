package io.dermsynth.jobs;

import static io.dermsynth.jobs.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), the config file holds the endpoint alone. Nothing may land in
 * the working directory, and the secret may appear in no log line and in no stored object.
 */
class ChainOnS3aIT {

  @TempDir Path tmp;

  @Test
  void theWholeChainRunsOnS3aWithCredentialsFromTheEnvironmentOnly() throws Exception {
    assertEquals(0, cli("make-phantoms", "--out", tmp.resolve("phantoms").toString(), "--n", "40").code());
    try (S3Server s3 = new S3Server(tmp.resolve("s3"), "lesions")) {
      StringBuilder conf = new StringBuilder("warehouse = \"s3a://lesions/dermsynth\"\nspark.conf {\n");
      s3.endpoint().forEach((k, v) -> conf.append("  \"spark.hadoop.").append(k).append("\" = \"").append(v)
          .append("\"\n"));
      Path confFile = Files.writeString(tmp.resolve("s3.conf"), conf.append("}\n").toString());
      Path cwd = Files.createDirectories(tmp.resolve("cwd"));
      List<String> cmd = Launcher.command("pipeline", "--data", tmp.resolve("phantoms").toString(), "--config",
          confFile.toString());
      for (String set : new String[] {"ingest.size=32", "gan.preset=tiny32", "gan.kimg=0.008", "gan.batch_size=8",
          "gan.tick_kimg=0.008", "gan.grid_images=4", "classifier.epochs=1", "classifier.image_size=32",
          "inverter.encoder_steps=3", "inverter.hyper_steps=2", "inverter.hyper_z=8",
          "inverter.refinement_iterations=2", "inverter.tick_steps=5", "factorize.top_k=2",
          "augment.directions=all_top_k", "augment.top_k=2", "augment.alphas=[-1.0, 1.0]", "augment.target=0",
          "augment.partitions=2", "experiment.arms=[baseline, sa20]", "experiment.lpips_threshold=1.0",
          // One-epoch models: no label gate or reconstruction limit, or the pool would be empty.
          "experiment.gate=false", "experiment.lpips_recon_threshold=1.0", "evaluate.bootstrap=50"}) {
        cmd.add("--set");
        cmd.add(set);
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
          .redirectOutput(tmp.resolve("chain.log").toFile());
      pb.environment().put("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);
      pb.environment().put("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
      pb.environment().put("DERMSYNTH_JAVA_OPTS", "-Xmx3g");
      Process p = pb.start();
      boolean ended = p.waitFor(900, TimeUnit.SECONDS);
      String log = Files.readString(tmp.resolve("chain.log"));
      assertTrue(ended, "the chain did not finish in 15 min:\n" + log);
      assertEquals(0, p.exitValue(), log);
      assertTrue(log.contains("[8/9] augment") && log.contains("Report: s3a://lesions/dermsynth/"), log);

      assertFalse(log.contains(S3Server.SECRET_KEY), "the secret is in the log");
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

      // Read back through s3a from this JVM: augment's rows and their lineage to the real images.
      org.apache.hadoop.conf.Configuration hadoop = SparkTest.context(tmp.resolve("local")).spark().sparkContext()
          .hadoopConfiguration();
      s3.configure(hadoop);
      JobContext ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", "s3a://lesions/dermsynth")));
      long synthetic = ctx.tables().read(Tables.SYNTHETIC).count();
      assertTrue(synthetic > 0, "no synthetic rows");
      assertEquals(synthetic, ctx.tables().read(Tables.SYNTHETIC).join(ctx.tables().read(Tables.IMAGES), "image_id")
          .count(), "every synthetic row leads back to its real image");
      assertTrue(ctx.tables().read(Tables.RUNS).where("command = 'augment' AND status = 'succeeded'").count() == 1);
    }
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
