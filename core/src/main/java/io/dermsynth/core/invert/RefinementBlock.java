package io.dermsynth.core.invert;

import ai.djl.ndarray.NDArray;
import io.dermsynth.core.gan.Conv2dLayer;
import io.dermsynth.core.gan.FullyConnectedLayer;
import io.dermsynth.core.gan.GanBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * HyperStyle's per-layer refinement head (HyperRefinementBlock): a 3×3 convolution on the shared
 * feature map, stride-2 convolutions down to 1×1, and an equalised linear layer, giving a code z for
 * one generator layer. The code is turned into weight offsets by the {@link SharedWeightHypernet} that
 * all layers of the same shape share. [N, C, s, s] → [N, z].
 */
public final class RefinementBlock extends GanBlock {

  private final int in;
  private final int spatial;
  private final int z;
  private final List<Conv2dLayer> convs = new ArrayList<>();
  private final FullyConnectedLayer linear;

  public RefinementBlock(int in, int z, int spatial) {
    this.in = in;
    this.spatial = spatial;
    this.z = z;
    convs.add(addChildBlock("conv0", new Conv2dLayer(in, z, 3, true, true, false)));
    for (int s = spatial, i = 1; s > 1; s /= 2, i++) {
      convs.add(addChildBlock("conv" + i, new Conv2dLayer(z, z, 3, true, true, true)));
    }
    linear = addChildBlock("linear", new FullyConnectedLayer(z, z, false, 1f, 0f));
  }

  public NDArray forward(NDArray features) {
    if (features.getShape().dimension() != 4 || features.getShape().get(1) != in
        || features.getShape().get(2) != spatial) {
      throw new IllegalArgumentException("RefinementBlock(" + in + " ch, " + spatial + "²) got "
          + features.getShape());
    }
    NDArray x = features;
    for (Conv2dLayer c : convs) {
      x = c.forward(x, 1f);
    }
    return linear.forward(x.reshape(x.getShape().get(0), z));
  }
}
