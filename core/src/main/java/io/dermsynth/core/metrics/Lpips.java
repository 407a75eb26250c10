package io.dermsynth.core.metrics;

import io.dermsynth.core.OwnedArrays;
import io.dermsynth.core.BadInputException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LPIPS (Zhang et al. 2018), the perceptual distance the paper thresholds at 0.2: deep features of both
 * images at several layers, unit-normalised along channels, squared difference weighted per channel
 * (learned 1×1 "lin" layers), averaged over space, summed over layers.
 *
 * <p>Two backbones:
 * <ul>
 *   <li>{@link #alexNet}: the published network (LPIPS v0.1 "alex": AlexNet relu1–relu5 after LPIPS's
 *       input scaling). Its weights come from a safetensors (or npz) file with torchvision's AlexNet
 *       names ({@code features.0.weight}, ..., or the lpips package's {@code net.slice1.0.weight}, ...)
 *       and the lin layers ({@code lin0.model.1.weight}, ...). With the official weights, values match
 *       the lpips package and the paper's 0.2 threshold applies.</li>
 *   <li>{@link #of(List)} with any feature taps, e.g. the trained lesion classifier's: no pretrained
 *       weights can be downloaded here, so this is the default. Channel weights are uniform,
 *       1 / (4 × layers), which keeps the distance in [0, 1]; its threshold is a configuration value,
 *       not the paper's 0.2.</li>
 * </ul>
 */
public final class Lpips {

  /** Feature maps of a batch of NCHW images with values in [0, 1]. */
  @FunctionalInterface
  public interface Backbone {
    List<NDArray> features(NDArray images01);
  }

  private final Backbone backbone;
  /** Per layer, channel weights as a (1, C, 1, 1) array; null = uniform. */
  private final List<NDArray> lin;

  private Lpips(Backbone backbone, List<NDArray> lin) {
    this.backbone = backbone;
    this.lin = lin;
  }

  /** Uniform channel weights over the given backbone's layers. */
  public static Lpips of(Backbone backbone) {
    return new Lpips(backbone, null);
  }

  /**
   * The published AlexNet variant with weights read from {@code weights} (safetensors or npz).
   *
   * @param manager owns the network's parameters; close it to free them
   */
  public static Lpips alexNet(NDManager manager, InputStream weights) throws IOException {
    AlexNet net = new AlexNet(manager);
    List<NDArray> lin = net.load(weights);
    return new Lpips(net, lin);
  }

  /** Distance of each pair (x[i], y[i]); x and y are NCHW in [0, 1] of the same shape. */
  public double[] distance(NDArray x, NDArray y) {
    float[] v = distances(x, y).toType(DataType.FLOAT32, false).toFloatArray();
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  /**
   * The distances as an [N] array that stays in the autograd graph, for losses (inversion trains
   * against it); the backbone's own weights should be frozen by the caller.
   */
  public NDArray distances(NDArray x, NDArray y) {
    if (!x.getShape().equals(y.getShape()) || x.getShape().dimension() != 4) {
      throw new IllegalArgumentException("LPIPS needs two NCHW batches of one shape, got "
          + x.getShape() + " and " + y.getShape());
    }
    List<NDArray> fx = backbone.features(x);
    List<NDArray> fy = backbone.features(y);
    NDArray total = null;
    for (int l = 0; l < fx.size(); l++) {
      NDArray a = unitNormalise(fx.get(l));
      NDArray b = unitNormalise(fy.get(l));
      NDArray diff = a.sub(b).square();
      NDArray weighted = lin == null
          ? OwnedArrays.div(diff.sum(new int[] {1}), 4.0 * fx.size())
          : diff.mul(lin.get(l)).sum(new int[] {1});
      // Mean over H and W as one axis: DJL's PyTorch mean over several axes throws.
      NDArray spatial = weighted.reshape(weighted.getShape().get(0), -1).mean(new int[] {1});
      total = total == null ? spatial : total.add(spatial);
    }
    return total;
  }

  /** x / (‖x‖₂ over channels + 1e-10), as lpips.normalize_tensor. */
  private static NDArray unitNormalise(NDArray f) {
    NDArray norm = f.square().sum(new int[] {1}, true).sqrt();
    return f.div(norm.add(1e-10f));
  }

  /** torchvision's AlexNet feature extractor with LPIPS's input scaling, taps at relu1..relu5. */
  static final class AlexNet implements Backbone {
    private static final int[] TORCHVISION_INDEX = {0, 3, 6, 8, 10};
    private static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
    private static final float[] SCALE = {0.458f, 0.448f, 0.450f};
    private final NDManager manager;
    private final List<Conv2d> convs = new ArrayList<>();
    private final Block maxPool = Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2));

    AlexNet(NDManager manager) {
      this.manager = manager;
      int[][] spec = {{64, 11, 4, 2}, {192, 5, 1, 2}, {384, 3, 1, 1}, {256, 3, 1, 1}, {256, 3, 1, 1}};
      int in = 3;
      for (int[] s : spec) {
        Conv2d c = Conv2d.builder().setFilters(s[0]).setKernelShape(new Shape(s[1], s[1]))
            .optStride(new Shape(s[2], s[2])).optPadding(new Shape(s[3], s[3])).build();
        c.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        c.initialize(manager, DataType.FLOAT32, new Shape(1, in, 64, 64));
        convs.add(c);
        in = s[0];
      }
    }

    @Override
    public List<NDArray> features(NDArray images01) {
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray shift = OwnedArrays.of(images01.getManager(), SHIFT, new Shape(1, 3, 1, 1));
      NDArray scale = OwnedArrays.of(images01.getManager(), SCALE, new Shape(1, 3, 1, 1));
      NDArray h = OwnedArrays.mul(images01, 2).sub(1).sub(shift).div(scale);
      List<NDArray> taps = new ArrayList<>();
      for (int i = 0; i < convs.size(); i++) {
        if (i == 1 || i == 2) {
          h = maxPool.forward(ps, new NDList(h), false).singletonOrThrow();
        }
        h = Activation.relu(convs.get(i).forward(ps, new NDList(h), false).singletonOrThrow());
        taps.add(h);
      }
      return taps;
    }

    /** Sets the convolutions from the file and returns the five lin weight arrays. */
    List<NDArray> load(InputStream in) throws IOException {
      NDList list = NDList.decode(manager, in);
      Map<String, NDArray> byName = new LinkedHashMap<>();
      for (NDArray a : list) {
        byName.put(a.getName(), a);
      }
      for (int i = 0; i < convs.size(); i++) {
        int idx = TORCHVISION_INDEX[i];
        for (String kind : new String[] {"weight", "bias"}) {
          NDArray src = byName.get("features." + idx + "." + kind);
          if (src == null) {
            src = byName.get("net.slice" + (i + 1) + "." + idx + "." + kind);
          }
          if (src == null) {
            throw new BadInputException("LPIPS weights have no features." + idx + "." + kind
                + " (or net.slice" + (i + 1) + "." + idx + "." + kind + ")");
          }
          NDArray dst = convs.get(i).getParameters().get(kind).getArray();
          if (!dst.getShape().equals(src.getShape())) {
            throw new BadInputException("features." + idx + "." + kind + " has shape " + src.getShape()
                + ", AlexNet needs " + dst.getShape());
          }
          OwnedArrays.assign(dst, src.toType(DataType.FLOAT32, false).toFloatArray());
        }
      }
      List<NDArray> lin = new ArrayList<>();
      for (int l = 0; l < convs.size(); l++) {
        NDArray w = byName.get("lin" + l + ".model.1.weight");
        if (w == null) {
          throw new BadInputException("LPIPS weights have no lin" + l + ".model.1.weight");
        }
        lin.add(w.toType(DataType.FLOAT32, false).reshape(1, -1, 1, 1));
      }
      return lin;
    }
  }
}
