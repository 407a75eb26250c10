package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;

/**
 * NVlabs {@code Conv2dLayer} of the discriminator: equalised learning rate (N(0,1) weights scaled by
 * 1/√(in·k·k)), optional bias, leaky ReLU (gain √2) or linear, and optional FIR-blurred 2× downsampling
 * as conv2d_resample does it (blur first, then a stride-2 convolution).
 */
public final class Conv2dLayer extends GanBlock {

  private final int in;
  private final int kernel;
  private final boolean lrelu;
  private final boolean down;
  private final float weightGain;
  private final Parameter weight;
  private final Parameter bias;

  public Conv2dLayer(int in, int out, int kernel, boolean bias, boolean lrelu, boolean down) {
    this.in = in;
    this.kernel = kernel;
    this.lrelu = lrelu;
    this.down = down;
    this.weightGain = (float) (1 / Math.sqrt((double) in * kernel * kernel));
    weight = addParameter(param("weight", new Shape(out, in, kernel, kernel), new NormalInitializer(1f), true));
    this.bias = bias ? addParameter(param("bias", new Shape(out), new ConstantInitializer(0f), true)) : null;
  }

  /** x [N, in, H, W] → [N, out, H', W']; {@code gain} multiplies the activation's own gain. */
  public NDArray forward(NDArray x, float gain) {
    if (x.getShape().dimension() != 4 || x.getShape().get(1) != in) {
      throw new IllegalArgumentException("Conv2dLayer(" + in + " ch, " + kernel + "×" + kernel
          + ") got " + x.getShape());
    }
    NDArray w = OwnedArrays.mul(weight.getArray(), weightGain);
    NDArray y;
    if (down && kernel == 1) {
      y = conv(Ops.downsample2d(x), w, 1, 0);
    } else if (down) {
      // upfirdn2d padding for a 4-tap filter before a stride-2 k×k conv: (k − 1)/2 + 1 on each side.
      y = conv(Ops.fir(x, (kernel - 1) / 2 + 1, 1), w, 2, 0);
    } else {
      y = conv(x, w, 1, kernel / 2);
    }
    if (bias != null) {
      y = Ops.addChannelBias(y, bias.getArray());
    }
    return lrelu ? Ops.lrelu(y, (float) Math.sqrt(2) * gain) : (gain == 1f ? y : OwnedArrays.mul(y, gain));
  }

  private static NDArray conv(NDArray x, NDArray w, int stride, int pad) {
    return Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1)
        .singletonOrThrow();
  }
}
