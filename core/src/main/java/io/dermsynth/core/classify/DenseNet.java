package io.dermsynth.core.classify;

import io.dermsynth.core.OwnedArrays;
import io.dermsynth.core.BadInputException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DenseNet-BC (Huang et al. 2017) as torchvision builds it, in DJL: a 7×7/2 stem and 3×3/2 max pool,
 * dense blocks of BN-ReLU-1×1 conv (bn_size × growth) - BN-ReLU-3×3 conv (growth) layers whose outputs
 * are concatenated, transitions (BN-ReLU-1×1 conv with compression, 2×2 average pool), a final BN-ReLU,
 * global average pooling and a linear classifier.
 *
 * <p>Every parameter also has its torchvision {@code densenet121} state-dict name
 * ({@code features.denseblock1.denselayer1.conv1.weight}, {@code features.norm5.running_var},
 * {@code classifier.bias}, ...), which is what {@link #saveSafetensors} writes and {@link
 * #loadSafetensors} reads, so torchvision's ImageNet weights can be brought in by name.
 */
public final class DenseNet {

  /**
   * @param growthRate channels each dense layer adds (k)
   * @param blockLayers dense layers per block
   * @param initFeatures channels of the stem convolution
   * @param bnSize bottleneck width multiplier (1×1 conv has bnSize × k channels)
   * @param compression channel factor of each transition (θ; 0.5 for DenseNet-BC)
   * @param numClasses classifier outputs
   */
  public record Config(int growthRate, int[] blockLayers, int initFeatures, int bnSize,
      double compression, int numClasses) {

    public Config {
      if (growthRate < 1 || blockLayers.length == 0 || initFeatures < 1 || bnSize < 1
          || compression <= 0 || compression > 1 || numClasses < 2) {
        throw new IllegalArgumentException("bad DenseNet config: growth " + growthRate + ", blocks "
            + Arrays.toString(blockLayers) + ", init " + initFeatures + ", bn_size " + bnSize
            + ", compression " + compression + ", classes " + numClasses);
      }
      blockLayers = blockLayers.clone();
    }

    /** DenseNet-121 exactly as published (7,978,856 parameters at 1,000 classes). */
    public static Config densenet121(int numClasses) {
      return new Config(32, new int[] {6, 12, 24, 16}, 64, 4, 0.5, numClasses);
    }

    /** A DenseNet-BC small enough to train on a CPU at 64×64 in minutes (~0.2 M parameters). */
    public static Config small(int numClasses) {
      return new Config(12, new int[] {4, 8, 6}, 24, 4, 0.5, numClasses);
    }

    /** The presets {@link #preset} knows. */
    public static final java.util.List<String> PRESETS = java.util.List.of("small", "densenet121");

    public static Config preset(String name, int numClasses) {
      return switch (name) {
        case "densenet121" -> densenet121(numClasses);
        case "small" -> small(numClasses);
        default -> throw new IllegalArgumentException("unknown DenseNet preset '" + name + "'; allowed: " + PRESETS);
      };
    }

    /** Channels entering the classifier. */
    public int featureChannels() {
      int c = initFeatures;
      for (int b = 0; b < blockLayers.length; b++) {
        c += blockLayers[b] * growthRate;
        if (b < blockLayers.length - 1) {
          c = (int) Math.floor(c * compression);
        }
      }
      return c;
    }
  }

  private final Config config;
  private final SequentialBlock block = new SequentialBlock();
  private final SequentialBlock features = new SequentialBlock();
  /** Children of {@code features} after which a feature map is tapped (for perceptual distances). */
  private final java.util.Set<Integer> taps = new java.util.TreeSet<>();
  /** torchvision layer name → the DJL block holding its parameters. */
  private final Map<String, Block> layers = new LinkedHashMap<>();

  public DenseNet(Config config) {
    this.config = config;
    features.add(conv("features.conv0", config.initFeatures(), 7, 2, 3));
    features.add(norm("features.norm0"));
    features.add(Activation.reluBlock());
    taps.add(features.getChildren().size() - 1);
    features.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
    int channels = config.initFeatures();
    for (int b = 0; b < config.blockLayers().length; b++) {
      for (int l = 0; l < config.blockLayers()[b]; l++) {
        features.add(denseLayer("features.denseblock" + (b + 1) + ".denselayer" + (l + 1)));
        channels += config.growthRate();
      }
      taps.add(features.getChildren().size() - 1);
      if (b < config.blockLayers().length - 1) {
        channels = (int) Math.floor(channels * config.compression());
        String t = "features.transition" + (b + 1);
        features.add(norm(t + ".norm"))
            .add(Activation.reluBlock())
            .add(conv(t + ".conv", channels, 1, 1, 0))
            .add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
      }
    }
    features.add(norm("features.norm5")).add(Activation.reluBlock());
    Linear classifier = Linear.builder().setUnits(config.numClasses()).build();
    layers.put("classifier", classifier);
    block.add(features)
        .add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock())
        .add(classifier);
    // He initialisation for convolutions, as torchvision (kaiming_normal_); BN starts at γ=1, β=0.
    block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
        XavierInitializer.FactorType.IN, 2), Parameter.Type.WEIGHT);
  }

  /** One dense layer: its input, concatenated with BN-ReLU-conv1×1-BN-ReLU-conv3×3 of it. */
  private Block denseLayer(String name) {
    SequentialBlock branch = new SequentialBlock()
        .add(norm(name + ".norm1"))
        .add(Activation.reluBlock())
        .add(conv(name + ".conv1", config.bnSize() * config.growthRate(), 1, 1, 0))
        .add(norm(name + ".norm2"))
        .add(Activation.reluBlock())
        .add(conv(name + ".conv2", config.growthRate(), 3, 1, 1));
    return new ParallelBlock(
        outs -> new NDList(NDArrays.concat(new NDList(outs.get(0).singletonOrThrow(),
            outs.get(1).singletonOrThrow()), 1)),
        List.of(Blocks.identityBlock(), branch));
  }

  private Block conv(String name, int filters, int kernel, int stride, int pad) {
    Conv2d c = Conv2d.builder().setFilters(filters).setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride)).optPadding(new Shape(pad, pad)).optBias(false).build();
    layers.put(name, c);
    return c;
  }

  private Block norm(String name) {
    BatchNorm bn = BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
    layers.put(name, bn);
    return bn;
  }

  public Config config() {
    return config;
  }

  /** The network: NCHW float images in, class logits out. */
  public Block block() {
    return block;
  }

  /**
   * Feature maps of NCHW (normalised) images: after the stem and after each dense block, in inference
   * mode. The perceptual distance of the default LPIPS backbone is taken on these.
   */
  public List<NDArray> featureMaps(ai.djl.training.ParameterStore store, NDArray x) {
    List<NDArray> out = new ArrayList<>();
    NDList h = new NDList(x);
    int i = 0;
    for (Pair<String, Block> child : features.getChildren()) {
      h = child.getValue().forward(store, h, false);
      if (taps.contains(i++)) {
        out.add(h.singletonOrThrow());
      }
    }
    return out;
  }

  /**
   * The penultimate layer: globally average-pooled features (after the final BN-ReLU) of NCHW (normalised)
   * images, [N, featureChannels], in inference mode. FID and KID are taken on these.
   */
  public NDArray embedding(ai.djl.training.ParameterStore store, NDArray x) {
    NDArray h = features.forward(store, new NDList(x), false).singletonOrThrow();
    return h.mean(new int[] {3}).mean(new int[] {2});  // PyTorch engine: one axis per mean
  }

  public void initialize(NDManager manager, int height, int width) {
    block.initialize(manager, DataType.FLOAT32, new Shape(1, 3, height, width));
  }

  /** Parameters by torchvision name, in torchvision's state-dict order (running stats included). */
  public Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    layers.forEach((layer, b) -> {
      for (Pair<String, Parameter> p : b.getDirectParameters()) {
        out.put(layer + "." + torchName(p.getKey()), p.getValue());
      }
    });
    return out;
  }

  /** Trainable parameters (what torchvision's {@code sum(p.numel() for p in m.parameters())} counts). */
  public long trainableParameterCount() {
    long n = 0;
    for (Parameter p : namedParameters().values()) {
      if (p.requiresGradient()) {
        n += p.getArray().size();
      }
    }
    return n;
  }

  /** Writes every parameter and running statistic under its torchvision name. */
  public void saveSafetensors(OutputStream out) throws IOException {
    NDList list = new NDList();
    namedParameters().forEach((name, p) -> {
      NDArray a = p.getArray();
      a.setName(name);
      list.add(a);
    });
    list.encode(out, NDList.Encoding.SAFETENSORS);
  }

  /**
   * Reads weights by torchvision name. Every tensor of this network must be present with its shape;
   * tensors it does not have (e.g. a 1000-class classifier when loading a backbone) are listed in the
   * returned names and ignored when {@code skipClassifier} is set, else an error.
   */
  public List<String> loadSafetensors(InputStream in, NDManager manager, boolean skipClassifier)
      throws IOException {
    List<String> skipped = new ArrayList<>();
    try (NDManager scratch = manager.newSubManager()) {
      NDList list = NDList.decode(scratch, in);
      Map<String, NDArray> byName = new LinkedHashMap<>();
      for (NDArray a : list) {
        byName.put(a.getName(), a);
      }
      for (Map.Entry<String, Parameter> e : namedParameters().entrySet()) {
        NDArray src = byName.remove(e.getKey());
        boolean classifier = e.getKey().startsWith("classifier.");
        if (src == null || (classifier && skipClassifier)) {
          if (classifier && skipClassifier) {
            skipped.add(e.getKey());
            continue;
          }
          throw new BadInputException("weights file has no tensor '" + e.getKey() + "'");
        }
        NDArray dst = e.getValue().getArray();
        if (!dst.getShape().equals(src.getShape())) {
          throw new BadInputException("tensor '" + e.getKey() + "' has shape " + src.getShape()
              + ", this network needs " + dst.getShape());
        }
        OwnedArrays.assign(dst, src.toType(DataType.FLOAT32, false).toFloatArray());
      }
      for (String extra : byName.keySet()) {
        if (!extra.endsWith("num_batches_tracked")) {
          skipped.add(extra);
        }
      }
    }
    return skipped;
  }

  /** DJL's parameter names → torchvision's. */
  private static String torchName(String djl) {
    return switch (djl) {
      case "gamma" -> "weight";
      case "beta" -> "bias";
      case "runningMean" -> "running_mean";
      case "runningVar" -> "running_var";
      default -> djl;
    };
  }
}
