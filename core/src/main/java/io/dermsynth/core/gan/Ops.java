package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
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
   * depthwise convolution with the normalised outer-product filter, gain 4 (computed in polyphase form,
   * see below). [N, C, H, W] → [N, C, 2H, 2W].
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
    if (s.dimension() != 4 || before < 0 || before > 3 || after < 0 || after > 2) {
      throw new IllegalArgumentException("upsample2d expects [N, C, H, W] and padding before 0..3, after 0..2, got "
          + s + ", (" + before + ", " + after + ")");
    }
    long n = s.get(0);
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    // Polyphase form of zero insertion + 4×4 FIR: of the 4 taps along an axis, an output of one parity
    // meets only two (the others fall on inserted zeros), so the four phases are 2×2 filters at the input
    // resolution — a quarter of the multiply-adds, no zero-filled 4× tensor. Phase p = 2·row + col, 0 =
    // odd taps (1, 3), 1 = even taps (0, 2). Over x padded by one, phase outputs interleave into rows and
    // columns r = 2(s + 1) + parity, i.e. the zero-inserted output's index r + before − 3; then crop.
    NDArray xp = x.pad(new Shape(1, 1, 1, 1), 0);
    NDArray phases = Conv2d.conv2d(xp, phaseKernels(x, c), null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1),
        (int) c).singletonOrThrow();  // [N, 4C, H + 1, W + 1]
    NDArray up = phases.reshape(n, c, 2, 2, h + 1, w + 1).transpose(0, 1, 4, 2, 5, 3)
        .reshape(n, c, 2 * h + 2, 2 * w + 2);
    long r0 = 3 - before;
    return up.get(new NDIndex(":, :, {}:{}, {}:{}", r0, 2 * h + after, r0, 2 * w + after));
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
    return Conv2d.conv2d(x, firKernel(x, c), null, new Shape(stride, stride), new Shape(pad, pad),
        new Shape(1, 1), (int) c).singletonOrThrow();
  }

  /** NVlabs' resampling filter [1, 3, 3, 1] (sum 8 per axis). */
  private static final float[] FIR_TAPS = {1, 3, 3, 1};

  /** The FIR upsampler's four 2×2 phases (gain 4) for {@code channels} groups: [4C, 1, 2, 2], phase p = 2·row + col. */
  private static NDArray phaseKernels(NDArray like, long channels) {
    int[][] taps = {{1, 3}, {0, 2}};  // odd, even
    float[] k = new float[16];
    for (int pr = 0; pr < 2; pr++) {
      for (int pc = 0; pc < 2; pc++) {
        for (int a = 0; a < 2; a++) {
          for (int b = 0; b < 2; b++) {
            k[((pr * 2 + pc) * 2 + a) * 2 + b] = FIR_TAPS[taps[pr][a]] * FIR_TAPS[taps[pc][b]] / 64f * 4f;
          }
        }
      }
    }
    return OwnedArrays.of(like.getManager(), k, new Shape(1, 4, 2, 2)).broadcast(new Shape(channels, 4, 2, 2))
        .reshape(4 * channels, 1, 2, 2);
  }

  /** The separable [1,3,3,1] ⊗ [1,3,3,1] filter, normalised to sum 1, per channel. */
  private static NDArray firKernel(NDArray like, long channels) {
    float[] f2 = new float[16];
    for (int a = 0; a < 4; a++) {
      for (int b = 0; b < 4; b++) {
        f2[a * 4 + b] = FIR_TAPS[a] * FIR_TAPS[b] / 64f;
      }
    }
    return OwnedArrays.of(like.getManager(), f2, new Shape(1, 1, 4, 4)).broadcast(new Shape(channels, 1, 4, 4));
  }
}
