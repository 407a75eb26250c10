package io.dermsynth.core.gan;

import static io.dermsynth.core.gan.AugmentOp.ANISO;
import static io.dermsynth.core.gan.AugmentOp.BRIGHTNESS;
import static io.dermsynth.core.gan.AugmentOp.CONTRAST;
import static io.dermsynth.core.gan.AugmentOp.HUE;
import static io.dermsynth.core.gan.AugmentOp.LUMAFLIP;
import static io.dermsynth.core.gan.AugmentOp.ROTATE;
import static io.dermsynth.core.gan.AugmentOp.ROTATE90;
import static io.dermsynth.core.gan.AugmentOp.SATURATION;
import static io.dermsynth.core.gan.AugmentOp.SCALE;
import static io.dermsynth.core.gan.AugmentOp.XFLIP;
import static io.dermsynth.core.gan.AugmentOp.XFRAC;
import static io.dermsynth.core.gan.AugmentOp.XINT;

import java.util.List;

/**
 * NVlabs' {@code --augpipe} choices (stylegan2-ada-pytorch {@code train.py} {@code augpipe_specs}) without
 * the image-space filtering, noise and cutout groups: the ops each applies, in the order it applies them
 * (rotation twice, around the anisotropic scaling). {@code bgc}, NVlabs' default, is what ADA was tuned with.
 */
public enum AugmentPipe {
  BLIT(List.of(XFLIP, ROTATE90, XINT)),
  GEOM(List.of(SCALE, ROTATE, ANISO, ROTATE, XFRAC)),
  COLOR(List.of(BRIGHTNESS, CONTRAST, LUMAFLIP, HUE, SATURATION)),
  BG(List.of(XFLIP, ROTATE90, XINT, SCALE, ROTATE, ANISO, ROTATE, XFRAC)),
  BGC(List.of(XFLIP, ROTATE90, XINT, SCALE, ROTATE, ANISO, ROTATE, XFRAC,
      BRIGHTNESS, CONTRAST, LUMAFLIP, HUE, SATURATION));

  private final List<AugmentOp> ops;

  AugmentPipe(List<AugmentOp> ops) {
    this.ops = ops;
  }

  public List<AugmentOp> ops() {
    return ops;
  }
}
