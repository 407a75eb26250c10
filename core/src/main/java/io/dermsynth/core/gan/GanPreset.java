package io.dermsynth.core.gan;

import java.util.Arrays;
import java.util.Locale;

/**
 * Named StyleGAN2 sizes (NVlabs terms). The CPU presets are narrow so that a laptop trains them;
 * the paper presets are config F widths for GPUs.
 */
public enum GanPreset {
  TINY32(32, 4096, 64),
  SMALL64(64, 8192, 128),
  PAPER256(256, 32768, 512),
  PAPER512(512, 32768, 512);

  public final GanArchitecture architecture;

  GanPreset(int resolution, int channelBase, int channelMax) {
    this.architecture = GanArchitecture.of(resolution, channelBase, channelMax);
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static GanPreset parse(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown GAN preset '" + name + "'; known: "
          + Arrays.stream(values()).map(GanPreset::id).toList(), e);
    }
  }
}
