package io.dermsynth.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SharedData;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.data.DatasetFormat;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same real picture under other image ids and lesion ids (issue 20): copies never span two splits,
 * across datasets and runs, by file bytes, by decoded pixels and, when asked, by perceptual hash.
 */
class TestIngestDuplicatesAction {

  @TempDir Path tmp;

  /** 48 real HAM10000 images of 48 lesions, and 12 byte-identical copies of a 49th under 12 ids and lesions. */
  private static Path twelveCopies(Path dir) throws Exception {
    List<String> lines = Files.readAllLines(SharedData.ham10000().resolve("HAM10000_metadata.csv"),
        StandardCharsets.UTF_8);
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("path,label,group\n");
    List<String> lesions = new ArrayList<>();
    for (int i = 1; lesions.size() < 49; i += 37) {
      String[] f = lines.get(i).split(",");
      if (lesions.contains(f[0])) {
        continue;
      }
      lesions.add(f[0]);
      Path jpg = SharedData.ham10000().resolve("images/" + f[1] + ".jpg");
      if (lesions.size() < 49) {
        Files.copy(jpg, dir.resolve(f[1] + ".jpg"));
        csv.append(f[1]).append(".jpg,").append(f[2]).append(',').append(f[0]).append('\n');
      } else {
        for (int k = 0; k < 12; k++) {
          String id = String.format("dup_%02d", k);
          Files.copy(jpg, dir.resolve(id + ".jpg"));
          csv.append(id).append(".jpg,").append(f[2]).append(",copy_lesion_").append(k).append('\n');
        }
      }
    }
    Files.writeString(dir.resolve("labels.csv"), csv);
    return dir;
  }

  @Test
  void copiesShareTheFirstCopysSplitAcrossDatasetsAndRuns() throws Exception {
    Path wh = tmp.resolve("wh");
    Path a = twelveCopies(tmp.resolve("a"));
    JobContext ctx = SparkTest.context(wh, Map.of("ingest.size", "32", "ingest.near_duplicate_radius", "4"));
    IngestJob.Result first = IngestJob.run(ctx, a, DatasetFormat.LABELS_CSV);
    assertEquals(60, first.imagesAdded());
    assertEquals(11, first.duplicates());
    assertEquals(11, first.lesionsGrouped());
    Map<String, String> dupOf = new TreeMap<>();
    for (Row r : ctx.tables().read(Tables.IMAGES).where("image_id LIKE 'dup_%'").select("image_id", "duplicate_of")
        .collectAsList()) {
      dupOf.put(r.getString(0), r.getString(1));
    }
    assertNull(dupOf.remove("dup_00"));
    assertEquals(11, dupOf.size());
    dupOf.values().forEach(v -> assertEquals("dup_00", v));
    assertEquals(1, splitsOf(ctx, "image_id LIKE 'dup_%'"), "copies in more than one split");
    // The 48 distinct pictures are no copies, and HAM10000 lesions keep to one split each.
    assertEquals(48, ctx.tables().read(Tables.IMAGES).where("duplicate_of IS NULL AND image_id NOT LIKE 'dup_%'")
        .count());

    // A second dataset, a later run: the copy as a lossless PNG (other bytes, same pixels), a recompressed
    // JPEG of a stored image (near: perceptual hash), and a new picture.
    Path b = tmp.resolve("b");
    Files.createDirectories(b);
    BufferedImage copy = ImageIO.read(a.resolve("dup_07.jpg").toFile());
    ImageIO.write(copy, "png", b.resolve("png_copy.png").toFile());
    String stored = ctx.tables().read(Tables.IMAGES).where("image_id LIKE 'ISIC_%'").orderBy("image_id")
        .select("image_id").first().getString(0);
    recompress(a.resolve(stored + ".jpg"), b.resolve("near_copy.jpg"), 0.6f);
    Files.writeString(b.resolve("labels.csv"), "path,label,group\npng_copy.png,nv,L_png\nnear_copy.jpg,nv,L_near\n");
    IngestJob.Result second = IngestJob.run(ctx, b, DatasetFormat.LABELS_CSV);
    assertEquals(2, second.imagesAdded());
    assertEquals(2, second.duplicates());
    assertEquals(1, second.nearDuplicates());
    Map<String, String> runs = new TreeMap<>();
    for (Row r : ctx.tables().read(Tables.IMAGES).where("image_id IN ('png_copy', 'near_copy')")
        .select("image_id", "duplicate_of").collectAsList()) {
      runs.put(r.getString(0), r.getString(1));
    }
    assertEquals(Map.of("png_copy", "dup_00", "near_copy", stored), runs);
    assertEquals(1, splitsOf(ctx, "image_id LIKE 'dup_%' OR image_id = 'png_copy'"));
    assertEquals(1, splitsOf(ctx, "image_id IN ('near_copy', '" + stored + "')"));
    Map<String, String> metrics = ctx.tables().read(Tables.RUNS).where("command = 'ingest'")
        .orderBy(org.apache.spark.sql.functions.col("finished_at").desc()).first().getJavaMap(
            ctx.tables().read(Tables.RUNS).schema().fieldIndex("metrics"));
    assertEquals("2", metrics.get("duplicates"), metrics.toString());
    assertEquals("1", metrics.get("near_duplicates"), metrics.toString());
  }

  @Test
  void quarantineKeepsTheFirstCopyAndNamesItInTheOthersReason() throws Exception {
    Path wh = tmp.resolve("wh");
    JobContext ctx = SparkTest.context(wh, Map.of("ingest.size", "32", "ingest.duplicates", "quarantine"));
    IngestJob.Result r = IngestJob.run(ctx, twelveCopies(tmp.resolve("a")), DatasetFormat.LABELS_CSV);
    assertEquals(49, r.imagesAdded());
    assertEquals(11, r.quarantineAdded());
    List<Row> q = ctx.tables().read(Tables.QUARANTINE).select("image_id", "reason_code", "message").collectAsList();
    assertEquals(11, q.size());
    for (Row row : q) {
      assertTrue(row.getString(0).startsWith("dup_") && !row.getString(0).equals("dup_00"), row.toString());
      assertEquals("DUPLICATE_CONTENT", row.getString(1));
      assertTrue(row.getString(2).startsWith("a copy of dup_00;"), row.getString(2));
    }
    assertEquals(1, ctx.tables().read(Tables.IMAGES).where("image_id LIKE 'dup_%'").count());
  }

  private static long splitsOf(JobContext ctx, String where) {
    return ctx.tables().read(Tables.IMAGES).where(where).select("split").distinct().count();
  }

  private static void recompress(Path from, Path to, float quality) throws Exception {
    BufferedImage img = ImageIO.read(from.toFile());
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam p = w.getDefaultWriteParam();
    p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    p.setCompressionQuality(quality);
    try (ImageOutputStream out = ImageIO.createImageOutputStream(to.toFile())) {
      w.setOutput(out);
      w.write(null, new IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
  }
}
