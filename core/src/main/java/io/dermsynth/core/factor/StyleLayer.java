package io.dermsynth.core.factor;

/**
 * One modulated layer of the synthesis network as SeFa and edits see it: its NVlabs name within the
 * synthesis network ("b16.conv0", "b32.torgb"), the resolution of its block, and the row of W+ that
 * feeds its style affine (NVlabs {@code SynthesisNetwork}: conv layers take consecutive rows, a block's
 * ToRGB shares the row of the next block's first conv).
 */
public record StyleLayer(String name, int resolution, int wIndex, boolean toRgb) {

  /** The key of this layer's style-affine weight [channels, w_dim] in a generator's weights. */
  public String affineWeightKey() {
    return "synthesis." + name + ".affine.weight";
  }
}
