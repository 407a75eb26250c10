package io.dermsynth.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SharedData;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.data.CsvTable;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 600 real HAM10000 images from ../shared through the ingest job on local Spark. */
class TestIngestRealDataAction {

  @TempDir Path tmp;

  /**
   * Every 14th row of the real csv (600 rows), with copies of their images (links would point out of the
   * dataset folder, which ingest refuses: OUTSIDE_ROOT).
   */
  static Path subset(Path ham, Path dir, int n) throws Exception {
    List<String> lines = Files.readAllLines(ham.resolve("HAM10000_metadata.csv"), StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("images"));
    StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
    int taken = 0;
    for (int i = 1; i < lines.size() && taken < n; i += 14) {
      String imageId = lines.get(i).split(",")[1];
      Files.copy(ham.resolve("images/" + imageId + ".jpg"), dir.resolve("images/" + imageId + ".jpg"));
      csv.append(lines.get(i)).append('\n');
      taken++;
    }
    Files.writeString(dir.resolve("HAM10000_metadata.csv"), csv);
    return dir;
  }

  @Test
  void sixHundredRealImages() throws Exception {
    Path data = subset(SharedData.ham10000(), tmp.resolve("ham600"), 600);
    JobContext ctx = SparkTest.context(tmp.resolve("wh"), Map.of("ingest.size", "64"));
    IngestJob.Result r = IngestJob.run(ctx, data, null);
    assertEquals("ham10000", r.dataset());
    assertEquals(600, r.imagesAdded());
    assertEquals(0, r.quarantineAdded());

    Map<String, Long> expected = CsvTable.read(data.resolve("HAM10000_metadata.csv")).rows().stream()
        .collect(Collectors.groupingBy(row -> row.get("dx"), TreeMap::new, Collectors.counting()));
    Map<String, Long> got = new TreeMap<>();
    for (Row row : ctx.tables().read(Tables.IMAGES).groupBy("dx").count().collectAsList()) {
      got.put(row.getString(0), row.getLong(1));
    }
    assertEquals(expected, got);
    assertEquals(7, got.size(), "the subset has every class");

    long shared = ctx.spark().sql("SELECT lesion_id FROM delta.`" + ctx.tables().path(Tables.IMAGES)
        + "` GROUP BY lesion_id HAVING count(DISTINCT split) > 1").count();
    assertEquals(0, shared, "no lesion may appear in two splits");

    List<Row> pngs = ctx.tables().read(Tables.IMAGES).select("image_id", "png", "width", "height").collectAsList();
    for (Row row : pngs) {
      BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) row.get(1)));
      assertEquals(64, img.getWidth(), row.getString(0));
      assertEquals(64, img.getHeight(), row.getString(0));
      assertEquals(64, row.getInt(2));
    }
    // HAM10000 metadata travels into the table.
    Row first = ctx.spark().sql("SELECT age, sex, localization, dx_type, source_width, source_height FROM delta.`"
        + ctx.tables().path(Tables.IMAGES) + "` WHERE image_id = 'ISIC_0027419'").first();
    assertEquals(80.0, first.getDouble(0));
    assertEquals("male", first.getString(1));
    assertEquals("scalp", first.getString(2));
    assertEquals("histo", first.getString(3));
    assertEquals(200, first.getInt(4));
    assertEquals(150, first.getInt(5));
    assertTrue(Files.exists(tmp.resolve("wh/_runs/" + r.runId() + "/config.conf")));
  }
}
