package io.dermsynth.core.classify;

import io.dermsynth.core.OwnedArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ModelFolder;
import io.dermsynth.core.ModelFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * A trained lesion classifier: the DenseNet, its class names, and the input size. Stored as a
 * {@link ModelFolder} ({@code weights.safetensors} with torchvision names, then {@code manifest.json}) in
 * any {@link CheckpointStore}. Not thread-safe; one instance per thread or task.
 */
public final class ClassifierModel implements io.dermsynth.core.metrics.FeatureNetwork {

  public static final ModelFormat FORMAT = new ModelFormat("dermsynth-classifier", 1);
  public static final String WEIGHTS = "weights.safetensors";

  /**
   * @param preset DenseNet preset ({@code small}, {@code densenet121})
   * @param classes class names, index = output unit
   * @param imageSize square input side in pixels
   * @param epochs epochs trained
   * @param valBalancedAccuracy validation balanced accuracy of these weights
   * @param runId the training run
   */
  public record Manifest(String preset, List<String> classes, int imageSize, int epochs,
      double valBalancedAccuracy, String runId) {}

  private final Manifest manifest;
  private final DenseNet net;
  private final NDManager manager;

  ClassifierModel(Manifest manifest, DenseNet net, NDManager manager) {
    this.manifest = manifest;
    this.net = net;
    this.manager = manager;
  }

  /**
   * A new model initialised from {@code seed}: libtorch's generator is seeded first, so the initial
   * weights do not depend on what used it before in this process (or on a fresh process's own seed).
   */
  public static ClassifierModel create(Manifest manifest, Device device, long seed) {
    ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
    return create(manifest, device);
  }

  /** A new model, initialised from libtorch's generator as it stands (weights about to be loaded). */
  public static ClassifierModel create(Manifest manifest, Device device) {
    NDManager manager = NDManager.newBaseManager(device);
    DenseNet net = new DenseNet(DenseNet.Config.preset(manifest.preset(), manifest.classes().size()));
    net.initialize(manager, manifest.imageSize(), manifest.imageSize());
    return new ClassifierModel(manifest, net, manager);
  }

  /** The manifest of the model in {@code folder} (its classes, size, preset), without the weights. */
  public static Manifest manifest(CheckpointStore folder) throws IOException {
    return new ModelFolder(folder, FORMAT).modelManifest(Manifest.class);
  }

  /** Loads the model in {@code folder}; a folder of another kind or a newer format is refused. */
  public static ClassifierModel load(CheckpointStore folder, Device device) throws IOException {
    Manifest m = manifest(folder);
    byte[] weights = folder.readRequired(WEIGHTS);
    ClassifierModel model = create(m, device);
    model.net.loadSafetensors(new java.io.ByteArrayInputStream(weights), model.manager, false);
    return model;
  }

  /**
   * Takes every tensor of a weights file (torchvision names) except the classifier layer, e.g. ImageNet
   * weights for a 7-class model; returns the names not taken.
   */
  public List<String> loadBackbone(InputStream weights) throws IOException {
    return net.loadSafetensors(weights, manager, true);
  }

  /** Writes the weights, then the manifest: the folder holds a complete model only once both are there. */
  public void save(CheckpointStore folder) throws IOException {
    java.io.ByteArrayOutputStream w = new java.io.ByteArrayOutputStream();
    writeWeights(w);
    new ModelFolder(folder, FORMAT).model().write(WEIGHTS, w.toByteArray()).commit(manifest);
  }

  public void writeWeights(OutputStream out) throws IOException {
    net.saveSafetensors(out);
  }

  public Manifest manifest() {
    return manifest;
  }

  public ClassifierModel withManifest(Manifest m) {
    return new ClassifierModel(m, net, manager);
  }

  DenseNet net() {
    return net;
  }

  NDManager manager() {
    return manager;
  }

  /**
   * The default LPIPS backbone: this classifier's feature maps (after the stem and each dense block) of
   * NCHW images in [0, 1], normalised as in training.
   */
  @Override
  public io.dermsynth.core.metrics.Lpips.Backbone lpipsBackbone() {
    return images01 -> net.featureMaps(new ParameterStore(manager, false), normalised(images01));
  }

  /** NCHW images in [0, 1] normalised per channel as in training, on their own manager. */
  private static NDArray normalised(NDArray images01) {
    NDManager m = images01.getManager();
    NDArray mean = OwnedArrays.of(m, ImageTensors.MEAN, new Shape(1, 3, 1, 1));
    NDArray std = OwnedArrays.of(m, ImageTensors.STD, new Shape(1, 3, 1, 1));
    return images01.sub(mean).div(std);
  }

  /**
   * The penultimate-layer features of NCHW images in [0, 1] at the model's size, normalised as in training:
   * [N, C], the feature space of generator FID/KID when no Inception network is at hand.
   */
  @Override
  public NDArray embedding(NDArray images01) {
    long s = manifest.imageSize();
    if (images01.getShape().dimension() != 4 || images01.getShape().get(1) != 3
        || images01.getShape().get(2) != s || images01.getShape().get(3) != s) {
      throw new IllegalArgumentException("embedding needs [N, 3, " + s + ", " + s + "] images, got "
          + images01.getShape());
    }
    return io.dermsynth.core.Scopes.noGrad(() -> net.embedding(new ParameterStore(manager, false),
        normalised(images01.toDevice(manager.getDevice(), false))));
  }

  @Override
  public long inputSize() {
    return manifest.imageSize();
  }

  @Override
  public String featuresName() {
    return "classifier";
  }

  /**
   * Stops gradients into the weights (for a model used as a fixed feature extractor, e.g. LPIPS in a
   * loss): backward passes then skip them and never accumulate their gradients.
   */
  public ClassifierModel freeze() {
    for (var p : net.block().getParameters().values()) {
      p.getArray().setRequiresGradient(false);
    }
    return this;
  }

  /**
   * Class probabilities for CHW images in [0, 1] at the model's size, in batches, with autograd off (it is
   * on in every thread but the one that loaded the engine, and the weights are trainable: every batch
   * would record a graph).
   */
  public double[][] predictProba(List<float[]> images, int batchSize) {
    return io.dermsynth.core.Scopes.noGrad(() -> probabilities(images, batchSize));
  }

  private double[][] probabilities(List<float[]> images, int batchSize) {
    int s = manifest.imageSize();
    int plane = 3 * s * s;
    int classes = manifest.classes().size();
    double[][] out = new double[images.size()][];
    ParameterStore store = new ParameterStore(manager, false);
    for (int start = 0; start < images.size(); start += batchSize) {
      int b = Math.min(batchSize, images.size() - start);
      float[] buf = new float[b * plane];
      for (int i = 0; i < b; i++) {
        float[] img = images.get(start + i).clone();
        ImageTensors.normalise(img, s);
        System.arraycopy(img, 0, buf, i * plane, plane);
      }
      try (NDManager batch = manager.newSubManager()) {
        NDArray x = OwnedArrays.of(batch, buf, new Shape(b, 3, s, s));
        NDArray p = net.block().forward(store, new NDList(x), false).singletonOrThrow().softmax(1);
        float[] flat = p.toFloatArray();
        for (int i = 0; i < b; i++) {
          double[] row = new double[classes];
          for (int k = 0; k < classes; k++) {
            row[k] = flat[i * classes + k];
          }
          out[start + i] = row;
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
  }
}
