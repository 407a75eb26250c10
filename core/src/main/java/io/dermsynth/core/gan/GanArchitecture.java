package io.dermsynth.core.gan;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The StyleGAN2 shape in NVlabs terms: output resolution, channels per block = min(channel_base / res,
 * channel_max), z and w sizes, mapping depth.
 *
 * @param resolution image side, a power of two ≥ 8
 * @param channelBase NVlabs channel_base (32768 for config F)
 * @param channelMax NVlabs channel_max (512 for config F)
 * @param zDim latent z size
 * @param wDim intermediate latent w size
 * @param mappingLayers mapping network depth
 * @param imgChannels image channels (3)
 * @param mbstdGroup minibatch-stddev group size of the discriminator
 */
public record GanArchitecture(int resolution, int channelBase, int channelMax, int zDim, int wDim,
    int mappingLayers, int imgChannels, int mbstdGroup) {

  public GanArchitecture {
    if (resolution < 8 || Integer.bitCount(resolution) != 1) {
      throw new IllegalArgumentException("resolution must be a power of two ≥ 8, got " + resolution);
    }
    if (mbstdGroup < 1) {
      throw new IllegalArgumentException("mbstd group must be ≥ 1, got " + mbstdGroup);
    }
    if (channelBase < resolution || channelMax < 1) {
      throw new IllegalArgumentException("channel_base " + channelBase + " / channel_max " + channelMax
          + " give no channels at " + resolution + " px");
    }
  }

  /** StyleGAN2 config F sizes (w 512, 8 mapping layers, mbstd group 4) at a resolution and width. */
  public static GanArchitecture of(int resolution, int channelBase, int channelMax) {
    return of(resolution, channelBase, channelMax, 4);
  }

  /** As {@link #of(int, int, int)} with another minibatch-stddev group size. */
  public static GanArchitecture of(int resolution, int channelBase, int channelMax, int mbstdGroup) {
    return new GanArchitecture(resolution, channelBase, channelMax, 512, 512, 8, 3, mbstdGroup);
  }

  /** This shape with other widths (NVlabs channel_base / channel_max), e.g. to compare widths at one size. */
  public GanArchitecture withChannels(int base, int max) {
    return new GanArchitecture(resolution, base, max, zDim, wDim, mappingLayers, imgChannels, mbstdGroup);
  }

  /** {@code n} latents z ~ N(0, I) drawn in order from {@code r}, flat [n × zDim]. */
  public float[] randomZ(java.util.Random r, int n) {
    float[] z = new float[n * zDim];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) r.nextGaussian();
    }
    return z;
  }

  public int channels(int res) {
    return Math.min(channelBase / res, channelMax);
  }

  /** 4, 8, …, resolution. */
  public List<Integer> blockResolutions() {
    int log2 = Integer.numberOfTrailingZeros(resolution);
    return IntStream.rangeClosed(2, log2).map(i -> 1 << i).boxed().toList();
  }

  /** Styles the synthesis network takes: one per conv plus the last ToRGB's (2·log2(R) − 2). */
  public int numWs() {
    return 2 * Integer.numberOfTrailingZeros(resolution) - 2;
  }
}
