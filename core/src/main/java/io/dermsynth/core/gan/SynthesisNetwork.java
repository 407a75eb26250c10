package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** NVlabs {@code SynthesisNetwork}: blocks b4, b8, …, bR; ws [N, numWs, wDim] → image [N, 3, R, R]. */
public final class SynthesisNetwork extends GanBlock {

  private final GanArchitecture arch;
  private final List<SynthesisBlock> blocks = new ArrayList<>();

  public SynthesisNetwork(GanArchitecture arch) {
    this.arch = arch;
    int previous = 0;
    for (int res : arch.blockResolutions()) {
      int out = arch.channels(res);
      blocks.add(addChildBlock("b" + res, new SynthesisBlock(previous, out, arch.wDim(), res,
          arch.imgChannels())));
      previous = out;
    }
  }

  public NDArray forward(NDArray ws, NoiseMode noise) {
    return forward(ws, noise, Map.of());
  }

  /**
   * The modulated 3×3 convolutions (not ToRGB) by NVlabs name within the synthesis network
   * ("b4.conv1", "b8.conv0", …): the layers HyperStyle can tune.
   */
  public Map<String, SynthesisLayer> convLayers() {
    Map<String, SynthesisLayer> out = new LinkedHashMap<>();
    for (int i = 0; i < blocks.size(); i++) {
      String b = "b" + arch.blockResolutions().get(i) + ".";
      blocks.get(i).convs().forEach((name, layer) -> out.put(b + name, layer));
    }
    return out;
  }

  /**
   * ws [N, numWs, wDim] → image, with HyperStyle weight offsets by layer name ("b16.conv0" →
   * Δ [N, out, in, 1, 1]; see {@link SynthesisLayer#forward(NDArray, NDArray, NoiseMode, NDArray)}).
   */
  public NDArray forward(NDArray ws, NoiseMode noise, Map<String, NDArray> deltas) {
    for (String name : deltas.keySet()) {
      if (!convLayers().containsKey(name)) {
        throw new IllegalArgumentException("no synthesis conv layer '" + name + "'; layers: "
            + convLayers().keySet());
      }
    }
    if (ws.getShape().dimension() != 3 || ws.getShape().get(1) != arch.numWs()
        || ws.getShape().get(2) != arch.wDim()) {
      throw new IllegalArgumentException("SynthesisNetwork expects ws [N, " + arch.numWs() + ", "
          + arch.wDim() + "], got " + ws.getShape());
    }
    NDArray x = null;
    NDArray img = null;
    int wIdx = 0;
    for (int b = 0; b < blocks.size(); b++) {
      SynthesisBlock block = blocks.get(b);
      String prefix = "b" + arch.blockResolutions().get(b) + ".";
      Map<String, NDArray> mine = new LinkedHashMap<>();
      deltas.forEach((name, d) -> {
        if (name.startsWith(prefix)) {
          mine.put(name.substring(prefix.length()), d);
        }
      });
      NDList out = block.forward(x, img, ws.get(":, {}:{}, :", wIdx, wIdx + block.numConv() + 1), noise, mine);
      wIdx += block.numConv();
      x = out.get(0);
      img = out.get(1);
    }
    return img;
  }
}
