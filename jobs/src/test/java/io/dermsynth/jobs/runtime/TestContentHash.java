package io.dermsynth.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.cli.TestCommandLine;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables.contentHash: the same rows in any order or partitioning hash alike, whichever run wrote them;
 * any change of content (a value, a byte of a blob, a map entry, a row more) changes the hash. And a run's
 * row in `runs` carries its seeds and the hashes of what it wrote.
 */
class TestContentHash {

  @TempDir Path tmp;

  static final StructType SCHEMA = new StructType().add("id", "string").add("x", "double")
      .add("png", "binary").add("v", DataTypes.createArrayType(DataTypes.FloatType))
      .add("m", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
      .add("run_id", "string").add("created_at", "timestamp").add("model_path", "string");

  static List<Row> rows(String runId, long at) {
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      out.add(RowFactory.create("r" + i, i * 0.5, new byte[] {(byte) i, 7}, scala.jdk.javaapi.CollectionConverters
          .asScala(List.of((float) i, 1f)).toSeq(), scala.jdk.javaapi.CollectionConverters.asScala(
          Map.of("a", "1", "b", String.valueOf(i))), runId, new Timestamp(at), "/models/" + runId));
    }
    return out;
  }

  @Test
  void sameRowsHashAlikeAndAnyChangeOfContentDoesNot() {
    JobContext ctx = SparkTest.context(tmp.resolve("wh"));
    var spark = ctx.spark();
    Dataset<Row> a = spark.createDataFrame(rows("run-a", 1000L), SCHEMA).repartition(3);
    List<Row> reversed = new ArrayList<>(rows("run-b", 2000L));
    java.util.Collections.reverse(reversed);
    Dataset<Row> b = spark.createDataFrame(reversed, SCHEMA).coalesce(1);
    String h = Tables.contentHash(a);
    assertTrue(h.matches("t-[0-9a-f]{16}"), h);
    assertEquals(h, Tables.contentHash(b), "other order, partitions, run, time and model folder");

    List<Row> changed = rows("run-a", 1000L);
    changed.set(7, RowFactory.create("r7", 3.5000000001, new byte[] {7, 7}, changed.get(7).get(3),
        changed.get(7).get(4), "run-a", new Timestamp(1000L), "/models/run-a"));
    assertNotEquals(h, Tables.contentHash(spark.createDataFrame(changed, SCHEMA)), "a double's last bits");
    changed = rows("run-a", 1000L);
    changed.set(7, RowFactory.create("r7", 3.5, new byte[] {7, 8}, changed.get(7).get(3), changed.get(7).get(4),
        "run-a", new Timestamp(1000L), "/models/run-a"));
    assertNotEquals(h, Tables.contentHash(spark.createDataFrame(changed, SCHEMA)), "a byte of a blob");
    changed = rows("run-a", 1000L);
    changed.set(7, RowFactory.create("r7", 3.5, new byte[] {7, 7}, changed.get(7).get(3),
        scala.jdk.javaapi.CollectionConverters.asScala(Map.of("a", "1", "b", "8")), "run-a", new Timestamp(1000L),
        "/models/run-a"));
    assertNotEquals(h, Tables.contentHash(spark.createDataFrame(changed, SCHEMA)), "a map entry");
    changed = rows("run-a", 1000L);
    changed.add(changed.get(0));
    assertNotEquals(h, Tables.contentHash(spark.createDataFrame(changed, SCHEMA)), "a duplicated row");
    // Two swapped values between rows are a change too (a multiset of rows, not of values).
    changed = rows("run-a", 1000L);
    Row r1 = changed.get(1);
    Row r2 = changed.get(2);
    changed.set(1, RowFactory.create(r1.get(0), r2.get(1), r1.get(2), r1.get(3), r1.get(4), r1.get(5), r1.get(6),
        r1.get(7)));
    changed.set(2, RowFactory.create(r2.get(0), r1.get(1), r2.get(2), r2.get(3), r2.get(4), r2.get(5), r2.get(6),
        r2.get(7)));
    assertNotEquals(h, Tables.contentHash(spark.createDataFrame(changed, SCHEMA)), "values swapped across rows");
    assertNotEquals(h, Tables.contentHash(a.drop("m")), "a column fewer");
    assertEquals(Tables.contentHash(a.limit(0)), Tables.contentHash(b.limit(0)));
  }

  @Test
  void aRunsRowHasItsSeedsAndTheHashesOfTheRowsItWrote() throws Exception {
    Path wh = tmp.resolve("wh2");
    Path data = tmp.resolve("phantoms");
    io.dermsynth.core.data.PhantomDataset.write(data, new io.dermsynth.core.data.PhantomDataset.Options(30, 64, 48, 7));
    TestCommandLine.Outcome o = TestCommandLine.cli("ingest", "--data", data.toString(), "--set",
        "warehouse=" + wh, "--set", "ingest.size=32", "--set", "seed=11");
    assertEquals(0, o.code(), o.err());
    JobContext ctx = SparkTest.context(wh);
    Row run = ctx.tables().read(Tables.RUNS).where("command = 'ingest'").first();
    Map<String, String> seeds = run.getJavaMap(run.fieldIndex("seeds"));
    assertEquals("11", seeds.get("seed"));
    // The run's CPU (this JVM's, every thread) fits in its wall time on this machine's cores.
    double wall = (run.<java.sql.Timestamp>getAs("finished_at").getTime()
        - run.<java.sql.Timestamp>getAs("started_at").getTime()) / 1e3;
    double cpu = run.getAs("cpu_seconds");
    assertTrue(cpu > 0 && cpu <= wall * Runtime.getRuntime().availableProcessors() * 1.05 + 0.1,
        "cpu_seconds " + cpu + " for " + wall + " s of wall time");
    assertEquals(String.valueOf(io.dermsynth.core.data.Hashing.seeded(11, "ingest.split.seed") & 0x7fffffffL),
        seeds.get("ingest.split.seed"));
    Map<String, String> hashes = run.getJavaMap(run.fieldIndex("content_hashes"));
    assertEquals(Tables.contentHash(ctx.tables().read(Tables.IMAGES)), hashes.get(Tables.IMAGES));
    // Every table the run changed, hashed over the rows with its run_id (the phantoms also quarantine some).
    assertEquals(java.util.Set.of(Tables.IMAGES, Tables.QUARANTINE), hashes.keySet());
    assertEquals(Tables.contentHash(ctx.tables().read(Tables.QUARANTINE)
        .where(org.apache.spark.sql.functions.col("run_id").equalTo(run.<String>getAs("run_id")))),
        hashes.get(Tables.QUARANTINE));

    // `dermsynth runs` shows them; a rerun that adds nothing records no table.
    assertEquals(0, TestCommandLine.cli("ingest", "--data", data.toString(), "--set", "warehouse=" + wh, "--set",
        "ingest.size=32", "--set", "seed=11").code());
    TestCommandLine.Outcome listed = TestCommandLine.cli("runs", "--set", "warehouse=" + wh, "--last", "5");
    assertEquals(0, listed.code(), listed.err());
    List<String> lines = listed.out().lines().toList();
    assertTrue(lines.get(0).matches("run_id +\\| command \\| status +\\| started +\\| duration \\| metrics +"
        + "\\| seed \\| wrote *"), lines.get(0));
    assertTrue(lines.get(2).matches(".*\\| ingest  \\| succeeded \\| 20\\d\\d-\\d\\d-\\d\\d [0-9:]{8} \\| [0-9.]+ s +"
        + "\\| dataset=ham10000, listed=\\d+, listing_rejected=0 +\\| 11 +\\| .*"), lines.get(2));
    assertTrue(lines.get(3).endsWith("| 11   | images=" + hashes.get(Tables.IMAGES) + ", quarantine="
        + hashes.get(Tables.QUARANTINE)), lines.get(3));
  }
}
