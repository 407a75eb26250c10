package io.dermsynth.core.invert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanBlock;
import io.dermsynth.core.gan.SynthesisLayer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HyperStyle hypernetwork (Alaluf et al. 2022): from a real image and the current reconstruction
 * (6 channels), a residual backbone makes one feature map; per tuned generator layer a
 * {@link RefinementBlock} turns it into a code and the {@link SharedWeightHypernet} of the layer's shape
 * into offsets Δ [N, out, in, 1, 1] (the per-channel form: one offset per channel pair, shared over the
 * 3×3 window). The generator then runs with W ⊙ (1 + Σₜ Δₜ) over a few refinement iterations.
 */
public final class HyperStyleNet extends GanBlock {

  private final GanArchitecture arch;
  private final int spatial;
  private final ResidualBackbone body;
  private final Map<String, RefinementBlock> heads = new LinkedHashMap<>();
  private final Map<String, SharedWeightHypernet> shared = new LinkedHashMap<>();
  private final Map<String, String> sharedOf = new LinkedHashMap<>();

  /**
   * @param layers the tuned synthesis layers by name ("b8.conv0", …) with their shapes
   * @param z code size of the refinement heads
   */
  public HyperStyleNet(GanArchitecture arch, Map<String, SynthesisLayer> layers, int z) {
    this.arch = arch;
    spatial = Math.max(4, arch.resolution() / 16);
    body = addChildBlock("body", new ResidualBackbone(arch, 2 * arch.imgChannels(), spatial));
    int c = arch.channels(spatial);
    for (var e : layers.entrySet()) {
      SynthesisLayer l = e.getValue();
      String key = "o" + l.outChannels() + "i" + l.inChannels();
      if (!shared.containsKey(key)) {
        shared.put(key, new SharedWeightHypernet(l.outChannels(), l.inChannels(), z));
      }
      sharedOf.put(e.getKey(), key);
      heads.put(e.getKey(), addChildBlock("head_" + e.getKey().replace('.', '_'),
          new RefinementBlock(c, z, spatial)));
    }
    shared.forEach((key, h) -> addChildBlock("shared_" + key, h));
  }

  public static HyperStyleNet create(GanArchitecture arch, Map<String, SynthesisLayer> layers, int z,
      NDManager manager) {
    HyperStyleNet h = new HyperStyleNet(arch, layers, z);
    h.initialize(manager, DataType.FLOAT32, new Shape(1, 6, arch.resolution(), arch.resolution()));
    return h;
  }

  public List<String> layers() {
    return List.copyOf(heads.keySet());
  }

  /** real and reconstruction [N, 3, R, R] in [−1, 1] → offsets by layer name, [N, out, in, 1, 1]. */
  public Map<String, NDArray> forward(NDArray real, NDArray reconstruction) {
    if (!real.getShape().equals(reconstruction.getShape())) {
      throw new IllegalArgumentException("HyperStyle needs the image and its reconstruction in one shape, got "
          + real.getShape() + " and " + reconstruction.getShape());
    }
    NDArray features = body.forward(real.concat(reconstruction, 1)).get(spatial);
    Map<String, NDArray> out = new LinkedHashMap<>();
    heads.forEach((name, head) -> out.put(name, shared.get(sharedOf.get(name)).forward(head.forward(features))));
    return out;
  }
}
