package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * NVlabs {@code SynthesisBlock} for one resolution, skip architecture: b4 starts from the learned
 * {@code const} and has conv1 only; every later block has conv0 (upsampling) and conv1. Its ToRGB output
 * is added to the upsampled image of the blocks before. Takes {@link #numConv()} + 1 styles; the last
 * (ToRGB's) is also the next block's first.
 */
public final class SynthesisBlock extends GanBlock {

  private final int resolution;
  private final Parameter constInput;
  private final SynthesisLayer conv0;
  private final SynthesisLayer conv1;
  private final ToRGBLayer torgb;

  /**
   * @param in channels from the block before (0 for b4)
   * @param out channels of this block
   */
  public SynthesisBlock(int in, int out, int wDim, int resolution, int imgChannels) {
    this.resolution = resolution;
    if (in == 0) {
      constInput = addParameter(param("const", new Shape(out, resolution, resolution),
          new NormalInitializer(1f), true));
      conv0 = null;
    } else {
      constInput = null;
      conv0 = addChildBlock("conv0", new SynthesisLayer(in, out, wDim, resolution, true));
    }
    conv1 = addChildBlock("conv1", new SynthesisLayer(out, out, wDim, resolution, false));
    torgb = addChildBlock("torgb", new ToRGBLayer(out, imgChannels, wDim));
  }

  /** The modulated 3×3 convolutions by NVlabs name within the block ("conv0", "conv1"). */
  public Map<String, SynthesisLayer> convs() {
    Map<String, SynthesisLayer> out = new LinkedHashMap<>();
    if (conv0 != null) {
      out.put("conv0", conv0);
    }
    out.put("conv1", conv1);
    return out;
  }

  public int numConv() {
    return conv0 == null ? 1 : 2;
  }

  /**
   * @param x features of the block before, or null at b4
   * @param img image of the block before, or null at b4
   * @param ws [N, numConv + 1, wDim]
   * @param deltas HyperStyle weight offsets by conv name ("conv0", "conv1"); absent names get none
   * @return features [N, out, R, R] and image [N, imgChannels, R, R]
   */
  public NDList forward(NDArray x, NDArray img, NDArray ws, NoiseMode noise, Map<String, NDArray> deltas) {
    long n = ws.getShape().get(0);
    if (ws.getShape().dimension() != 3 || ws.getShape().get(1) != numConv() + 1) {
      throw new IllegalArgumentException("SynthesisBlock b" + resolution + " expects ws [N, "
          + (numConv() + 1) + ", w_dim], got " + ws.getShape());
    }
    int i = 0;
    if (conv0 == null) {
      NDArray c = constInput.getArray();
      x = c.expandDims(0).broadcast(new Shape(n).addAll(c.getShape()));
    } else {
      x = conv0.forward(x, ws.get(":, {}, :", i++), noise, deltas.get("conv0"));
    }
    x = conv1.forward(x, ws.get(":, {}, :", i++), noise, deltas.get("conv1"));
    NDArray y = torgb.forward(x, ws.get(":, {}, :", i));
    return new NDList(x, img == null ? y : Ops.upsample2d(img).add(y));
  }
}
