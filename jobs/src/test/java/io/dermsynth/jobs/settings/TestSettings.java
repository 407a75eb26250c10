package io.dermsynth.jobs.settings;


import io.dermsynth.jobs.runtime.ModelStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestSettings {

  @TempDir Path tmp;

  @Test
  void unknownKeyNamesItselfAndTheAllowedKeys() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Settings.load(List.of(), Map.of("ingest.sise", "64")));
    assertTrue(e.getMessage().contains("'ingest.sise'"), e.getMessage());
    assertTrue(e.getMessage().contains("ingest.size") && e.getMessage().contains("warehouse"), e.getMessage());
  }

  @Test
  void aRootSeedDerivesEveryStageSeedNotSetExplicitly() {
    Settings plain = Settings.load(List.of(), Map.of());
    assertEquals("off", plain.config().getString("seed"));
    assertEquals("seed must be off or a number ≥ 0, got '-1'", org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> Settings.load(List.of(), Map.of("seed", "-1"))).getMessage());
    assertEquals(42, plain.config().getLong("ingest.split.seed"), "no root seed: stage seeds as written");
    assertEquals("off", plain.seeds().get("seed"));
    assertEquals("1", plain.seeds().get("gan.seed"));

    Settings a = Settings.load(List.of(), Map.of("seed", "5", "classifier.seed", "3"));
    Settings b = Settings.load(List.of(), Map.of("seed", "5"));
    Settings c = Settings.load(List.of(), Map.of("seed", "6"));
    // SHA-256 of "5:gan.seed", first 8 bytes big-endian, low 31 bits: python3 -c "import hashlib, struct;
    // print(struct.unpack('>q', hashlib.sha256(b'5:gan.seed').digest()[:8])[0] & 0x7fffffff)"
    assertEquals(254649237L, a.config().getLong("gan.seed"));
    assertEquals(a.config().getLong("gan.seed"), b.config().getLong("gan.seed"), "the same root, the same stage seed");
    assertTrue(a.config().getLong("gan.seed") != c.config().getLong("gan.seed"));
    assertTrue(a.config().getLong("gan.seed") != a.config().getLong("inverter.seed"), "each stage its own stream");
    assertEquals(3, a.config().getLong("classifier.seed"), "an explicit stage seed stays");
    assertTrue(b.config().getLong("classifier.seed") != 3);
    java.util.Set<String> stageSeeds = new java.util.TreeSet<>(a.seeds().keySet());
    stageSeeds.remove("seed");
    assertTrue(stageSeeds.containsAll(List.of("classifier.seed", "evaluate.seed", "factorize.seed", "gan.seed",
        "ingest.split.seed", "inverter.seed", "phantoms.seed")), stageSeeds.toString());
    for (String k : stageSeeds) {
      assertEquals(a.config().getValue(k).unwrapped().toString(), a.seeds().get(k), k);
    }
  }

  @Test
  void unknownKeyInAFileNamesTheFile() throws Exception {
    Path f = tmp.resolve("my.conf");
    Files.writeString(f, "ingest { split { trian = 0.8 } }\n");
    var e = assertThrows(IllegalArgumentException.class, () -> Settings.load(List.of(f), Map.of()));
    assertTrue(e.getMessage().contains("'ingest.split.trian'") && e.getMessage().contains("my.conf"),
        e.getMessage());
  }

  @Test
  void aFileTakesOptionalValuesFromTheEnvironmentAndStillChecksTheirTypes() throws Exception {
    Path f = tmp.resolve("env.conf");
    Files.writeString(f, "warehouse = ${?HOME}\ningest.size = ${?DERMSYNTH_NOT_SET_ANYWHERE}\n");
    Settings s = Settings.load(List.of(f), Map.of());
    assertEquals(System.getenv("HOME"), s.warehouse());
    assertEquals(128, s.config().getInt("ingest.size"), "an unset optional variable leaves the default");
    Files.writeString(f, "augment.alphas = ${?HOME}\n");
    var e = assertThrows(IllegalArgumentException.class, () -> Settings.load(List.of(f), Map.of()));
    assertTrue(e.getMessage().contains("'augment.alphas' must be of type list"), e.getMessage());
  }

  @Test
  void aGpuDeviceOnACpuOnlyLibtorchIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> ModelStore.device(Settings.load(List.of(), Map.of("gan.device", "gpu")), "gan.device"));
    assertEquals("gan.device is gpu but libtorch sees 0 GPU(s)", e.getMessage());
    assertEquals(ai.djl.Device.cpu(), ModelStore.device(Settings.load(List.of(), Map.of()), "gan.device"));
  }

  @Test
  void setValuesAreTypedAndLaterFilesWin() throws Exception {
    Path a = tmp.resolve("a.conf");
    Path b = tmp.resolve("b.conf");
    Files.writeString(a, "ingest.size = 96\nphantoms.n = 50\n");
    Files.writeString(b, "ingest.size = 48\n");
    Settings s = Settings.load(List.of(a, b), Map.of("warehouse", "s3a://bucket/ds",
        "spark.conf.\"spark.sql.shuffle.partitions\"", "3"));
    assertEquals(48, s.config().getInt("ingest.size"));
    assertEquals(50, s.config().getInt("phantoms.n"));
    assertEquals("s3a://bucket/ds", s.warehouse());
    assertEquals("3", s.config().getConfig("spark.conf").getString("\"spark.sql.shuffle.partitions\""));
    var bad = assertThrows(IllegalArgumentException.class,
        () -> Settings.load(List.of(), Map.of("ingest.size", "big")));
    assertTrue(bad.getMessage().contains("'ingest.size' must be a number"), bad.getMessage());
    var wrongType = assertThrows(IllegalArgumentException.class, () -> {
      Path c = tmp.resolve("c.conf");
      Files.writeString(c, "ingest.split = 3\n");
      Settings.load(List.of(c), Map.of());
    });
    assertTrue(wrongType.getMessage().contains("'ingest.split' must be of type object"), wrongType.getMessage());
  }

  @Test
  void resolvedConfigRendersBackToTheSameValues() {
    Settings s = Settings.load(List.of(), Map.of("ingest.size", "80"));
    Settings again = Settings.load(List.of(), Map.of());
    assertEquals(80, com.typesafe.config.ConfigFactory.parseString(s.render()).getInt("ingest.size"));
    assertEquals(128, again.config().getInt("ingest.size"));
  }
}
