package io.dermsynth.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
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
    // A listed 3 GiB file (sparse: no disk used), larger than ingest.max_bytes: refused before reading.
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(corpus.root.resolve("bad_sparse.jpg").toFile(), "rw")) {
      f.setLength(3L << 30);
    }
    java.nio.file.Files.writeString(corpus.root.resolve("HAM10000_metadata.csv"), "HAM_SP,bad_sparse,nv,histo,50,male,back\n",
        java.nio.file.StandardOpenOption.APPEND);
    corpus.expected.put("bad_sparse", QuarantineReason.IMAGE_TOO_LARGE);
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
    assertTrue(q.stream().anyMatch(row -> "bad_sparse".equals(row.getString(0))
        && row.getString(2).contains(String.valueOf(3L << 30) + " bytes")), q.toString());
    // The duplicate's first listing wins: ok_jpeg stays nv, not the later mel.
    assertEquals("nv", ctx.spark().sql("SELECT dx FROM delta.`" + ctx.tables().path(Tables.IMAGES)
        + "` WHERE image_id = 'ok_jpeg'").first().getString(0));
  }
}
