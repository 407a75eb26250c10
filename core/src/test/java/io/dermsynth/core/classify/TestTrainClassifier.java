package io.dermsynth.core.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.dermsynth.core.CheckpointStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TestTrainClassifier {

  /** Three classes told apart by hue, imbalanced 8:3:1, with noise. */
  static ClassifierTrainer.Data colours(int n, int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] base = {{0.8f, 0.3f, 0.3f}, {0.3f, 0.7f, 0.3f}, {0.3f, 0.3f, 0.8f}};
    List<float[]> images = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      int y = u < 8 / 12.0 ? 0 : u < 11 / 12.0 ? 1 : 2;
      float[] img = new float[3 * size * size];
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < size * size; p++) {
          img[c * size * size + p] = (float) Math.max(0, Math.min(1, base[y][c] + r.nextGaussian() * 0.15));
        }
      }
      images.add(img);
      labels[i] = y;
    }
    return new ClassifierTrainer.Data(images, labels);
  }

  @Test
  void theSeedAloneSetsTheInitialWeights() throws Exception {
    var manifest = new ClassifierModel.Manifest("small", List.of("a", "b", "c"), 32, 0, 0, "test");
    byte[] first;
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu(), 7)) {
      first = weights(model);
    }
    // Whatever drew from libtorch's generator in between (a GAN, a sampler) does not matter.
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu())) {
      m.randomNormal(new ai.djl.ndarray.types.Shape(1000)).close();
    }
    try (ClassifierModel again = ClassifierModel.create(manifest, Device.cpu(), 7);
        ClassifierModel other = ClassifierModel.create(manifest, Device.cpu(), 8)) {
      assertArrayEquals(first, weights(again));
      assertFalse(java.util.Arrays.equals(first, weights(other)));
    }
  }

  private static byte[] weights(ClassifierModel model) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.writeWeights(out);
    return out.toByteArray();
  }

  @Test
  void learnsAnImbalancedProblemAndKeepsTheBestEpoch() throws Exception {
    var manifest = new ClassifierModel.Manifest("small", List.of("a", "b", "c"), 32, 0, 0, "test");
    List<ClassifierTrainer.Epoch> seen = new ArrayList<>();
    var options = new ClassifierTrainer.Options(4, 32, 3e-3, 1e-4,
        ClassifierTrainer.Sampling.OVERSAMPLE, 0, 0, true, 5);
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu())) {
      var result = new ClassifierTrainer(options, seen::add, false)
          .train(model, colours(240, 32, 1), colours(90, 32, 2));
      assertEquals(4, seen.size());
      assertTrue(result.bestValBalancedAccuracy() >= 0.9, "val BA " + seen);
      double best = seen.stream().mapToDouble(ClassifierTrainer.Epoch::valBalancedAccuracy).max().orElseThrow();
      assertEquals(best, result.bestValBalancedAccuracy(), 1e-12);
      assertEquals(best, result.model().manifest().valBalancedAccuracy(), 1e-12);

      // The returned weights are the best epoch's: scoring val again gives that BA.
      var val = colours(90, 32, 2);
      double[][] p = result.model().predictProba(val.images(), 32);
      int[] pred = new int[p.length];
      for (int i = 0; i < p.length; i++) {
        pred[i] = ClassifierTrainer.argmax(p[i]);
      }
      assertEquals(best, io.dermsynth.core.metrics.ClassificationMetrics.compute(val.labels(), pred, p, 3)
          .balancedAccuracy(), 1e-12);

      // Save and load: same probabilities.
      ByteArrayOutputStream mf = new ByteArrayOutputStream();
      ByteArrayOutputStream w = new ByteArrayOutputStream();
      result.model().writeManifest(mf);
      result.model().writeWeights(w);
      try (ClassifierModel back = ClassifierModel.load(new ByteArrayInputStream(mf.toByteArray()),
          new ByteArrayInputStream(w.toByteArray()), Device.cpu())) {
        assertEquals(result.model().manifest(), back.manifest());
        double[][] q = back.predictProba(val.images().subList(0, 5), 5);
        for (int i = 0; i < 5; i++) {
          assertArrayEquals(p[i], q[i], 1e-6);
        }
      }
    }
  }

  @Test
  void resumesFromTheCheckpointAtTheNextEpoch() throws Exception {
    var manifest = new ClassifierModel.Manifest("small", List.of("a", "b", "c"), 32, 0, 0, "test");
    CheckpointStore mem = CheckpointStore.directory(java.nio.file.Files.createTempDirectory("ckpt"));
    var train = colours(120, 32, 3);
    var val = colours(45, 32, 4);
    ClassifierTrainer.Result first;
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu())) {
      first = new ClassifierTrainer(new ClassifierTrainer.Options(2, 32, 3e-3, 0,
          ClassifierTrainer.Sampling.OVERSAMPLE, 0, 0, true, 9), e -> { }, false).train(model, train, val, mem);
    }
    assertEquals(2, first.history().size());
    assertTrue(mem.list().containsAll(List.of("state.json", "last.safetensors", "best.safetensors")));
    List<Integer> ranNow = new ArrayList<>();
    try (ClassifierModel fresh = ClassifierModel.create(manifest, Device.cpu())) {
      var resumed = new ClassifierTrainer(new ClassifierTrainer.Options(4, 32, 3e-3, 0,
          ClassifierTrainer.Sampling.OVERSAMPLE, 0, 0, true, 9), e -> ranNow.add(e.epoch()), false)
          .train(fresh, train, val, mem);
      assertEquals(List.of(3, 4), ranNow, "only the missing epochs run");
      assertEquals(4, resumed.history().size());
      assertEquals(first.history(), resumed.history().subList(0, 2));
      assertTrue(resumed.bestValBalancedAccuracy() >= first.bestValBalancedAccuracy());
    }
  }
}
