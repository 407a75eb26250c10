package io.dermsynth.udf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.classify.ImageTensors;
import io.dermsynth.core.data.PngEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Transformer on local Spark gives what the model gives on the driver, loading it once per JVM. */
class TestScoreWithLesionClassifier {

  static SparkSession spark;
  @TempDir static Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("udf-test")
        .config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void scoresEqualTheDriverModelAndTheModelLoadsOnce() throws Exception {
    var manifest = new ClassifierModel.Manifest("small", List.of("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"),
        32, 0, Double.NaN, "test");
    Path dir = tmp.resolve("model");
    Files.createDirectories(dir);
    List<Row> rows = new ArrayList<>();
    List<float[]> pixels = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(1);
    try (PngEncoder png = new PngEncoder()) {
      for (int i = 0; i < 50; i++) {
        int[] rgb = new int[32 * 32];
        for (int k = 0; k < rgb.length; k++) {
          rgb[k] = r.nextInt(0x1000000);
        }
        byte[] bytes = png.encodeRgb(rgb, 32, 32);
        rows.add(RowFactory.create("img" + i, bytes));
        pixels.add(ImageTensors.decode(bytes, 32));
      }
    }
    double[][] expected;
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu())) {
      model.save(io.dermsynth.core.CheckpointStore.directory(dir));
      expected = model.predictProba(pixels, 16);
    }
    StructType schema = new StructType().add("image_id", DataTypes.StringType).add("png", DataTypes.BinaryType);
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
    LesionClassifier clf = new LesionClassifier().setModelPath(dir.toUri().toString()).setBatchSize(7);
    int loadsBefore = ModelCache.loads();
    List<Row> out = clf.transform(df).orderBy("image_id").collectAsList();
    clf.transform(df).count();  // a second job on the same executor JVM
    assertEquals(1, ModelCache.loads() - loadsBefore, "one load per JVM, however many tasks");
    assertEquals(50, out.size());
    for (Row row : out) {
      int i = Integer.parseInt(row.getString(0).substring(3));
      double[] got = row.getList(2).stream().mapToDouble(v -> (Double) v).toArray();
      assertArrayEquals(expected[i], got, 1e-6, row.getString(0));
      assertEquals(manifest.classes().get(argmax(got)), row.getString(3));
    }
    var bad = assertThrows(IllegalArgumentException.class,
        () -> new LesionClassifier().setModelPath("x").setInputCol("image_id").transform(df));
    assertTrue(bad.getMessage().contains("binary"), bad.getMessage());
  }

  static int argmax(double[] v) {
    int b = 0;
    for (int k = 1; k < v.length; k++) {
      if (v[k] > v[b]) {
        b = k;
      }
    }
    return b;
  }
}
