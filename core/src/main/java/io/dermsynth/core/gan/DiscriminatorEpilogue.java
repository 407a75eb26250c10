package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * NVlabs {@code DiscriminatorEpilogue} at 4×4: minibatch standard deviation (one extra channel) →
 * 3×3 conv → fc → out (one logit per image).
 */
public final class DiscriminatorEpilogue extends GanBlock {

  private final int channels;
  private final int mbstdGroup;
  private final Conv2dLayer conv;
  private final FullyConnectedLayer fc;
  private final FullyConnectedLayer out;

  public DiscriminatorEpilogue(int channels, int mbstdGroup) {
    this.channels = channels;
    this.mbstdGroup = mbstdGroup;
    conv = addChildBlock("conv", new Conv2dLayer(channels + 1, channels, 3, true, true, false));
    fc = addChildBlock("fc", new FullyConnectedLayer(channels * 16, channels, true, 1f, 0f));
    out = addChildBlock("out", new FullyConnectedLayer(channels, 1, false, 1f, 0f));
  }

  /** x [N, C, 4, 4] → logits [N, 1]. */
  public NDArray forward(NDArray x) {
    if (!x.getShape().equals(new Shape(x.getShape().get(0), channels, 4, 4))) {
      throw new IllegalArgumentException("DiscriminatorEpilogue expects [N, " + channels + ", 4, 4], got "
          + x.getShape());
    }
    x = conv.forward(minibatchStd(x, mbstdGroup), 1f);
    return out.forward(fc.forward(x.reshape(x.getShape().get(0), -1)));
  }

  /**
   * NVlabs {@code MinibatchStdLayer} with one channel: the standard deviation of each feature over a
   * group of G samples (samples i, i + N/G, … form a group), averaged over features, as a constant
   * extra channel.
   */
  static NDArray minibatchStd(NDArray x, int groupSize) {
    Shape s = x.getShape();
    long n = s.get(0);
    long g = Math.min(groupSize, n);
    if (n % g != 0) {
      throw new IllegalArgumentException("minibatch std: batch " + n + " is not a multiple of group " + g);
    }
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    NDArray y = x.reshape(g, n / g, c * h * w);
    y = y.sub(y.mean(new int[] {0}, true));
    y = y.square().mean(new int[] {0}).add(1e-8f).sqrt();  // [N/G, CHW]
    y = y.mean(new int[] {1}, true);                         // [N/G, 1]
    y = y.reshape(1, n / g, 1, 1, 1).broadcast(new Shape(g, n / g, 1, h, w)).reshape(n, 1, h, w);
    return x.concat(y, 1);
  }
}
