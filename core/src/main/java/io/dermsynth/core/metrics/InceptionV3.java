package io.dermsynth.core.metrics;

import io.dermsynth.core.OwnedArrays;
import io.dermsynth.core.BadInputException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Inception-v3's 2048-d pool3 features, the feature space in which FID and KID are published (Heusel et
 * al. 2017; Bińkowski et al. 2018; NVlabs' metrics), for users who bring its weights: none can be
 * downloaded here. Weights come from a safetensors file with torchvision's Inception3 names
 * ({@code Conv2d_1a_3x3.conv.weight}, {@code Conv2d_1a_3x3.bn.running_var}, ..., {@code Mixed_7c.branch_pool.conv.weight});
 * {@code tools/inception_to_safetensors.py} converts pytorch-fid's {@code pt_inception-2015-12-05} or
 * torchvision's ImageNet checkpoint.
 *
 * <p>Two variants of one architecture, told apart by the file's {@code fc.weight} rows:
 * <ul>
 *   <li>{@code inception-fid} (1008 rows, or no fc): the TensorFlow FID network as pytorch-fid ports it —
 *       3×3 average pools in Mixed_5*, Mixed_6b–e and Mixed_7b exclude the padding, Mixed_7c's pool branch
 *       is a max pool. With pytorch-fid's weights, features and FID match pytorch-fid's.</li>
 *   <li>{@code inception-torchvision} (1000 rows): torchvision's network (padding counted in every average
 *       pool, average pool in Mixed_7c).</li>
 * </ul>
 * Input as pytorch-fid: bilinear resize to 299 × 299 (no corner alignment), then 2x − 1. Batch norm is
 * folded into each convolution at load (ε = 0.001), so a forward pass is convolutions, ReLUs and pools.
 */
public final class InceptionV3 implements FeatureNetwork {

  public static final int SIZE = 299;
  public static final int FEATURES = 2048;
  private static final float BN_EPS = 1e-3f;

  /** A convolution by torchvision's name, with its input and output channels (checked at load). */
  private record Layer(String name, int in, int out) {}

  private static final List<Layer> LAYERS = layers();

  /** A convolution with its batch norm folded in: relu(conv(x, w) + b). */
  private record BasicConv(NDArray w, NDArray b) {}

  private final NDManager manager;
  private final Map<String, BasicConv> convs;
  private final boolean fid;

  private InceptionV3(NDManager manager, Map<String, BasicConv> convs, boolean fid) {
    this.manager = manager;
    this.convs = convs;
    this.fid = fid;
  }

  /**
   * Reads the weights (safetensors) onto {@code manager}, which this network then owns and closes (as
   * does a failed load).
   *
   * @throws IOException when a tensor is missing or its shape does not fit the architecture
   */
  public static InceptionV3 load(NDManager manager, InputStream weights) throws IOException {
    try {
      Map<String, NDArray> byName = new HashMap<>();
      for (NDArray a : NDList.decode(manager, weights)) {
        byName.put(a.getName(), a);
      }
      NDArray fc = byName.get("fc.weight");
      boolean fid = fc == null || fc.getShape().get(0) == 1008;
      if (fc != null && !fid && fc.getShape().get(0) != 1000) {
        throw new BadInputException("Inception-v3 fc.weight has " + fc.getShape().get(0)
            + " rows; 1008 (FID network, pytorch-fid) or 1000 (torchvision ImageNet) expected");
      }
      Map<String, BasicConv> convs = new HashMap<>();
      for (Layer layer : LAYERS) {
        convs.put(layer.name(), fold(byName, layer.name(), layer.in(), layer.out()));
      }
      for (NDArray a : byName.values()) {
        a.close();  // the folded copies are kept; the file's tensors (fc, aux logits included) are not
      }
      return new InceptionV3(manager, convs, fid);
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static List<Layer> layers() {
    List<Layer> l = new ArrayList<>();
    add(l, "Conv2d_1a_3x3", 3, 32);
    add(l, "Conv2d_2a_3x3", 32, 32);
    add(l, "Conv2d_2b_3x3", 32, 64);
    add(l, "Conv2d_3b_1x1", 64, 80);
    add(l, "Conv2d_4a_3x3", 80, 192);
    int[][] a = {{192, 32}, {256, 64}, {288, 64}};  // Mixed_5b/c/d: in, pool features
    String[] names = {"Mixed_5b", "Mixed_5c", "Mixed_5d"};
    for (int i = 0; i < 3; i++) {
      String p = names[i] + ".";
      int in = a[i][0];
      add(l, p + "branch1x1", in, 64);
      add(l, p + "branch5x5_1", in, 48);
      add(l, p + "branch5x5_2", 48, 64);
      add(l, p + "branch3x3dbl_1", in, 64);
      add(l, p + "branch3x3dbl_2", 64, 96);
      add(l, p + "branch3x3dbl_3", 96, 96);
      add(l, p + "branch_pool", in, a[i][1]);
    }
    add(l, "Mixed_6a.branch3x3", 288, 384);
    add(l, "Mixed_6a.branch3x3dbl_1", 288, 64);
    add(l, "Mixed_6a.branch3x3dbl_2", 64, 96);
    add(l, "Mixed_6a.branch3x3dbl_3", 96, 96);
    String[] c = {"Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"};
    int[] c7 = {128, 160, 160, 192};
    for (int i = 0; i < 4; i++) {
      String p = c[i] + ".";
      add(l, p + "branch1x1", 768, 192);
      add(l, p + "branch7x7_1", 768, c7[i]);
      add(l, p + "branch7x7_2", c7[i], c7[i]);
      add(l, p + "branch7x7_3", c7[i], 192);
      add(l, p + "branch7x7dbl_1", 768, c7[i]);
      for (int k = 2; k <= 4; k++) {
        add(l, p + "branch7x7dbl_" + k, c7[i], c7[i]);
      }
      add(l, p + "branch7x7dbl_5", c7[i], 192);
      add(l, p + "branch_pool", 768, 192);
    }
    add(l, "Mixed_7a.branch3x3_1", 768, 192);
    add(l, "Mixed_7a.branch3x3_2", 192, 320);
    add(l, "Mixed_7a.branch7x7x3_1", 768, 192);
    add(l, "Mixed_7a.branch7x7x3_2", 192, 192);
    add(l, "Mixed_7a.branch7x7x3_3", 192, 192);
    add(l, "Mixed_7a.branch7x7x3_4", 192, 192);
    String[] e = {"Mixed_7b", "Mixed_7c"};
    int[] eIn = {1280, 2048};
    for (int i = 0; i < 2; i++) {
      String p = e[i] + ".";
      add(l, p + "branch1x1", eIn[i], 320);
      add(l, p + "branch3x3_1", eIn[i], 384);
      add(l, p + "branch3x3_2a", 384, 384);
      add(l, p + "branch3x3_2b", 384, 384);
      add(l, p + "branch3x3dbl_1", eIn[i], 448);
      add(l, p + "branch3x3dbl_2", 448, 384);
      add(l, p + "branch3x3dbl_3a", 384, 384);
      add(l, p + "branch3x3dbl_3b", 384, 384);
      add(l, p + "branch_pool", eIn[i], 192);
    }
    return List.copyOf(l);
  }

  private static void add(List<Layer> l, String name, int in, int out) {
    l.add(new Layer(name, in, out));
  }

  /** conv weight × γ/√(var + ε) per output channel, bias β − mean · γ/√(var + ε). */
  private static BasicConv fold(Map<String, NDArray> byName, String layer, int in, int out) throws IOException {
    NDArray w = tensor(byName, layer + ".conv.weight");
    if (w.getShape().dimension() != 4 || w.getShape().get(0) != out || w.getShape().get(1) != in) {
      throw new BadInputException(layer + ".conv.weight has shape " + w.getShape() + ", Inception-v3 needs ("
          + out + ", " + in + ", kh, kw)");
    }
    NDArray[] bn = new NDArray[4];
    String[] kinds = {"weight", "bias", "running_mean", "running_var"};
    for (int k = 0; k < 4; k++) {
      bn[k] = tensor(byName, layer + ".bn." + kinds[k]);
      if (!bn[k].getShape().equals(new Shape(out))) {
        throw new BadInputException(layer + ".bn." + kinds[k] + " has shape " + bn[k].getShape() + ", needs (" + out + ")");
      }
    }
    NDArray scale = bn[0].div(bn[3].add(BN_EPS).sqrt());
    return new BasicConv(w.mul(scale.reshape(out, 1, 1, 1)), bn[1].sub(bn[2].mul(scale)));
  }

  private static NDArray tensor(Map<String, NDArray> byName, String name) throws IOException {
    NDArray a = byName.get(name);
    if (a == null) {
      throw new BadInputException("Inception-v3 weights have no " + name + " (torchvision Inception3 names expected)");
    }
    return a.toType(DataType.FLOAT32, false);
  }

  @Override
  public long inputSize() {
    return SIZE;
  }

  @Override
  public String featuresName() {
    return fid ? "inception-fid" : "inception-torchvision";
  }

  /** [N, 3, H, W] in [0, 1], any H × W → [N, 2048] pool3 features (the image is resized to 299 first). */
  @Override
  public NDArray embedding(NDArray images01) {
    List<NDArray> taps = forward(images01, true);
    NDArray pooled = Pool.globalAvgPool2d(taps.get(taps.size() - 1));
    return pooled.reshape(pooled.getShape().get(0), FEATURES);
  }

  /** Taps after Conv2d_2b, Conv2d_4a, Mixed_5d, Mixed_6e and Mixed_7c (the resolution of each stage). */
  @Override
  public Lpips.Backbone lpipsBackbone() {
    return images01 -> forward(images01, false);
  }

  private List<NDArray> forward(NDArray images01, boolean lastOnly) {
    if (images01.getShape().dimension() != 4 || images01.getShape().get(1) != 3) {
      throw new IllegalArgumentException("Inception-v3 needs [N, 3, H, W] images, got " + images01.getShape());
    }
    NDArray x = images01.toDevice(manager.getDevice(), false);
    if (x.getShape().get(2) != SIZE || x.getShape().get(3) != SIZE) {
      x = x.getNDArrayInternal().interpolation(new long[] {SIZE, SIZE}, 1, false);
    }
    x = OwnedArrays.mul(x, 2).sub(1f);
    List<NDArray> taps = new ArrayList<>();
    x = valid("Conv2d_1a_3x3", x, 2);
    x = valid("Conv2d_2a_3x3", x, 1);
    x = same("Conv2d_2b_3x3", x);
    taps.add(x);
    x = maxPool(x);
    x = same("Conv2d_3b_1x1", x);
    x = valid("Conv2d_4a_3x3", x, 1);
    taps.add(x);
    x = maxPool(x);
    for (String m : new String[] {"Mixed_5b", "Mixed_5c", "Mixed_5d"}) {
      x = inceptionA(m + ".", x);
    }
    taps.add(x);
    x = inceptionB("Mixed_6a.", x);
    for (String m : new String[] {"Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"}) {
      x = inceptionC(m + ".", x);
    }
    taps.add(x);
    x = inceptionD("Mixed_7a.", x);
    x = inceptionE("Mixed_7b.", x, false);
    x = inceptionE("Mixed_7c.", x, fid);
    if (x.getShape().get(1) != FEATURES) {
      throw new IllegalStateException("Mixed_7c gave " + x.getShape() + ", expected 2048 channels");
    }
    taps.add(x);
    return lastOnly ? List.of(x) : taps;
  }

  private NDArray inceptionA(String p, NDArray x) {
    NDArray b1 = same(p + "branch1x1", x);
    NDArray b5 = same(p + "branch5x5_2", same(p + "branch5x5_1", x));
    NDArray bd = same(p + "branch3x3dbl_3", same(p + "branch3x3dbl_2", same(p + "branch3x3dbl_1", x)));
    return NDArrays.concat(new NDList(b1, b5, bd, same(p + "branch_pool", avgPool(x))), 1);
  }

  private NDArray inceptionB(String p, NDArray x) {
    NDArray b3 = valid(p + "branch3x3", x, 2);
    NDArray bd = valid(p + "branch3x3dbl_3", same(p + "branch3x3dbl_2", same(p + "branch3x3dbl_1", x)), 2);
    return NDArrays.concat(new NDList(b3, bd, maxPool(x)), 1);
  }

  private NDArray inceptionC(String p, NDArray x) {
    NDArray b1 = same(p + "branch1x1", x);
    NDArray b7 = same(p + "branch7x7_3", same(p + "branch7x7_2", same(p + "branch7x7_1", x)));
    NDArray bd = x;
    for (int k = 1; k <= 5; k++) {
      bd = same(p + "branch7x7dbl_" + k, bd);
    }
    return NDArrays.concat(new NDList(b1, b7, bd, same(p + "branch_pool", avgPool(x))), 1);
  }

  private NDArray inceptionD(String p, NDArray x) {
    NDArray b3 = valid(p + "branch3x3_2", same(p + "branch3x3_1", x), 2);
    NDArray b7 = x;
    for (int k = 1; k <= 3; k++) {
      b7 = same(p + "branch7x7x3_" + k, b7);
    }
    return NDArrays.concat(new NDList(b3, valid(p + "branch7x7x3_4", b7, 2), maxPool(x)), 1);
  }

  /** {@code maxPoolBranch}: the FID network's Mixed_7c (a 3×3 max pool, stride 1, in the pool branch). */
  private NDArray inceptionE(String p, NDArray x, boolean maxPoolBranch) {
    NDArray b1 = same(p + "branch1x1", x);
    NDArray b3 = same(p + "branch3x3_1", x);
    b3 = NDArrays.concat(new NDList(same(p + "branch3x3_2a", b3), same(p + "branch3x3_2b", b3)), 1);
    NDArray bd = same(p + "branch3x3dbl_2", same(p + "branch3x3dbl_1", x));
    bd = NDArrays.concat(new NDList(same(p + "branch3x3dbl_3a", bd), same(p + "branch3x3dbl_3b", bd)), 1);
    NDArray pool = maxPoolBranch
        ? Pool.maxPool2d(x, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false)
        : avgPool(x);
    return NDArrays.concat(new NDList(b1, b3, bd, same(p + "branch_pool", pool)), 1);
  }

  /** Stride 1, "same" padding ((kh − 1) / 2, (kw − 1) / 2): every 1×1, 3×3, 5×5, 1×7, 7×1, 1×3, 3×1 layer. */
  private NDArray same(String layer, NDArray x) {
    BasicConv c = convs.get(layer);
    Shape k = c.w().getShape();
    return conv(c, x, 1, new Shape((k.get(2) - 1) / 2, (k.get(3) - 1) / 2));
  }

  /** No padding: the stem's 3×3s and the grid reductions (stride 2). */
  private NDArray valid(String layer, NDArray x, int stride) {
    return conv(convs.get(layer), x, stride, new Shape(0, 0));
  }

  private static NDArray conv(BasicConv c, NDArray x, int stride, Shape pad) {
    return OwnedArrays.maximum(Conv2d.conv2d(x, c.w(), c.b(), new Shape(stride, stride), pad, new Shape(1, 1), 1)
        .singletonOrThrow(), 0);
  }

  private static NDArray maxPool(NDArray x) {
    return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), false);
  }

  /**
   * 3×3, stride 1, padding 1; the FID network divides by the pixels inside the image only. DJL 0.36's
   * PyTorch avgPool2d ignores countIncludePad = false (always counts the padding; measured against
   * PyTorch), so that mean is the padded mean divided by the padded mean of ones (the share of each window
   * inside the image).
   */
  private NDArray avgPool(NDArray x) {
    Shape k = new Shape(3, 3);
    Shape one = new Shape(1, 1);
    NDArray padded = Pool.avgPool2d(x, k, one, one, false, true);
    if (!fid) {
      return padded;
    }
    NDArray ones = x.getManager().ones(new Shape(1, 1, x.getShape().get(2), x.getShape().get(3)));
    return padded.div(Pool.avgPool2d(ones, k, one, one, false, true));
  }

  @Override
  public void close() {
    manager.close();
  }
}
