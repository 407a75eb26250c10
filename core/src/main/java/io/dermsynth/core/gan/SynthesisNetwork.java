package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

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
    if (ws.getShape().dimension() != 3 || ws.getShape().get(1) != arch.numWs()
        || ws.getShape().get(2) != arch.wDim()) {
      throw new IllegalArgumentException("SynthesisNetwork expects ws [N, " + arch.numWs() + ", "
          + arch.wDim() + "], got " + ws.getShape());
    }
    NDArray x = null;
    NDArray img = null;
    int wIdx = 0;
    for (SynthesisBlock block : blocks) {
      NDList out = block.forward(x, img, ws.get(":, {}:{}, :", wIdx, wIdx + block.numConv() + 1), noise);
      wIdx += block.numConv();
      x = out.get(0);
      img = out.get(1);
    }
    return img;
  }
}
