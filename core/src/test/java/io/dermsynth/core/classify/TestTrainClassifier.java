package io.dermsynth.core.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ModelFolder;
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
    var options = ClassifierTrainer.Options.builder().epochs(4).learningRate(3e-3).seed(5).build();
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
      CheckpointStore folder = CheckpointStore.directory(java.nio.file.Files.createTempDirectory("model"));
      result.model().save(folder);
      try (ClassifierModel back = ClassifierModel.load(folder, Device.cpu())) {
        assertEquals(result.model().manifest(), back.manifest());
        double[][] q = back.predictProba(val.images().subList(0, 5), 5);
        for (int i = 0; i < 5; i++) {
          assertArrayEquals(p[i], q[i], 1e-6);
        }
      }
    }
  }

  @Test
  void aResumedRunEndsWithTheBitsOfAnUninterruptedOne() throws Exception {
    var manifest = new ClassifierModel.Manifest("small", List.of("a", "b", "c"), 32, 0, 0, "test");
    var train = colours(120, 32, 3);
    var val = colours(45, 32, 4);
    ClassifierTrainer.Result whole;
    byte[] wholeWeights;
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu(), 11)) {
      whole = trainer(4, e -> { }).train(model, train, val);
      wholeWeights = weights(whole.model());
    }
    CheckpointStore store = CheckpointStore.directory(java.nio.file.Files.createTempDirectory("ckpt"));
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu(), 11)) {
      trainer(2, e -> { }).train(model, train, val, store);
    }
    ModelFolder folder = new ModelFolder(store, ClassifierTrainer.CHECKPOINT_FORMAT);
    assertEquals("snapshot-000000002", folder.newestSnapshot().orElseThrow());
    List<Integer> ranNow = new ArrayList<>();
    // Another seed: every weight the resumed run uses comes from the snapshot.
    try (ClassifierModel fresh = ClassifierModel.create(manifest, Device.cpu(), 12)) {
      var resumed = trainer(4, e -> ranNow.add(e.epoch())).train(fresh, train, val, store);
      assertEquals(List.of(3, 4), ranNow, "only the missing epochs run");
      assertEquals(losses(whole), losses(resumed));
      assertEquals(whole.bestEpoch(), resumed.bestEpoch());
      assertArrayEquals(wholeWeights, weights(resumed.model()), "Adam's moments were restored");
    }
    // The newest snapshot and the best one stay; the others go.
    List<String> kept = folder.snapshots();
    assertTrue(kept.contains("snapshot-000000004") && kept.contains(ModelFolder.snapshotName(whole.bestEpoch()))
        && kept.size() <= 2, kept.toString());
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu(), 11)) {
      var otherSeed = new ClassifierTrainer(ClassifierTrainer.Options.builder().epochs(5).learningRate(3e-3)
          .seed(10).build(), e -> { }, false);
      var e = org.junit.jupiter.api.Assertions.assertThrows(io.dermsynth.core.BadInputException.class,
          () -> otherSeed.train(model, train, val, store));
      assertTrue(e.getMessage().contains("only epochs, patience and the time budget may change"), e.getMessage());
    }
  }

  private static ClassifierTrainer trainer(int epochs, java.util.function.Consumer<ClassifierTrainer.Epoch> onEpoch) {
    return new ClassifierTrainer(ClassifierTrainer.Options.builder().epochs(epochs).learningRate(3e-3).seed(9)
        .build(), onEpoch, false);
  }

  private static List<Double> losses(ClassifierTrainer.Result r) {
    return r.history().stream().flatMap(e -> java.util.stream.Stream.of(e.loss(), e.valBalancedAccuracy())).toList();
  }

  /**
   * The classifier's Adam is DJL's, step for step: the published classifier numbers were made with
   * DJL's Trainer and Adam, and the project's own optimiser (whose state a snapshot keeps) must not
   * change them.
   */
  @Test
  void adamWithL2UpdatesAsDjlsTrainerDoes() throws Exception {
    var manifest = new ClassifierModel.Manifest("small", List.of("a", "b", "c"), 32, 0, 0, "test");
    var data = colours(16, 32, 6);
    float[] x = new float[16 * 3 * 32 * 32];
    for (int i = 0; i < 16; i++) {
      System.arraycopy(data.images().get(i), 0, x, i * 3 * 32 * 32, 3 * 32 * 32);
    }
    byte[] djl;
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu(), 3);
        ai.djl.Model m = ai.djl.Model.newInstance("densenet")) {
      m.setBlock(model.net().block());
      var config = new ai.djl.training.DefaultTrainingConfig(ai.djl.training.loss.Loss.softmaxCrossEntropyLoss())
          .optOptimizer(ai.djl.training.optimizer.Optimizer.adam()
              .optLearningRateTracker(ai.djl.training.tracker.Tracker.fixed(3e-3f)).optWeightDecays(1e-2f).build());
      try (ai.djl.training.Trainer trainer = m.newTrainer(config)) {
        trainer.initialize(new ai.djl.ndarray.types.Shape(16, 3, 32, 32));
        for (int step = 0; step < 3; step++) {
          try (var batch = model.manager().newSubManager();
              var gc = trainer.newGradientCollector()) {
            var out = trainer.forward(new ai.djl.ndarray.NDList(io.dermsynth.core.OwnedArrays.of(batch, x,
                new ai.djl.ndarray.types.Shape(16, 3, 32, 32)))).singletonOrThrow();
            gc.backward(out.logSoftmax(1).mul(out.logSoftmax(1).exp()).sum().neg());
          }
          io.dermsynth.core.Scopes.noGrad(trainer::step);
        }
      }
      djl = weights(model);
    }
    byte[] own;
    try (ClassifierModel model = ClassifierModel.create(manifest, Device.cpu(), 3)) {
      var adam = new io.dermsynth.core.gan.Adam(model.net().block().getParameters().toMap(), model.manager());
      var parameters = new ai.djl.training.ParameterStore(model.manager(), false);
      for (int step = 0; step < 3; step++) {
        try (var batch = model.manager().newSubManager();
            var gc = model.manager().getEngine().newGradientCollector()) {
          var out = model.net().block().forward(parameters, new ai.djl.ndarray.NDList(io.dermsynth.core.OwnedArrays.of(
              batch, x, new ai.djl.ndarray.types.Shape(16, 3, 32, 32))), true).singletonOrThrow();
          gc.backward(out.logSoftmax(1).mul(out.logSoftmax(1).exp()).sum().neg());
        }
        adam.stepWithL2(3e-3f, 1e-2f);
      }
      own = weights(model);
    }
    assertArrayEquals(djl, own);
  }
}
