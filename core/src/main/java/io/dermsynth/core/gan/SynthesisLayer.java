package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * NVlabs {@code SynthesisLayer}: a style from w by an affine layer (bias 1), a modulated, demodulated
 * 3×3 convolution (after [1,3,3,1] upsampling when {@code up}), per-pixel noise scaled by a learned
 * {@code noise_strength}, bias and leaky ReLU with gain √2.
 *
 * <p>NVlabs' up-convolution is a transposed convolution (a true convolution with the weight) followed
 * by the FIR filter. DJL's PyTorch engine has no transposed convolution, so here the FIR upsampling
 * comes first (padded to its full support) and an unpadded correlation with the flipped weight second.
 * Both are linear and shift-invariant, so the result is the same, borders included
 * (tools/fixtures/make_stylegan2_fixture.py computes it the NVlabs way).
 */
public final class SynthesisLayer extends GanBlock {

  private final int in;
  private final int out;
  private final int resolution;
  private final boolean up;
  private final FullyConnectedLayer affine;
  private final Parameter weight;
  private final Parameter bias;
  private final Parameter noiseStrength;
  private final Parameter noiseConst;

  public SynthesisLayer(int in, int out, int wDim, int resolution, boolean up) {
    this.out = out;
    this.in = in;
    this.resolution = resolution;
    this.up = up;
    affine = addChildBlock("affine", new FullyConnectedLayer(wDim, in, false, 1f, 1f));
    weight = addParameter(param("weight", new Shape(out, in, 3, 3), new NormalInitializer(1f), true));
    bias = addParameter(param("bias", new Shape(out), new ConstantInitializer(0f), true));
    noiseStrength = addParameter(param("noise_strength", new Shape(), new ConstantInitializer(0f), true));
    noiseConst = addParameter(param("noise_const", new Shape(resolution, resolution),
        new NormalInitializer(1f), false));
  }

  public int inChannels() {
    return in;
  }

  public int outChannels() {
    return out;
  }

  /** x [N, in, R/2 or R, …], w [N, wDim] → [N, out, R, R]. */
  public NDArray forward(NDArray x, NDArray w, NoiseMode noise) {
    return forward(x, w, noise, null);
  }

  /**
   * As {@link #forward(NDArray, NDArray, NoiseMode)} with HyperStyle's per-sample weight offsets:
   * the weight becomes W ⊙ (1 + Δ) with Δ [N, out, in, 1, 1] (one offset per input/output channel pair,
   * shared over the kernel window); null means none.
   */
  public NDArray forward(NDArray x, NDArray w, NoiseMode noise, NDArray delta) {
    long n = x.getShape().get(0);
    long expect = up ? resolution / 2 : resolution;
    if (x.getShape().get(1) != in || x.getShape().get(2) != expect || x.getShape().get(3) != expect) {
      throw new IllegalArgumentException("SynthesisLayer(" + in + " ch, " + resolution + "px, up=" + up
          + ") got x " + x.getShape());
    }
    NDArray styles = affine.forward(w);
    NDArray kernel = up ? weight.getArray().flip(2, 3) : weight.getArray();
    if (delta != null) {
      Shape want = new Shape(n, kernel.getShape().get(0), in, 1, 1);
      if (!delta.getShape().equals(want)) {
        throw new IllegalArgumentException("SynthesisLayer(" + in + " ch, " + resolution
            + "px) weight offsets " + delta.getShape() + ", want " + want);
      }
      // Δ is constant over the window, so it commutes with the flip of the up path.
      kernel = kernel.expandDims(0).mul(delta.add(1f));
    }
    NDArray y = up
        ? Ops.modulatedConv2d(Ops.upsample2d(x, 3, 2), kernel, styles, true, 0)
        : Ops.modulatedConv2d(x, kernel, styles, true, 1);
    NDArray strength = noiseStrength.getArray();
    switch (noise) {
      case RANDOM -> y = y.add(x.getManager().randomNormal(new Shape(n, 1, resolution, resolution))
          .mul(strength));
      case CONST -> y = y.add(noiseConst.getArray().mul(strength));
      case NONE -> { }
    }
    return Ops.lrelu(Ops.addChannelBias(y, bias.getArray()), (float) Math.sqrt(2));
  }
}
