package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** NVlabs {@code Discriminator}, resnet architecture: blocks bR … b8, then the b4 epilogue. */
public final class Discriminator extends GanBlock {

  private final GanArchitecture arch;
  private final List<DiscriminatorBlock> blocks = new ArrayList<>();
  private final DiscriminatorEpilogue epilogue;

  public Discriminator(GanArchitecture arch) {
    this.arch = arch;
    List<Integer> resolutions = new ArrayList<>(arch.blockResolutions());
    java.util.Collections.reverse(resolutions);
    int in = 0;
    for (int res : resolutions) {
      if (res == 4) {
        break;
      }
      int tmp = in == 0 ? arch.channels(res) : in;
      int out = arch.channels(res / 2);
      blocks.add(addChildBlock("b" + res, new DiscriminatorBlock(in, tmp, out, res, arch.imgChannels())));
      in = out;
    }
    epilogue = addChildBlock("b4", new DiscriminatorEpilogue(arch.channels(4), arch.mbstdGroup()));
  }

  public static Discriminator create(GanArchitecture arch, NDManager manager) {
    Discriminator d = new Discriminator(arch);
    d.initialize(manager, DataType.FLOAT32, new Shape(1, arch.imgChannels(), arch.resolution(),
        arch.resolution()));
    return d;
  }

  /** img [N, 3, R, R] → logits [N, 1]. */
  public NDArray forward(NDArray img) {
    Shape s = img.getShape();
    if (!s.equals(new Shape(s.get(0), arch.imgChannels(), arch.resolution(), arch.resolution()))) {
      throw new IllegalArgumentException("Discriminator expects [N, " + arch.imgChannels() + ", "
          + arch.resolution() + ", " + arch.resolution() + "], got " + s);
    }
    NDArray x = img;
    for (DiscriminatorBlock b : blocks) {
      x = b.forward(x);
    }
    return epilogue.forward(x);
  }

  public Map<String, Parameter> namedParameters() {
    return named(this, "");
  }
}
