package io.dermsynth.core.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.metrics.FeatureDistances;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generator quality (FID, KID, diversity in a classifier's features) and the best-snapshot bookkeeping. */
class TestGanQuality {

  private static final GanArchitecture TINY = TestStyleGan2Equivalence.TINY;

  private static ClassifierModel featureNet() {
    Engine.getInstance().setRandomSeed(3);
    return ClassifierModel.create(new ClassifierModel.Manifest("small", List.of("a", "b"), 32, 0, Double.NaN, "t"),
        Device.cpu());
  }

  /** {@code n} images of {@code g} (latents from {@code seed}) as 8-bit pixels: a "real" set it should match. */
  private static GanImages samplesOf(Generator g, NDManager m, int n, long seed) {
    float[] z = TINY.randomZ(new java.util.Random(seed), n);
    float[] px = g.forward(m.create(z, new Shape(n, TINY.zDim())), 1f, NoiseMode.CONST).toFloatArray();
    int len = 3 * TINY.resolution() * TINY.resolution();
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[len];
      for (int j = 0; j < len; j++) {
        b[j] = (byte) Math.round(Math.max(0, Math.min(255, (px[i * len + j] + 1) * 127.5f)));
      }
      out.add(b);
    }
    return new GanImages(TINY.resolution(), out);
  }

  @Test
  void scoresAreLowerAgainstTheGeneratorsOwnDistributionAndRepeatExactly() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      Generator g = Generator.create(TINY, m);
      GanImages own = samplesOf(g, m, 64, 99);
      GanImages noise = TestGanTrainer.noiseImages(64, TINY.resolution(), 5);
      try (GanQuality vsOwn = new GanQuality(featureNet(), own, 64, 7);
          GanQuality vsNoise = new GanQuality(featureNet(), noise, 64, 7)) {
        GanQuality.Scores a = vsOwn.measure(g, m);
        GanQuality.Scores b = vsNoise.measure(g, m);
        assertTrue(a.fid() < b.fid() / 5, a + " vs " + b);
        assertTrue(a.kid() < b.kid() / 5, a + " vs " + b);
        assertEquals(64, a.fakes());
        assertEquals(64, a.reals());
        // The same latents every time: a generator measured twice scores the same.
        assertEquals(a, vsOwn.measure(g, m));
        // Diversity: 32 pairs of different samples, a positive LPIPS below 1.
        assertTrue(a.diversity() > 0 && a.diversity() < 1, a.toString());
        assertEquals(a.diversity(), b.diversity(), 1e-12);
      }
    }
  }

  /** The scores are FeatureDistances of the two embedded sets (checked against scipy in TestClassificationMetrics). */
  @Test
  void scoresAreTheFeatureDistancesOfTheEmbeddings() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(2);
      Generator g = Generator.create(TINY, m);
      GanImages reals = TestGanTrainer.noiseImages(10, TINY.resolution(), 8);
      try (GanQuality q = new GanQuality(featureNet(), reals, 6, 11); ClassifierModel net = featureNet()) {
        GanQuality.Scores s = q.measure(g, m);
        float[] z = TINY.randomZ(new java.util.Random(11), 6);
        NDArray fakes = g.forward(m.create(z, new Shape(6, TINY.zDim())), 1f, NoiseMode.CONST);
        double[][] f = rows(net.embedding(resized(fakes)));
        double[][] rl = rows(net.embedding(resized(reals.batch(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, m))));
        assertEquals(FeatureDistances.frechet(f, rl), s.fid(), 1e-6 * Math.max(1, s.fid()));
        assertEquals(FeatureDistances.kid(f, rl), s.kid(), 1e-9);
      }
    }
  }

  @Test
  void refusesTooFewImages() {
    try (ClassifierModel net = featureNet()) {
      assertThrows(IllegalArgumentException.class,
          () -> new GanQuality(net, TestGanTrainer.noiseImages(1, 16, 1), 8, 1));
      assertThrows(IllegalArgumentException.class,
          () -> new GanQuality(net, TestGanTrainer.noiseImages(4, 16, 1), 1, 1));
    }
  }

  /**
   * best.json follows the lowest KID over measured snapshots; pruning to the newest N keeps it; a run folder
   * loads it with Pick.BEST and its newest snapshot with Pick.NEWEST.
   */
  @Test
  void bestSnapshotIsTheLowestKidAndSurvivesPruning(@TempDir Path dir) throws IOException {
    CheckpointStore store = CheckpointStore.directory(dir);
    double[] kids = {0.30, 0.10, Double.NaN, 0.20, 0.40};
    try (GanTrainer t = TestGanTrainer.tinyTrainer(TestGanTrainer.busyOptions())) {
      for (int i = 0; i < kids.length; i++) {
        t.step(TestGanTrainer.noiseImages(8, 16, i));
        String snap = t.save(store);
        BestSnapshot.offer(store, snap, tick(i + 1, kids[i]), "classifier");
      }
    }
    BestSnapshot best = BestSnapshot.read(store).orElseThrow();
    assertEquals("snapshot-000000002", best.snapshot());
    assertEquals(0.10, best.kid());
    assertEquals(2, best.tick());
    // busyOptions keeps 2 snapshots: the newest two and the best.
    assertEquals(List.of("snapshot-000000002", "snapshot-000000004", "snapshot-000000005"),
        new io.dermsynth.core.ModelFolder(store, GanTrainer.FORMAT).snapshots());
    try (NDManager m = NDManager.newBaseManager()) {
      assertEquals("snapshot-000000002", GanModels.loadGenerator(store, m, GanModels.Pick.BEST).source());
      assertEquals("snapshot-000000005", GanModels.loadGenerator(store, m, GanModels.Pick.NEWEST).source());
    }
    Files.delete(dir.resolve(BestSnapshot.FILE));
    try (NDManager m = NDManager.newBaseManager()) {
      IOException e = assertThrows(IOException.class, () -> GanModels.loadGenerator(store, m, GanModels.Pick.BEST));
      assertTrue(e.getMessage().contains("none of its snapshots was scored"), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve("snapshot-000000001")));
    assertThrows(IllegalArgumentException.class, () -> GanModels.Pick.parse("oldest"));
  }

  /**
   * KIDs compare within one feature network: the first snapshot scored in new features (Inception brought
   * mid-run) becomes the best whatever its KID; a best.json from before features were recorded counts as
   * the classifier's.
   */
  @Test
  void bestSnapshotComparesKidsWithinOneFeatureNetwork(@TempDir Path dir) throws IOException {
    CheckpointStore store = CheckpointStore.directory(dir);
    try (GanTrainer t = TestGanTrainer.tinyTrainer(TestGanTrainer.busyOptions())) {
      for (int i = 0; i < 3; i++) {
        t.step(TestGanTrainer.noiseImages(8, 16, i));
        t.save(store);
      }
    }
    // busyOptions keeps the newest 2 snapshots: 2 and 3.
    store.write(BestSnapshot.FILE, ("{\"snapshot\": \"snapshot-000000002\", \"tick\": 2, \"kimg\": 0.2, "
        + "\"kid\": 0.1, \"fid\": 10, \"diversity\": 0.2}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("classifier", BestSnapshot.read(store).orElseThrow().featuresOrClassifier());
    BestSnapshot.offer(store, "snapshot-000000003", tick(3, 0.2), "classifier");
    assertEquals("snapshot-000000002", BestSnapshot.read(store).orElseThrow().snapshot(), "higher KID, same features");
    BestSnapshot.offer(store, "snapshot-000000003", tick(3, 0.9), "inception-fid");
    BestSnapshot best = BestSnapshot.read(store).orElseThrow();
    assertEquals("snapshot-000000003", best.snapshot(), "first KID in new features");
    assertEquals("inception-fid", best.features());
    BestSnapshot.offer(store, "snapshot-000000002", tick(2, 0.95), "inception-fid");
    assertEquals("snapshot-000000003", BestSnapshot.read(store).orElseThrow().snapshot());
    BestSnapshot.offer(store, "snapshot-000000002", tick(2, 0.5), "inception-fid");
    assertEquals("snapshot-000000002", BestSnapshot.read(store).orElseThrow().snapshot());
  }

  private static GanTrainer.Tick tick(int tick, double kid) {
    return new GanTrainer.Tick(tick, tick * 0.1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, "s", kid * 100, kid, 0.2);
  }

  private NDArray resized(NDArray images) {
    NDArray x = images.add(1f).div(2f).clip(0f, 1f);
    return x.getNDArrayInternal().interpolation(new long[] {32, 32}, 1, false);
  }

  private static double[][] rows(NDArray a) {
    int n = (int) a.getShape().get(0);
    int c = (int) a.getShape().get(1);
    float[] flat = a.toType(DataType.FLOAT32, false).toFloatArray();
    double[][] out = new double[n][c];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < c; k++) {
        out[i][k] = flat[i * c + k];
      }
    }
    return out;
  }
}
