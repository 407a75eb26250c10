package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestWritePhantoms {

  @TempDir Path dir;

  @Test
  void hamLayoutAtHamRatiosWithSeveralImagesPerLesion() throws IOException {
    var summary = PhantomDataset.write(dir.resolve("p"), new PhantomDataset.Options(400, 200, 150, 5));
    Manifest m = DatasetFormat.detect(dir.resolve("p")).reader().read(dir.resolve("p"));
    assertEquals(400, m.records().size());
    assertTrue(m.rejections().isEmpty(), m.rejections().toString());
    Map<Diagnosis, Integer> perClass = new EnumMap<>(Diagnosis.class);
    m.records().forEach(r -> perClass.merge(r.dx(), 1, Integer::sum));
    assertEquals(summary.imagesPerClass(), perClass);
    for (Diagnosis d : Diagnosis.values()) {
      double expected = 400.0 * d.hamCount / Diagnosis.hamTotal();
      assertEquals(Math.max(2, expected), perClass.get(d), 2.5, d.code);
    }
    long lesions = m.records().stream().map(SourceRecord::lesionId).distinct().count();
    assertEquals(summary.lesions(), lesions);
    assertTrue(lesions < 400 * 0.9 && lesions > 400 * 0.6, "images per lesion like HAM: " + lesions);
    try (var norm = new ImageNormalizer(ImageNormalizer.Options.ofSize(64))) {
      var ok = norm.normalize(Files.readAllBytes(Path.of(m.records().get(0).sourcePath())));
      assertInstanceOf(ImageNormalizer.Normalized.class, ok);
    }
  }

  @Test
  void sameSeedSameBytes() throws IOException {
    PhantomDataset.write(dir.resolve("a"), new PhantomDataset.Options(20, 64, 48, 9));
    PhantomDataset.write(dir.resolve("b"), new PhantomDataset.Options(20, 64, 48, 9));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a/HAM10000_metadata.csv")),
        Files.readAllBytes(dir.resolve("b/HAM10000_metadata.csv")));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a/images/PHI_0000007.jpg")),
        Files.readAllBytes(dir.resolve("b/images/PHI_0000007.jpg")));
  }
}
