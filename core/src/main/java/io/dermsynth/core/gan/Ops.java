package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * StyleGAN2's free functions, after NVlabs stylegan2-ada-pytorch {@code training/networks.py}. Shapes
 * are checked at the boundary: a wrong shape fails here with both shapes named, not deep in libtorch.
 */
public final class Ops {

  private Ops() {}

  /**
   * Leaky ReLU (slope 0.2) times {@code gain}: NVlabs bias_act's 'lrelu' after the bias. libtorch's own
   * leaky_relu: as max(x, 0.2x) it took 5 operators forward and backward (maximum, where, eq,
   * masked_fill, div), 1.3 s of two profiled small64 training steps against 0.32 s now (bench/RESULTS.md).
   */
  public static NDArray lrelu(NDArray x, float gain) {
    try (NDArray y = x.getNDArrayInternal().leakyRelu(0.2f)) {
      return OwnedArrays.mul(y, gain);
    }
  }

  /** x + b per channel: x [N, C, H, W], b [C]. */
  public static NDArray addChannelBias(NDArray x, NDArray b) {
    return x.add(b.reshape(1, b.getShape().get(0), 1, 1));
  }

  /** x · rsqrt(mean(x², dim) + ε): the mapping network's input normalisation. */
  public static NDArray normalize2ndMoment(NDArray x, int dim) {
    return x.mul(OwnedArrays.pow(x.square().mean(new int[] {dim}, true).add(1e-8f), -0.5));
  }

  /**
   * Modulated convolution (Karras et al. 2020, eq. 1–3) as one grouped convolution (NVlabs'
   * fused_modconv): each sample's weight is the shared weight scaled per input channel by that
   * sample's style and, with {@code demodulate}, rescaled to unit norm per output channel. (The
   * unfused form — scale the input, convolve the batch with the shared weight, scale the output — was
   * measured no faster on CPU: 8.2 s per small64 training step either way.)
   *
   * @param x input [N, I, H, W]
   * @param weight shared weight [O, I, k, k], or per-sample weights [N, O, I, k, k] (HyperStyle's
   *     offset generator weights)
   * @param styles per-sample input-channel scales [N, I]
   * @param padding spatial padding on each side
   * @return [N, O, H', W']
   */
  public static NDArray modulatedConv2d(NDArray x, NDArray weight, NDArray styles, boolean demodulate,
      int padding) {
    Shape xs = x.getShape();
    long n = xs.get(0);
    boolean perSample = weight.getShape().dimension() == 5;
    Shape ws = perSample ? weight.getShape().slice(1) : weight.getShape();
    long in = ws.get(1);
    if (xs.dimension() != 4 || ws.dimension() != 4 || xs.get(1) != in
        || (perSample && weight.getShape().get(0) != n)
        || !styles.getShape().equals(new Shape(n, in))) {
      throw new IllegalArgumentException("modulatedConv2d: x " + xs + ", weight " + weight.getShape()
          + ", styles " + styles.getShape()
          + " (want x [N,I,H,W], weight [O,I,k,k] or [N,O,I,k,k], styles [N,I])");
    }
    long out = ws.get(0);
    NDArray w = (perSample ? weight : weight.expandDims(0)).mul(styles.reshape(n, 1, in, 1, 1));  // [N, O, I, k, k]
    if (demodulate) {
      NDArray d = OwnedArrays.pow(w.square().reshape(n, out, -1).sum(new int[] {2}).add(1e-8f), -0.5);
      w = w.mul(d.reshape(n, out, 1, 1, 1));
    }
    NDArray y = Conv2d.conv2d(x.reshape(1, n * in, xs.get(2), xs.get(3)),
        w.reshape(n * out, in, ws.get(2), ws.get(3)), null, new Shape(1, 1),
        new Shape(padding, padding), new Shape(1, 1), (int) n).singletonOrThrow();
    return y.reshape(n, out, y.getShape().get(2), y.getShape().get(3));
  }

  /**
   * NVlabs {@code upsample2d} with the [1, 3, 3, 1] FIR filter: zero insertion, padding (2, 1), a 4×4
   * depthwise convolution with the normalised outer-product filter, gain 4. [N, C, H, W] → [N, C, 2H, 2W].
   */
  public static NDArray upsample2d(NDArray x) {
    return upsample2d(x, 2, 1);
  }

  /**
   * The FIR upsampler with padding (before, after) on each axis: [N, C, H, W] → [N, C, 2H + b + a − 3, …].
   * Padding (3, 2) gives the whole 2H + 2 support that a following unpadded 3×3 convolution needs to
   * equal NVlabs' up-convolution (transposed conv, then FIR) exactly, borders included.
   */
  public static NDArray upsample2d(NDArray x, int before, int after) {
    Shape s = x.getShape();
    if (s.dimension() != 4) {
      throw new IllegalArgumentException("upsample2d expects [N, C, H, W], got " + s);
    }
    long n = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    // Zero insertion: each pixel followed by a zero, along H and W.
    NDArray z = x.reshape(n, c, h, 1, w, 1);
    z = z.concat(z.zerosLike(), 3);
    z = z.concat(z.zerosLike(), 5).reshape(n, c, 2 * h, 2 * w);
    // Pad W then H; (2, 1) is upfirdn2d's padding for up=2 with 4 taps.
    z = z.pad(new Shape(before, after, before, after), 0);
    NDArray kernel = firKernel(x, c, 4f);  // the up² gain keeps the mean
    return Conv2d.conv2d(z, kernel, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), (int) c)
        .singletonOrThrow();
  }

  /**
   * NVlabs {@code downsample2d} with the [1, 3, 3, 1] FIR filter (the discriminator's blur before
   * subsampling): padding 1, the 4×4 normalised filter, stride 2. [N, C, H, W] → [N, C, H/2, W/2].
   */
  public static NDArray downsample2d(NDArray x) {
    Shape s = x.getShape();
    if (s.dimension() != 4 || s.get(2) % 2 != 0 || s.get(3) % 2 != 0) {
      throw new IllegalArgumentException("downsample2d expects [N, C, H, W] with even H and W, got " + s);
    }
    return fir(x, 1, 2);
  }

  /**
   * The [1,3,3,1] blur alone, with {@code pad} zeros on every side and a stride: NVlabs' upfirdn2d
   * with up = 1. {@code fir(x, 2, 1)} before a stride-2 3×3 convolution is conv2d_resample's down path.
   */
  public static NDArray fir(NDArray x, int pad, int stride) {
    long c = x.getShape().get(1);
    return Conv2d.conv2d(x, firKernel(x, c, 1f), null, new Shape(stride, stride), new Shape(pad, pad),
        new Shape(1, 1), (int) c).singletonOrThrow();
  }

  /** The separable [1,3,3,1] ⊗ [1,3,3,1] filter, normalised to sum 1, times {@code gain}, per channel. */
  private static NDArray firKernel(NDArray like, long channels, float gain) {
    float[] f1 = {1, 3, 3, 1};
    float[] f2 = new float[16];
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        f2[a * 4 + b] = f1[a] * f1[b] / 64f * gain;
      }
    }
    return OwnedArrays.of(like.getManager(), f2, new Shape(1, 1, 4, 4)).broadcast(new Shape(channels, 1, 4, 4));
  }
}
