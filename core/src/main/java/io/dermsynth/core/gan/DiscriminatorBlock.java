package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;

/**
 * NVlabs {@code DiscriminatorBlock}, resnet architecture: (FromRGB at the first block) → conv0 →
 * conv1 (downsampling), plus a linear 1×1 downsampling skip; both branches scaled by √½.
 */
public final class DiscriminatorBlock extends GanBlock {

  private static final float SQRT_HALF = (float) Math.sqrt(0.5);
  private final int resolution;
  private final Conv2dLayer fromrgb;
  private final Conv2dLayer conv0;
  private final Conv2dLayer conv1;
  private final Conv2dLayer skip;

  /**
   * @param in channels from the block before (0 for the first block, which reads the image)
   * @param tmp channels inside the block
   * @param out channels passed on at half the resolution
   */
  public DiscriminatorBlock(int in, int tmp, int out, int resolution, int imgChannels) {
    this.resolution = resolution;
    fromrgb = in == 0 ? addChildBlock("fromrgb", new Conv2dLayer(imgChannels, tmp, 1, true, true, false)) : null;
    conv0 = addChildBlock("conv0", new Conv2dLayer(tmp, tmp, 3, true, true, false));
    conv1 = addChildBlock("conv1", new Conv2dLayer(tmp, out, 3, true, true, true));
    skip = addChildBlock("skip", new Conv2dLayer(tmp, out, 1, false, false, true));
  }

  /** x [N, C, R, R] (the image at the first block) → [N, out, R/2, R/2]. */
  public NDArray forward(NDArray x) {
    if (x.getShape().get(2) != resolution) {
      throw new IllegalArgumentException("DiscriminatorBlock b" + resolution + " got " + x.getShape());
    }
    if (fromrgb != null) {
      x = fromrgb.forward(x, 1f);
    }
    NDArray y = skip.forward(x, SQRT_HALF);
    return y.add(conv1.forward(conv0.forward(x, 1f), SQRT_HALF));
  }
}
