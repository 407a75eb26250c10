package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * NVlabs {@code FullyConnectedLayer}: equalised learning rate (weights stored as N(0,1)/lr_multiplier
 * and scaled by lr_multiplier/√in at run time), a learning-rate multiplier, and an optional leaky ReLU
 * with gain √2. Parameters are named {@code weight} and {@code bias} as in NVlabs checkpoints.
 */
public final class FullyConnectedLayer extends GanBlock {

  private final int in;
  private final int out;
  private final boolean lrelu;
  private final float weightGain;
  private final float biasGain;
  private final Parameter weight;
  private final Parameter bias;

  /**
   * @param in input features
   * @param out output features
   * @param lrelu leaky ReLU (slope 0.2, gain √2) after the bias, else linear
   * @param lrMultiplier learning-rate multiplier (0.01 in the mapping network)
   * @param biasInit initial bias (1 for the affine layers that make styles)
   */
  public FullyConnectedLayer(int in, int out, boolean lrelu, float lrMultiplier, float biasInit) {
    this.in = in;
    this.out = out;
    this.lrelu = lrelu;
    this.weightGain = (float) (lrMultiplier / Math.sqrt(in));
    this.biasGain = lrMultiplier;
    weight = addParameter(param("weight", new Shape(out, in), new NormalInitializer(1f / lrMultiplier), true));
    bias = addParameter(param("bias", new Shape(out), new ConstantInitializer(biasInit / lrMultiplier), true));
  }

  /** [N, in] → [N, out]. */
  public NDArray forward(NDArray x) {
    if (x.getShape().dimension() != 2 || x.getShape().get(1) != in) {
      throw new IllegalArgumentException("FullyConnectedLayer(" + in + "→" + out + ") got " + x.getShape());
    }
    NDArray y = x.matMul(OwnedArrays.mul(weight.getArray(), weightGain).transpose())
        .add(OwnedArrays.mul(bias.getArray(), biasGain));
    return lrelu ? Ops.lrelu(y, (float) Math.sqrt(2)) : y;
  }
}
