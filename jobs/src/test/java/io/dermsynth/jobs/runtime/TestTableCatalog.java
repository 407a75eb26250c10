package io.dermsynth.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestTableCatalog {

  @TempDir Path tmp;

  @Test
  void aCreatedTableCarriesItsCommentsAndItsPngColumnIsAnImage() {
    JobContext ctx = SparkTest.context(tmp.resolve("wh"));
    StructType schema = TableCatalog.schema(Tables.GAN_SAMPLES);
    Dataset<Row> rows = ctx.spark().createDataFrame(List.of(RowFactory.create("m", "s", 1L, 1f, "const",
        new byte[] {1}, "r", java.sql.Timestamp.from(java.time.Instant.now()))), schema);
    ctx.tables().insertNew(Tables.GAN_SAMPLES, rows, "seed");

    // Delta keeps the comments: DESCRIBE (what notebooks and Catalog Explorer show) lists them.
    Map<String, String> described = ctx.spark().sql("DESCRIBE delta.`" + ctx.tables().path(Tables.GAN_SAMPLES) + "`")
        .collectAsList().stream().filter(r -> !r.getString(0).startsWith("#") && !r.getString(0).isEmpty())
        .collect(Collectors.toMap(r -> r.getString(0), r -> String.valueOf(r.getString(2)), (a, b) -> a));
    for (String c : TableCatalog.columns(Tables.GAN_SAMPLES)) {
      assertEquals(TableCatalog.comment(Tables.GAN_SAMPLES, c), described.get(c), c);
    }
    var png = ctx.tables().read(Tables.GAN_SAMPLES).schema().apply("png").metadata();
    assertEquals("{\"mimeType\":\"image/png\"}", png.getString(TableCatalog.CONTENT_ANNOTATION));
    assertTrue(!ctx.tables().read(Tables.GAN_SAMPLES).schema().apply("seed").metadata()
        .contains(TableCatalog.CONTENT_ANNOTATION));

    // Appending keeps them.
    ctx.tables().insertNew(Tables.GAN_SAMPLES, rows.withColumn("seed", org.apache.spark.sql.functions.lit(2L)), "seed");
    assertEquals(TableCatalog.comment(Tables.GAN_SAMPLES, "seed"),
        ctx.tables().read(Tables.GAN_SAMPLES).schema().apply("seed").metadata().getString("comment"));
  }

  @Test
  void aRunsTableFromBeforeCpuSecondsStillListsAndTakesNewRows() throws Exception {
    JobContext ctx = SparkTest.context(tmp.resolve("wh4"));
    // The runs table as dermsynth wrote it before cpu_seconds existed.
    ctx.spark().sql("SELECT 'r0' AS run_id, 'ingest' AS command, 'succeeded' AS status, "
        + "TIMESTAMP'2026-12-01 10:00:00' AS started_at, TIMESTAMP'2026-12-01 10:01:00' AS finished_at, "
        + "'{}' AS config, 'c.conf' AS config_path, map('images_added', '3') AS metrics, "
        + "CAST(NULL AS STRING) AS error, map('seed', '1') AS seeds, map('images', 'h') AS content_hashes")
        .write().format("delta").save(ctx.tables().path(Tables.RUNS));
    List<Row> listed = Runs.listing(ctx, 5).collectAsList();
    assertEquals(1, listed.size());
    assertEquals("60.0 s", listed.get(0).getAs("duration"));

    ctx.tables().appendEvolving(Tables.RUNS, ctx.spark().sql("SELECT 'r1' AS run_id, 'ingest' AS command, "
        + "'succeeded' AS status, TIMESTAMP'2026-12-02 10:00:00' AS started_at, "
        + "TIMESTAMP'2026-12-02 10:00:30' AS finished_at, '{}' AS config, 'c.conf' AS config_path, "
        + "CAST(NULL AS MAP<STRING, STRING>) AS metrics, CAST(NULL AS STRING) AS error, "
        + "CAST(NULL AS MAP<STRING, STRING>) AS seeds, CAST(NULL AS MAP<STRING, STRING>) AS content_hashes, "
        + "41.5D AS cpu_seconds"));
    Map<String, Object> cpu = ctx.tables().read(Tables.RUNS).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> String.valueOf(r.<Object>getAs("cpu_seconds"))));
    assertEquals(Map.of("r0", "null", "r1", "41.5"), cpu);
    assertEquals(2, Runs.listing(ctx, 5).count());
  }

  @Test
  void aColumnTheCatalogueDoesNotDeclareCannotCreateATable() {
    JobContext ctx = SparkTest.context(tmp.resolve("wh2"));
    Dataset<Row> rows = ctx.spark().sql("SELECT 'x' AS run_id, 'ingest' AS command, 'typo' AS stauts");
    String msg = assertThrows(IllegalStateException.class, () -> ctx.tables().appendEvolving(Tables.RUNS, rows))
        .getMessage();
    assertTrue(msg.contains("[stauts]") && msg.contains("status"), msg);
    assertTrue(!ctx.tables().exists(Tables.RUNS));
  }

  @Test
  void everyWriteTakesTheDeclaredColumnsInTheirOrderAndTypes() {
    JobContext ctx = SparkTest.context(tmp.resolve("wh3"));
    // Columns in another order, a nullable one (image_id) missing: stored in the declared order, null there.
    Dataset<Row> rows = ctx.spark().sql("SELECT 'r1' AS run_id, 'ingest' AS stage, 'bad.jpg' AS source, "
        + "'CORRUPT_IMAGE' AS reason_code, 'no JPEG end' AS message, current_timestamp() AS quarantined_at");
    ctx.tables().append(Tables.QUARANTINE, rows);
    Dataset<Row> stored = ctx.tables().read(Tables.QUARANTINE);
    assertEquals(TableCatalog.columns(Tables.QUARANTINE), List.of(stored.columns()));
    assertTrue(stored.first().isNullAt(stored.first().fieldIndex("image_id")));

    String wrongType = assertThrows(IllegalStateException.class, () -> ctx.tables().append(Tables.QUARANTINE,
        rows.withColumn("message", org.apache.spark.sql.functions.lit(3)))).getMessage();
    assertEquals("table quarantine: column message is int, declared string", wrongType);
    String missing = assertThrows(IllegalStateException.class, () -> ctx.tables().append(Tables.QUARANTINE,
        rows.drop("reason_code"))).getMessage();
    assertEquals("table quarantine: column reason_code (string, not null) is missing", missing);
    assertEquals(1, ctx.tables().read(Tables.QUARANTINE).count(), "refused writes wrote nothing");
  }

  @Test
  void aTableFromBeforeAColumnWasDeclaredReadsNullThere() {
    JobContext ctx = SparkTest.context(tmp.resolve("wh4"));
    // A direction_reviews table as an older dermsynth wrote it, without alpha_unit.
    ctx.spark().sql("SELECT 'd1' AS direction_id, 'approved' AS decision, 'size' AS name, -1.0D AS alpha_min, "
        + "1.0D AS alpha_max, '' AS note, 'ana' AS reviewer, current_timestamp() AS decided_at, "
        + "'g-1' AS generator_version, 'r1' AS run_id").write().format("delta")
        .save(ctx.tables().path(Tables.DIRECTION_REVIEWS));
    Row r = ctx.tables().read(Tables.DIRECTION_REVIEWS).first();
    assertTrue(r.isNullAt(r.fieldIndex("alpha_unit")));
  }

  @Test
  void everyTableIsDeclared() {
    for (String t : Tables.ALL) {
      assertTrue(!TableCatalog.columns(t).isEmpty(), t);
    }
  }
}
