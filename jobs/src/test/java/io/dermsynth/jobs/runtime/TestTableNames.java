package io.dermsynth.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.data.PhantomDataset;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.ingest.IngestJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tables by name in a catalog (tables.catalog/schema/kind): managed, external, and a path warehouse registered. */
class TestTableNames {

  @TempDir Path tmp;

  private static Map<String, String> describe(SparkSession spark, String name) {
    return spark.sql("DESCRIBE TABLE EXTENDED " + name).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> String.valueOf(r.getString(1)), (a, b) -> a));
  }

  private static Path phantoms(Path dir) throws Exception {
    PhantomDataset.write(dir, new PhantomDataset.Options(24, 48, 36, 5));
    Files.writeString(dir.resolve("images/stray.jpg"), "not an image");
    return dir;
  }

  @Test
  void ingestWritesManagedTablesByNameThatKeepTheirCommentsAndImageColumns() throws Exception {
    Path data = phantoms(tmp.resolve("phantoms"));
    JobContext ctx = SparkTest.context(tmp.resolve("wh"), Map.of("ingest.size", "32",
        "tables.catalog", "spark_catalog", "tables.schema", "uc_managed"));
    // The schema's location keeps the managed files in the test's folder (Unity Catalog chooses its own).
    ctx.spark().sql("CREATE SCHEMA spark_catalog.uc_managed LOCATION '" + tmp.resolve("managed").toUri() + "'");

    assertEquals(24, IngestJob.run(ctx, data, null).imagesAdded());
    String images = "`spark_catalog`.`uc_managed`.`images`";
    assertEquals(images, ctx.tables().where(Tables.IMAGES));
    Map<String, String> d = describe(ctx.spark(), images);
    assertEquals("MANAGED", d.get("Type"));
    assertTrue(d.get("Location").contains("managed/images"), d.get("Location"));
    assertFalse(Files.exists(tmp.resolve("wh/images")), "no folder under the warehouse for a managed table");
    assertEquals(24, ctx.spark().table(images).count());
    assertEquals(1, ctx.spark().table("spark_catalog.uc_managed.quarantine").count());
    assertEquals(1, ctx.spark().table("spark_catalog.uc_managed.runs").where("command = 'ingest'").count());
    // What Catalog Explorer and display() see: the column comments and the PNG column's mimeType.
    var png = ctx.spark().table(images).schema().apply("png").metadata();
    assertEquals("{\"mimeType\":\"image/png\"}", png.getString(TableCatalog.CONTENT_ANNOTATION));
    assertEquals(TableCatalog.comment(Tables.IMAGES, "dx"), ctx.spark().table(images).schema().apply("dx")
        .getComment().get());

    // Again: the merge by name adds nothing, and the run records the tables' versions.
    IngestJob.Result again = IngestJob.run(ctx, data, null);
    assertEquals(0, again.imagesAdded());
    assertEquals(24, again.alreadyStored());
    assertEquals(0, ctx.tables().logVersion(Tables.IMAGES));
    assertEquals(-1, ctx.tables().logVersion(Tables.LATENTS));
  }

  @Test
  void externalTablesKeepTheirFilesUnderTheWarehouseAndAPathWarehouseIsRegisteredByName() throws Exception {
    Path data = phantoms(tmp.resolve("phantoms"));
    Path wh = tmp.resolve("wh");
    JobContext paths = SparkTest.context(wh, Map.of("ingest.size", "32"));
    assertEquals(24, IngestJob.run(paths, data, null).imagesAdded());

    JobContext named = SparkTest.context(wh, Map.of("ingest.size", "32", "tables.catalog", "spark_catalog",
        "tables.schema", "uc_external", "tables.kind", "external"));
    named.spark().sql("CREATE SCHEMA spark_catalog.uc_external LOCATION '" + tmp.resolve("ext").toUri() + "'");
    assertFalse(named.spark().catalog().tableExists("spark_catalog.uc_external.images"));
    // Any command registers the folders it finds: here the `sql` command's views.
    assertEquals(List.of(Tables.IMAGES, Tables.QUARANTINE, Tables.RUNS), named.tables().registerViews());
    for (String t : List.of(Tables.IMAGES, Tables.QUARANTINE, Tables.RUNS)) {
      Map<String, String> d = describe(named.spark(), "spark_catalog.uc_external." + t);
      assertEquals("EXTERNAL", d.get("Type"), t);
      assertTrue(d.get("Location").endsWith("wh/" + t), d.get("Location"));
    }
    assertEquals(24, named.spark().table("spark_catalog.uc_external.images").count());

    // Writes by name land in the same folders: the path-based view sees them.
    Files.copy(data.resolve("images/stray.jpg"), data.resolve("images/stray2.jpg"));
    IngestJob.Result more = IngestJob.run(named, data, null);
    assertEquals(0, more.imagesAdded());
    assertEquals(1, more.quarantineAdded());
    assertEquals(2, paths.tables().read(Tables.QUARANTINE).count());
    assertEquals(2, named.spark().table("spark_catalog.uc_external.quarantine").count());
    // A table first written by name is created external at its folder.
    named.tables().append(Tables.DIRECTION_REVIEWS, named.spark().createDataFrame(List.<Row>of(),
        TableCatalog.schema(Tables.DIRECTION_REVIEWS)));
    assertTrue(describe(named.spark(), "spark_catalog.uc_external.direction_reviews").get("Location")
        .endsWith("wh/direction_reviews"));
    assertTrue(paths.tables().exists(Tables.DIRECTION_REVIEWS));
  }

  @Test
  void aBadTablesSettingNamesTheKeyAndWhatIsAllowed() {
    String kind = assertThrows(IllegalArgumentException.class, () -> SparkTest.context(tmp.resolve("w"),
        Map.of("tables.catalog", "main", "tables.kind", "shared"))).getMessage();
    assertEquals("tables.kind = 'shared'; allowed: [managed, external]", kind);
    String dotted = assertThrows(IllegalArgumentException.class, () -> SparkTest.context(tmp.resolve("w"),
        Map.of("tables.catalog", "main.dermsynth"))).getMessage();
    assertTrue(dotted.contains("tables.catalog and tables.schema must be plain names"), dotted);
  }
}
