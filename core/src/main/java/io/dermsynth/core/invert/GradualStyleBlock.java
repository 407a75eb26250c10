package io.dermsynth.core.invert;

import ai.djl.ndarray.NDArray;
import io.dermsynth.core.gan.Conv2dLayer;
import io.dermsynth.core.gan.FullyConnectedLayer;
import io.dermsynth.core.gan.GanBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * e4e's map2style block: stride-2 3×3 convolutions (leaky ReLU) from an s×s feature map down to 1×1,
 * then an equalised linear layer to one w. [N, C, s, s] → [N, wDim].
 */
public final class GradualStyleBlock extends GanBlock {

  private final int in;
  private final int spatial;
  private final List<Conv2dLayer> convs = new ArrayList<>();
  private final FullyConnectedLayer fc;
  private final int width;

  public GradualStyleBlock(int in, int width, int wDim, int spatial) {
    if (spatial < 2 || Integer.bitCount(spatial) != 1) {
      throw new IllegalArgumentException("GradualStyleBlock needs a power-of-two map ≥ 2, got " + spatial);
    }
    this.in = in;
    this.spatial = spatial;
    this.width = width;
    int c = in;
    for (int s = spatial, i = 0; s > 1; s /= 2, i++) {
      convs.add(addChildBlock("conv" + i, new Conv2dLayer(c, width, 3, true, true, true)));
      c = width;
    }
    fc = addChildBlock("fc", new FullyConnectedLayer(width, wDim, false, 1f, 0f));
  }

  public NDArray forward(NDArray x) {
    if (x.getShape().dimension() != 4 || x.getShape().get(1) != in || x.getShape().get(2) != spatial) {
      throw new IllegalArgumentException("GradualStyleBlock(" + in + " ch, " + spatial + "²) got "
          + x.getShape());
    }
    for (Conv2dLayer c : convs) {
      x = c.forward(x, 1f);
    }
    return fc.forward(x.reshape(x.getShape().get(0), width));
  }
}
