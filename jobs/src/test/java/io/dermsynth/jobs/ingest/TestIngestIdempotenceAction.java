package io.dermsynth.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.data.PhantomDataset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest twice → same rows; add 10 files → exactly 10 more, stored lesions keep their split. */
class TestIngestIdempotenceAction {

  @TempDir Path tmp;

  static Map<String, String> splits(JobContext ctx) {
    Map<String, String> m = new HashMap<>();
    for (Row r : ctx.tables().read(Tables.IMAGES).select("image_id", "split").collectAsList()) {
      m.put(r.getString(0), r.getString(1));
    }
    return m;
  }

  @Test
  void rerunAddsNothingAndNewFilesAddExactlyThemselves() throws Exception {
    Path data = tmp.resolve("phantoms");
    PhantomDataset.write(data, new PhantomDataset.Options(60, 64, 48, 3));
    // One bad file too, so quarantine's idempotence is tested as well.
    Files.writeString(data.resolve("images/stray.jpg"), "not an image");
    JobContext ctx = SparkTest.context(tmp.resolve("wh"), Map.of("ingest.size", "32"));

    IngestJob.Result first = IngestJob.run(ctx, data, null);
    assertEquals(60, first.imagesAdded());
    assertEquals(1, first.quarantineAdded());
    Map<String, String> before = splits(ctx);

    IngestJob.Result second = IngestJob.run(ctx, data, null);
    assertEquals(0, second.imagesAdded());
    assertEquals(0, second.quarantineAdded());
    assertEquals(60, second.alreadyStored());
    assertEquals(60, ctx.tables().read(Tables.IMAGES).count());
    assertEquals(1, ctx.tables().read(Tables.QUARANTINE).count());

    List<String> rows = Files.readAllLines(data.resolve(PhantomDataset.METADATA_CSV));
    StringBuilder extra = new StringBuilder();
    for (int i = 1; i <= 10; i++) {
      String[] f = rows.get(i).split(",", 3);
      Files.copy(data.resolve("images/" + f[1] + ".jpg"), data.resolve("images/NEW_" + i + ".jpg"));
      extra.append("NEWL_").append(i).append(",NEW_").append(i).append(',').append(f[2]).append('\n');
    }
    Files.writeString(data.resolve(PhantomDataset.METADATA_CSV), extra, StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    IngestJob.Result third = IngestJob.run(ctx, data, null);
    assertEquals(10, third.imagesAdded());
    assertEquals(0, third.quarantineAdded());
    assertEquals(70, ctx.tables().read(Tables.IMAGES).count());
    Map<String, String> after = splits(ctx);
    before.forEach((id, split) -> assertEquals(split, after.get(id), id + " must keep its split"));

    // Each run has its row in `runs`, with its figures.
    List<Row> runs = ctx.tables().read(Tables.RUNS).where("command = 'ingest'")
        .orderBy("started_at").select("status", "metrics").collectAsList();
    assertEquals(3, runs.size());
    assertEquals("succeeded", runs.get(2).getString(0));
    assertEquals("10", runs.get(2).<String, String>getJavaMap(1).get("images_added"));
  }
}
