package io.dermsynth.core.classify;

import io.dermsynth.core.OwnedArrays;
import io.dermsynth.core.BadInputException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ModelFolder;
import io.dermsynth.core.ModelFormat;
import io.dermsynth.core.gan.Adam;
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
 * Trains a {@link ClassifierModel} on the driver: Adam with L2 weight decay ({@link Adam#stepWithL2}),
 * cross-entropy, weighted oversampling (or a
 * class-weighted loss) against class imbalance, train-time augmentation, and early stopping on the
 * validation balanced accuracy, keeping the best weights. Seeded: the same data and options give the
 * same sampling and augmentation.
 */
public final class ClassifierTrainer {

  /** How class imbalance is countered. */
  public enum Sampling { OVERSAMPLE, WEIGHTED_LOSS, NONE }

  /**
   * How a classifier is trained, built by name ({@link #builder}); the builder starts from the paper's
   * setting: Adam at 10⁻³ with L2 10⁻⁴, batch 32, oversampling, augmentation, 30 epochs, no early stop.
   */
  public static final class Options implements Cloneable {
    private int epochs = 30;
    private int batchSize = 32;
    private double learningRate = 1e-3;
    private double weightDecay = 1e-4;
    private Sampling sampling = Sampling.OVERSAMPLE;
    private int patience;
    private double maxSeconds;
    private boolean augment = true;
    private long seed = 42;
    private double syntheticWeight = 1;
    private boolean realDrawsPerEpoch;

    private Options() {}

    public static Builder builder() {
      return new Builder();
    }

    /** Named setters; each {@link #build} returns options of their own, which later setters leave alone. */
    public static final class Builder {
      private final Options o = new Options();

      /** @param v most epochs to run */
      public Builder epochs(int v) {
        o.epochs = v;
        return this;
      }

      /** @param v images per step */
      public Builder batchSize(int v) {
        o.batchSize = v;
        return this;
      }

      /** @param v Adam's step size */
      public Builder learningRate(double v) {
        o.learningRate = v;
        return this;
      }

      /** @param v L2 penalty, added to the gradient (DJL's Adam) */
      public Builder weightDecay(double v) {
        o.weightDecay = v;
        return this;
      }

      /** @param v the imbalance strategy */
      public Builder sampling(Sampling v) {
        o.sampling = v;
        return this;
      }

      /** @param v epochs without a better validation BA before stopping (0 = never stop early) */
      public Builder patience(int v) {
        o.patience = v;
        return this;
      }

      /** @param v wall-clock budget; training stops after the epoch that crosses it (0 = none) */
      public Builder maxSeconds(double v) {
        o.maxSeconds = v;
        return this;
      }

      /** @param v whether to augment training images */
      public Builder augment(boolean v) {
        o.augment = v;
        return this;
      }

      /** @param v seed of sampling and augmentation */
      public Builder seed(long v) {
        o.seed = v;
        return this;
      }

      /** @param v a synthetic image's sampling weight relative to a real one of its class */
      public Builder syntheticWeight(double v) {
        o.syntheticWeight = v;
        return this;
      }

      /**
       * @param v an epoch draws as many images as there are real ones (so that arms with and without
       *     synthetic images take the same optimizer steps), instead of as many as there are images
       */
      public Builder realDrawsPerEpoch(boolean v) {
        o.realDrawsPerEpoch = v;
        return this;
      }

      public Options build() {
        if (o.epochs < 1 || o.batchSize < 1 || !(o.learningRate > 0) || !(o.weightDecay >= 0) || o.patience < 0
            || o.maxSeconds < 0 || !(o.syntheticWeight >= 0) || o.sampling == null) {
          throw new IllegalArgumentException("classifier options out of range: " + o);
        }
        try {
          return (Options) o.clone();  // primitives and an enum: a shallow copy is a copy
        } catch (CloneNotSupportedException e) {
          throw new AssertionError(e);
        }
      }
    }

    public int epochs() {
      return epochs;
    }

    public int batchSize() {
      return batchSize;
    }

    public double learningRate() {
      return learningRate;
    }

    public double weightDecay() {
      return weightDecay;
    }

    public Sampling sampling() {
      return sampling;
    }

    public int patience() {
      return patience;
    }

    public double maxSeconds() {
      return maxSeconds;
    }

    public boolean augment() {
      return augment;
    }

    public long seed() {
      return seed;
    }

    public double syntheticWeight() {
      return syntheticWeight;
    }

    public boolean realDrawsPerEpoch() {
      return realDrawsPerEpoch;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "Options[epochs=%d, batchSize=%d, learningRate=%s, weightDecay=%s, "
          + "sampling=%s, patience=%d, maxSeconds=%s, augment=%s, seed=%d, syntheticWeight=%s, "
          + "realDrawsPerEpoch=%s]", epochs, batchSize, learningRate, weightDecay, sampling, patience, maxSeconds,
          augment, seed, syntheticWeight, realDrawsPerEpoch);
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

  /**
   * A checkpoint's manifest: where training stood after {@code epoch}. Its snapshot holds the weights
   * and Adam's state; the best epoch's snapshot is kept beside the newest.
   */
  record Checkpoint(Options options, int epoch, int bestEpoch, double bestBa, List<Epoch> history,
      String codeVersion) {}

  public static final ModelFormat CHECKPOINT_FORMAT = new ModelFormat("dermsynth-classifier-checkpoint", 1);
  private static final String ADAM = "adam.safetensors";

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

  /** Where a run stands: epochs done, the best weights so far. */
  private static final class Progress {
    final List<Epoch> history = new ArrayList<>();
    byte[] best;
    int bestEpoch;
    double bestBa = Double.NEGATIVE_INFINITY;
  }

  /**
   * Trains, continuing from the newest snapshot in {@code checkpoints} when there is one: weights, Adam's
   * moments and the per-epoch random streams are restored, so a resumed run ends with the bits an
   * uninterrupted one would.
   */
  public Result train(ClassifierModel model, Data train, Data val, CheckpointStore checkpoints)
      throws IOException {
    int classes = model.manifest().classes().size();
    WeightedSampler sampler = new WeightedSampler(train.labels(), train.synthetic(), classes,
        options.syntheticWeight());
    double[] lossWeights = options.sampling() == Sampling.WEIGHTED_LOSS
        ? sampler.classWeights() : ones(classes);
    ModelFolder folder = new ModelFolder(checkpoints, CHECKPOINT_FORMAT);
    Adam adam = new Adam(model.net().block().getParameters().toMap(), model.manager());
    Progress progress = resume(folder, model, adam);
    String stop = "ran all " + options.epochs() + " epochs";
    long start = System.nanoTime();
    for (int epoch = progress.history.size() + 1; epoch <= options.epochs(); epoch++) {
      long t0 = System.nanoTime();
      double loss = runEpoch(model, adam, train, sampler, lossWeights, epoch, progress);
      double ba = validate(model, val, classes);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Epoch e = new Epoch(epoch, loss, ba, draws(train) / seconds, seconds);
      progress.history.add(e);
      onEpoch.accept(e);
      byte[] last = weights(model);
      if (ba > progress.bestBa) {
        progress.bestBa = ba;
        progress.bestEpoch = epoch;
        progress.best = last;
      }
      folder.snapshot(epoch).write(ClassifierModel.WEIGHTS, last).write(ADAM, adam.encodeState())
          .commit(new Checkpoint(options, epoch, progress.bestEpoch, progress.bestBa,
              List.copyOf(progress.history), io.dermsynth.core.CodeVersion.get()));
      folder.keepNewest(1, ModelFolder.snapshotName(progress.bestEpoch));
      if (options.patience() > 0 && epoch - progress.bestEpoch >= options.patience()) {
        stop = "no better validation balanced accuracy for " + options.patience() + " epochs";
        break;
      }
      if (options.maxSeconds() > 0 && (System.nanoTime() - start) / 1e9 >= options.maxSeconds()) {
        stop = String.format(Locale.ROOT, "time budget of %.3g s reached after epoch %d", options.maxSeconds(), epoch);
        break;
      }
    }
    if (progress.best != null) {
      model.net().loadSafetensors(new ByteArrayInputStream(progress.best), model.manager(), false);
    }
    ClassifierModel.Manifest m = model.manifest();
    ClassifierModel out = model.withManifest(new ClassifierModel.Manifest(m.preset(), m.classes(),
        m.imageSize(), progress.history.size(), progress.bestBa, m.runId()));
    return new Result(out, progress.bestEpoch, progress.bestBa, progress.history, stop);
  }

  /** The newest snapshot's weights, Adam state and history, or a fresh start when there is none. */
  private Progress resume(ModelFolder folder, ClassifierModel model, Adam adam) throws IOException {
    Progress p = new Progress();
    if (folder.store().read("state.json").isPresent()) {
      throw new BadInputException("this checkpoint (state.json) was written by an older dermsynth without "
          + "Adam's moments and cannot be resumed exactly; start a new run");
    }
    var newest = folder.newestSnapshot();
    if (newest.isEmpty()) {
      return p;
    }
    Checkpoint c = folder.manifest(newest.get(), Checkpoint.class);
    if (!sameRun(c.options(), options)) {
      throw new BadInputException(newest.get() + " was trained with " + c.options() + "; this run has "
          + options + " (only epochs, patience and the time budget may change on resume)");
    }
    model.net().loadSafetensors(new ByteArrayInputStream(folder.read(newest.get(), ClassifierModel.WEIGHTS)),
        model.manager(), false);
    adam.decodeState(folder.read(newest.get(), ADAM));
    p.history.addAll(c.history());
    p.bestEpoch = c.bestEpoch();
    p.bestBa = c.bestBa();
    if (c.bestEpoch() > 0) {
      p.best = folder.read(ModelFolder.snapshotName(c.bestEpoch()), ClassifierModel.WEIGHTS);
    }
    return p;
  }

  /** Options equal apart from how long the run may go on. */
  private static boolean sameRun(Options a, Options b) {
    return a.batchSize() == b.batchSize() && a.learningRate() == b.learningRate()
        && a.weightDecay() == b.weightDecay() && a.sampling() == b.sampling() && a.augment() == b.augment()
        && a.seed() == b.seed() && a.syntheticWeight() == b.syntheticWeight()
        && a.realDrawsPerEpoch() == b.realDrawsPerEpoch();
  }

  private int draws(Data train) {
    return options.realDrawsPerEpoch() && train.realCount() > 0 ? train.realCount() : train.labels().length;
  }

  /** One epoch's steps; returns the mean training loss. */
  private double runEpoch(ClassifierModel model, Adam adam, Data train, WeightedSampler sampler,
      double[] lossWeights, int epoch, Progress progress) {
    int size = model.manifest().imageSize();
    // One random stream per epoch: a resumed run samples and augments as an unbroken one would.
    SplittableRandom rnd = new SplittableRandom(options.seed() * 1_000_003L + epoch);
    int draws = draws(train);
    int[] order = options.sampling() == Sampling.OVERSAMPLE
        ? sampler.draw(draws, rnd) : java.util.Arrays.copyOf(permutation(train.labels().length, rnd), draws);
    Augmenter augmenter = new Augmenter(Augmenter.Options.defaults());
    ParameterStore parameters = new ParameterStore(model.manager(), false);
    double lossSum = 0;
    int steps = (order.length + options.batchSize() - 1) / options.batchSize();
    try (ProgressBar bar = progressBar ? new ProgressBarBuilder()
        .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, options.epochs()))
        .setInitialMax(order.length).setStyle(ProgressBarStyle.ASCII).setUnit(" img", 1)
        .showSpeed().build() : null) {
      for (int s = 0; s < steps; s++) {
        int from = s * options.batchSize();
        int b = Math.min(options.batchSize(), order.length - from);
        lossSum += step(parameters, model, train, order, from, b, size, lossWeights, augmenter, rnd) * b;
        adam.stepWithL2((float) options.learningRate(), (float) options.weightDecay());
        if (bar != null) {
          bar.stepBy(b);
          bar.setExtraMessage(String.format(Locale.ROOT, " loss %.3f, last val BA %s", lossSum / (from + b),
              progress.history.isEmpty() ? "–" : String.format(Locale.ROOT, "%.3f",
                  progress.history.get(progress.history.size() - 1).valBalancedAccuracy())));
        }
      }
    }
    return lossSum / order.length;
  }

  /** Forward and backward on one batch (gradients left for the optimiser); returns the batch's loss. */
  private double step(ParameterStore parameters, ClassifierModel model, Data train, int[] order, int from,
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
    try (NDManager batch = model.manager().newSubManager();
        GradientCollector gc = model.manager().getEngine().newGradientCollector()) {
      NDArray input = OwnedArrays.of(batch, x, new Shape(b, 3, size, size));
      NDArray logits = model.net().block().forward(parameters, new NDList(input), true).singletonOrThrow();
      NDArray target = batch.create(y).oneHot((int) logits.getShape().get(1)).toType(logits.getDataType(), false);
      NDArray nll = logits.logSoftmax(1).mul(target).sum(new int[] {1}).neg();
      NDArray l = nll.reshape(b).mul(batch.create(w)).mean();
      gc.backward(l);
      return l.getFloat();
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
