package io.dermsynth.core.gan;

import java.util.Arrays;
import java.util.Locale;

/**
 * Named StyleGAN2 configurations, each mirroring one of NVlabs' (stylegan2-ada-pytorch train.py
 * {@code cfg_specs}) with the same values:
 * <ul>
 *   <li>{@code tiny32}, {@code small64}: NVlabs {@code auto}'s rules (lr 0.0025, γ = 0.0002·res²/batch,
 *       EMA batch·10/32 kimg with a 5% ramp-up, mbstd 4) at CPU widths (channel_base 4096 / 8192, max 64 /
 *       128; auto's would be 16384 / 512) and batch 16; 8 mapping layers (auto: 2) so that every preset's
 *       generator has config F's mapping network;</li>
 *   <li>{@code stylegan2}: config F ({@code stylegan2}): channel_base 32768, batch 32, mbstd 4, lr 0.002,
 *       γ 10, EMA 10 kimg, no ramp-up, at 256 px;</li>
 *   <li>{@code paper256}: channel_base 16384, batch 64, mbstd 8, lr 0.0025, γ 1, EMA 20 kimg;</li>
 *   <li>{@code paper512}: channel_base 32768, batch 64, mbstd 8, lr 0.0025, γ 0.5, EMA 20 kimg.</li>
 * </ul>
 * All: channel_max 512 on the GPU presets, style mixing 0.9, path length weight 2 on the GPU presets (0 on
 * CPU, where it doubles a step's cost), 25,000 kimg.
 */
public enum GanPreset {
  TINY32(32, 4096, 64, 4, 16, 0.0025f, Float.NaN, Float.NaN, 0.05f),
  SMALL64(64, 8192, 128, 4, 16, 0.0025f, Float.NaN, Float.NaN, 0.05f),
  STYLEGAN2(256, 32768, 512, 4, 32, 0.002f, 10f, 10f, 0f),
  PAPER256(256, 16384, 512, 8, 64, 0.0025f, 1f, 20f, 0f),
  PAPER512(512, 32768, 512, 8, 64, 0.0025f, 0.5f, 20f, 0f);

  public final GanArchitecture architecture;
  /** Images per minibatch. */
  public final int batch;
  /** Adam step size of G and D. */
  public final float learningRate;
  /** R1 weight γ at {@link #batch}; NaN: auto's rule 0.0002·res²/batch, for any batch. */
  public final float r1Gamma;
  /** G_ema half-life in kimg; NaN: auto's rule batch·10/32. */
  public final float emaKimg;
  /** G_ema ramp-up (half-life ≤ nimg · rampup), 0 = none. */
  public final float emaRampup;

  GanPreset(int resolution, int channelBase, int channelMax, int mbstdGroup, int batch, float learningRate,
      float r1Gamma, float emaKimg, float emaRampup) {
    this.architecture = GanArchitecture.of(resolution, channelBase, channelMax, mbstdGroup);
    this.batch = batch;
    this.learningRate = learningRate;
    this.r1Gamma = r1Gamma;
    this.emaKimg = emaKimg;
    this.emaRampup = emaRampup;
  }

  /** CPU presets: narrow, short ticks, no path-length regularisation. */
  public boolean cpu() {
    return architecture.resolution() <= 64;
  }

  /** γ for a minibatch of {@code batch}: the preset's fixed value, or auto's rule. */
  public float r1Gamma(int batch) {
    int r = architecture.resolution();
    return Float.isNaN(r1Gamma) ? 0.0002f * r * r / batch : r1Gamma;
  }

  /** EMA half-life for a minibatch of {@code batch}: the preset's fixed value, or auto's rule. */
  public float emaKimg(int batch) {
    return Float.isNaN(emaKimg) ? batch * 10f / 32 : emaKimg;
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
