package io.dermsynth.core.invert;

import ai.djl.ndarray.NDArray;
import io.dermsynth.core.gan.DiscriminatorBlock;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The residual image backbone of the encoder and the hypernetwork: StyleGAN2 resnet discriminator
 * blocks (FromRGB, two 3×3 convolutions, blurred stride-2 downsampling, √½ skip) from the image
 * resolution down to {@code lowest}, channels as the generator's at each resolution. Where e4e and
 * HyperStyle use an ImageNet ResNet, this one is trained from scratch with everything else (no
 * pretrained weights can be fetched here); its feature maps feed the pyramid and refinement heads.
 */
public final class ResidualBackbone extends GanBlock {

  private final int resolution;
  private final int inChannels;
  private final List<DiscriminatorBlock> blocks = new ArrayList<>();
  private final List<Integer> outRes = new ArrayList<>();

  /**
   * @param inChannels image channels read (3, or 6 for image ⊕ reconstruction)
   * @param lowest resolution of the last feature map (≥ 4)
   */
  public ResidualBackbone(GanArchitecture arch, int inChannels, int lowest) {
    this.resolution = arch.resolution();
    this.inChannels = inChannels;
    int in = 0;
    for (int res = resolution; res > lowest; res /= 2) {
      int tmp = arch.channels(res);
      int out = arch.channels(res / 2);
      blocks.add(addChildBlock("b" + res, new DiscriminatorBlock(in, tmp, out, res, inChannels)));
      outRes.add(res / 2);
      in = tmp;
    }
  }

  /** Feature maps by resolution, [N, channels(r), r, r] for r = R/2 … lowest. */
  public Map<Integer, NDArray> forward(NDArray img) {
    if (img.getShape().dimension() != 4 || img.getShape().get(1) != inChannels
        || img.getShape().get(2) != resolution || img.getShape().get(3) != resolution) {
      throw new IllegalArgumentException("ResidualBackbone expects [N, " + inChannels + ", " + resolution
          + ", " + resolution + "], got " + img.getShape());
    }
    Map<Integer, NDArray> out = new LinkedHashMap<>();
    NDArray x = img;
    for (int i = 0; i < blocks.size(); i++) {
      x = blocks.get(i).forward(x);
      out.put(outRes.get(i), x);
    }
    return out;
  }
}
