package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * NVlabs {@code ToRGBLayer}: a modulated 1×1 convolution without demodulation (styles scaled by
 * 1/√in, the equalised-lr gain), plus bias; linear. Its outputs are summed over resolutions (skip
 * architecture).
 */
public final class ToRGBLayer extends GanBlock {

  private final float weightGain;
  private final FullyConnectedLayer affine;
  private final Parameter weight;
  private final Parameter bias;

  public ToRGBLayer(int in, int imgChannels, int wDim) {
    weightGain = (float) (1 / Math.sqrt(in));
    affine = addChildBlock("affine", new FullyConnectedLayer(wDim, in, false, 1f, 1f));
    weight = addParameter(param("weight", new Shape(imgChannels, in, 1, 1), new NormalInitializer(1f), true));
    bias = addParameter(param("bias", new Shape(imgChannels), new ConstantInitializer(0f), true));
  }

  /** x [N, in, R, R], w [N, wDim] → [N, imgChannels, R, R]. */
  public NDArray forward(NDArray x, NDArray w) {
    NDArray styles = OwnedArrays.mul(affine.forward(w), weightGain);
    return Ops.addChannelBias(Ops.modulatedConv2d(x, weight.getArray(), styles, false, 0), bias.getArray());
  }
}
