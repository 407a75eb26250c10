package io.dermsynth.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.data.BadInputCorpus;
import io.dermsynth.core.data.QuarantineReason;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input the corpus holds: good rows land, each bad one is quarantined with its reason. */
class TestIngestBadInputAction {

  @TempDir Path tmp;

  @Test
  void goodRowsLandAndEachBadOneIsQuarantinedWithItsReason() throws Exception {
    BadInputCorpus corpus = BadInputCorpus.write(tmp.resolve("corpus"));
    assertTrue(corpus.expected.size() + corpus.idless.size() + 1 >= 15, "≥ 15 kinds");
    JobContext ctx = SparkTest.context(tmp.resolve("wh"), Map.of("ingest.size", "32"));
    IngestJob.Result r = IngestJob.run(ctx, corpus.root, null);

    Set<String> expectedGood = new TreeSet<>();
    corpus.expected.forEach((id, reason) -> {
      if (reason == null) {
        expectedGood.add(id);
      }
    });
    Set<String> landed = new TreeSet<>(ctx.tables().read(Tables.IMAGES).select("image_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    assertEquals(expectedGood, landed, "exactly the good files land in images, none lost");
    assertEquals(expectedGood.size(), r.imagesAdded());

    List<Row> q = ctx.tables().read(Tables.QUARANTINE)
        .select("image_id", "reason_code", "message", "source", "run_id").collectAsList();
    assertEquals(corpus.expectedQuarantineRows(), q.size(), q.toString());
    assertEquals(q.size(), r.quarantineAdded());
    Set<String> got = new HashSet<>();
    for (Row row : q) {
      got.add(row.getString(0) + "→" + row.getString(1));
      assertTrue(!row.getString(2).isBlank() && !row.getString(3).isBlank(), row.toString());
      assertEquals(r.runId(), row.getString(4));
    }
    corpus.expected.forEach((id, reason) -> {
      if (reason != null) {
        assertTrue(got.contains(id + "→" + reason), id + " should be quarantined as " + reason + "; got " + got);
      }
    });
    assertTrue(got.contains("ok_jpeg→" + QuarantineReason.DUPLICATE_IMAGE_ID), got.toString());
    for (QuarantineReason reason : corpus.idless.values()) {
      assertTrue(got.contains("null→" + reason), reason + " in " + got);
    }
    // The duplicate's first listing wins: ok_jpeg stays nv, not the later mel.
    assertEquals("nv", ctx.spark().sql("SELECT dx FROM delta.`" + ctx.tables().path(Tables.IMAGES)
        + "` WHERE image_id = 'ok_jpeg'").first().getString(0));
  }
}
