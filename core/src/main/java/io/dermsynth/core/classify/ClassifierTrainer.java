package io.dermsynth.core.classify;

import io.dermsynth.core.OwnedArrays;
import io.dermsynth.core.BadInputException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.metrics.ClassificationMetrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Trains a {@link ClassifierModel} on the driver: Adam, cross-entropy, weighted oversampling (or a
 * class-weighted loss) against class imbalance, train-time augmentation, and early stopping on the
 * validation balanced accuracy, keeping the best weights. Seeded: the same data and options give the
 * same sampling and augmentation.
 */
public final class ClassifierTrainer {

  /** How class imbalance is countered. */
  public enum Sampling { OVERSAMPLE, WEIGHTED_LOSS, NONE }

  /**
   * @param epochs most epochs to run
   * @param batchSize images per step
   * @param learningRate Adam's step size
   * @param weightDecay L2 penalty
   * @param sampling imbalance strategy
   * @param patience epochs without a better validation BA before stopping (0 = never stop early)
   * @param maxSeconds wall-clock budget; training stops after the epoch that crosses it (0 = none)
   * @param augment whether to augment training images
   * @param seed seed of sampling and augmentation
   * @param syntheticWeight a synthetic image's sampling weight relative to a real one of its class
   * @param realDrawsPerEpoch an epoch draws as many images as there are real ones (so that arms with and
   *     without synthetic images take the same optimizer steps), instead of as many as there are images
   */
  public record Options(int epochs, int batchSize, double learningRate, double weightDecay,
      Sampling sampling, int patience, long maxSeconds, boolean augment, long seed, double syntheticWeight,
      boolean realDrawsPerEpoch) {

    /** Synthetic images weigh as real ones, and an epoch is as many draws as images. */
    public Options(int epochs, int batchSize, double learningRate, double weightDecay, Sampling sampling,
        int patience, long maxSeconds, boolean augment, long seed) {
      this(epochs, batchSize, learningRate, weightDecay, sampling, patience, maxSeconds, augment, seed, 1, false);
    }
  }

  /**
   * One labelled set: CHW images in [0, 1] at the model's size, their class indices, and which are
   * synthetic (sampled by {@link WeightedSampler}'s real-count weights).
   */
  public record Data(List<float[]> images, int[] labels, boolean[] synthetic) {
    public Data {
      if (images.size() != labels.length || synthetic.length != labels.length) {
        throw new IllegalArgumentException(images.size() + " images, " + labels.length + " labels, "
            + synthetic.length + " synthetic flags");
      }
    }

    /** Real images only. */
    public Data(List<float[]> images, int[] labels) {
      this(images, labels, new boolean[labels.length]);
    }

    int realCount() {
      int n = 0;
      for (boolean s : synthetic) {
        n += s ? 0 : 1;
      }
      return n;
    }
  }

  /** What one epoch did. */
  public record Epoch(int epoch, double loss, double valBalancedAccuracy, double imagesPerSecond,
      double seconds) {}

  /** Progress as stored in {@code state.json}. */
  record State(int epoch, int bestEpoch, double bestBa, List<Epoch> history) {}

  private static final com.google.gson.Gson GSON = new com.google.gson.GsonBuilder()
      .serializeSpecialFloatingPointValues().create();

  /** The best model, its epoch, and the history. */
  public record Result(ClassifierModel model, int bestEpoch, double bestValBalancedAccuracy,
      List<Epoch> history, String stopReason) {}

  private final Options options;
  private final Consumer<Epoch> onEpoch;
  private final boolean progressBar;

  public ClassifierTrainer(Options options, Consumer<Epoch> onEpoch, boolean progressBar) {
    this.options = options;
    this.onEpoch = onEpoch;
    this.progressBar = progressBar;
  }

  public Result train(ClassifierModel model, Data train, Data val) throws IOException {
    return train(model, train, val, CheckpointStore.NONE);
  }

  /**
   * Trains, continuing from {@code checkpoints} when they hold a run's progress (last weights, best
   * weights, state.json). Adam's moment estimates are not kept: a resumed run restarts them.
   */
  public Result train(ClassifierModel model, Data train, Data val, CheckpointStore checkpoints)
      throws IOException {
    int classes = model.manifest().classes().size();
    int size = model.manifest().imageSize();
    WeightedSampler sampler = new WeightedSampler(train.labels(), train.synthetic(), classes,
        options.syntheticWeight());
    int draws = options.realDrawsPerEpoch() && train.realCount() > 0 ? train.realCount() : train.labels().length;
    double[] lossWeights = options.sampling() == Sampling.WEIGHTED_LOSS
        ? sampler.classWeights() : ones(classes);
    Augmenter augmenter = new Augmenter(Augmenter.Options.defaults());
    List<Epoch> history = new ArrayList<>();
    byte[] best = null;
    int bestEpoch = 0;
    double bestBa = Double.NEGATIVE_INFINITY;
    int firstEpoch = 1;
    var saved = checkpoints.read("state.json");
    if (saved.isPresent()) {
      State st = GSON.fromJson(new String(saved.get(), java.nio.charset.StandardCharsets.UTF_8), State.class);
      model.net().loadSafetensors(new ByteArrayInputStream(checkpoints.read("last.safetensors")
          .orElseThrow(() -> new BadInputException("checkpoint has state.json but no last.safetensors"))),
          model.manager(), false);
      best = checkpoints.read("best.safetensors").orElse(null);
      history.addAll(st.history());
      bestEpoch = st.bestEpoch();
      bestBa = st.bestBa();
      firstEpoch = st.epoch() + 1;
    }
    String stop = "ran all " + options.epochs() + " epochs";
    long start = System.nanoTime();

    try (Model djl = Model.newInstance("densenet", model.manager().getDevice())) {
      djl.setBlock(model.net().block());
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
          .optOptimizer(Optimizer.adam()
              .optLearningRateTracker(Tracker.fixed((float) options.learningRate()))
              .optWeightDecays((float) options.weightDecay())
              .build())
          .optDevices(new ai.djl.Device[] {model.manager().getDevice()});
      try (Trainer trainer = djl.newTrainer(config)) {
        trainer.initialize(new Shape(options.batchSize(), 3, size, size));  // parameters already set
        for (int epoch = firstEpoch; epoch <= options.epochs(); epoch++) {
          long t0 = System.nanoTime();
          // One random stream per epoch: a resumed run samples and augments as an unbroken one would.
          SplittableRandom rnd = new SplittableRandom(options.seed() * 1_000_003L + epoch);
          int[] order = options.sampling() == Sampling.OVERSAMPLE
              ? sampler.draw(draws, rnd) : java.util.Arrays.copyOf(permutation(train.labels().length, rnd), draws);
          double lossSum = 0;
          int steps = (order.length + options.batchSize() - 1) / options.batchSize();
          try (ProgressBar bar = progressBar ? new ProgressBarBuilder()
              .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, options.epochs()))
              .setInitialMax(order.length).setStyle(ProgressBarStyle.ASCII).setUnit(" img", 1)
              .showSpeed().build() : null) {
            for (int s = 0; s < steps; s++) {
              int from = s * options.batchSize();
              int b = Math.min(options.batchSize(), order.length - from);
              lossSum += step(trainer, model, train, order, from, b, size, lossWeights, augmenter, rnd) * b;
              if (bar != null) {
                bar.stepBy(b);
                bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f, last val BA %s",
                    lossSum / (from + b), history.isEmpty() ? "–"
                        : String.format(Locale.ROOT, "%.3f", history.get(history.size() - 1).valBalancedAccuracy())));
              }
            }
          }
          double ba = validate(model, val, classes);
          double seconds = (System.nanoTime() - t0) / 1e9;
          Epoch e = new Epoch(epoch, lossSum / order.length, ba, order.length / seconds, seconds);
          history.add(e);
          onEpoch.accept(e);
          byte[] last = weights(model);
          if (ba > bestBa) {
            bestBa = ba;
            bestEpoch = epoch;
            best = last;
            checkpoints.write("best.safetensors", best);
          }
          checkpoints.write("last.safetensors", last);
          checkpoints.write("state.json", GSON.toJson(new State(epoch, bestEpoch, bestBa, history))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          if (options.patience() > 0 && epoch - bestEpoch >= options.patience()) {
            stop = "no better validation balanced accuracy for " + options.patience() + " epochs";
            break;
          }
          if (options.maxSeconds() > 0 && (System.nanoTime() - start) / 1e9 >= options.maxSeconds()) {
            stop = "time budget of " + options.maxSeconds() + " s reached after epoch " + epoch;
            break;
          }
        }
      }
    }
    if (best != null) {
      model.net().loadSafetensors(new ByteArrayInputStream(best), model.manager(), false);
    }
    ClassifierModel.Manifest m = model.manifest();
    ClassifierModel out = model.withManifest(new ClassifierModel.Manifest(m.preset(), m.classes(),
        m.imageSize(), history.size(), bestBa, m.runId()));
    return new Result(out, bestEpoch, bestBa, history, stop);
  }

  private double step(Trainer trainer, ClassifierModel model, Data train, int[] order, int from,
      int b, int size, double[] lossWeights, Augmenter augmenter, SplittableRandom rnd) {
    int plane = 3 * size * size;
    float[] x = new float[b * plane];
    float[] w = new float[b];
    int[] y = new int[b];
    for (int i = 0; i < b; i++) {
      int idx = order[from + i];
      float[] img = options.augment()
          ? augmenter.apply(train.images().get(idx), size, rnd) : train.images().get(idx).clone();
      ImageTensors.normalise(img, size);
      System.arraycopy(img, 0, x, i * plane, plane);
      y[i] = train.labels()[idx];
      w[i] = (float) lossWeights[y[i]];
    }
    // Everything made for this step lives in its own manager and is freed with it.
    try (NDManager batch = model.manager().newSubManager()) {
      NDArray input = OwnedArrays.of(batch, x, new Shape(b, 3, size, size));
      NDArray labels = batch.create(y);
      NDArray weights = batch.create(w);
      float loss;
      try (GradientCollector gc = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
        NDArray target = labels.oneHot((int) logits.getShape().get(1)).toType(logits.getDataType(), false);
        NDArray nll = logits.logSoftmax(1).mul(target).sum(new int[] {1}).neg();
        NDArray l = nll.reshape(b).mul(weights).mean();
        gc.backward(l);
        loss = l.getFloat();
      }
      io.dermsynth.core.Scopes.noGrad(trainer::step);
      return loss;
    }
  }

  private double validate(ClassifierModel model, Data val, int classes) {
    if (val.labels().length == 0) {
      return Double.NaN;
    }
    double[][] p = model.predictProba(val.images(), Math.max(16, options.batchSize()));
    int[] pred = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      pred[i] = argmax(p[i]);
    }
    return ClassificationMetrics.compute(val.labels(), pred, p, classes).balancedAccuracy();
  }

  public static int argmax(double[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) {
      if (v[k] > v[best]) {
        best = k;
      }
    }
    return best;
  }

  private static byte[] weights(ClassifierModel model) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.writeWeights(out);
    return out.toByteArray();
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  private static int[] permutation(int n, SplittableRandom rnd) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
