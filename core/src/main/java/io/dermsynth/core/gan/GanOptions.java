package io.dermsynth.core.gan;

/**
 * Everything a StyleGAN2 run is trained with, resolved (no "auto" left), as written to the manifest.
 * {@link #defaults} gives the values of the NVlabs configuration the preset mirrors ({@link GanPreset});
 * path-length regularisation (weight 2) on the GPU presets only.
 *
 * @param batch images per minibatch
 * @param kimg training length in thousands of real images shown to D
 * @param lrG generator Adam step size
 * @param lrD discriminator Adam step size
 * @param r1Gamma R1 weight γ
 * @param r1Interval lazy R1: every this many minibatches (16)
 * @param plWeight path-length weight (0 = off)
 * @param plInterval lazy path length: every this many minibatches (4)
 * @param styleMixing probability of mixing two latents in a minibatch (0.9)
 * @param emaKimg G_ema half-life in kimg
 * @param emaRampup G_ema ramp-up (half-life ≤ nimg · rampup), 0 = none
 * @param ada adapt the augmentation probability p
 * @param adaTarget target of r_t = E[sign(D(real))] (0.6)
 * @param adaInterval adapt p every this many minibatches (4)
 * @param adaKimg kimg for p to move from 0 to 1 at the fastest
 * @param augmentP starting (or, without ada, fixed) augmentation probability
 * @param tickKimg kimg per tick (log line, metrics row, sample grid)
 * @param snapshotTicks snapshot every this many ticks (and at the end)
 * @param keepSnapshots snapshots kept (the oldest are deleted)
 * @param gridImages images in the sample grid (fixed seeds)
 * @param seed seed of everything random
 */
public record GanOptions(String preset, int batch, double kimg, float lrG, float lrD, float r1Gamma,
    int r1Interval, float plWeight, int plInterval, float styleMixing, float emaKimg, float emaRampup,
    boolean ada, float adaTarget, int adaInterval, float adaKimg, float augmentP, double tickKimg,
    int snapshotTicks, int keepSnapshots, int gridImages, long seed) {

  public GanOptions {
    GanPreset.parse(preset);
    if (batch < 1 || kimg <= 0 || r1Interval < 1 || plInterval < 1 || adaInterval < 1 || tickKimg <= 0
        || snapshotTicks < 1 || keepSnapshots < 1 || gridImages < 1) {
      throw new IllegalArgumentException("GAN options out of range: " + this);
    }
  }

  public GanArchitecture architecture() {
    return GanPreset.parse(preset).architecture;
  }

  public static GanOptions defaults(GanPreset preset, long seed) {
    boolean cpu = preset.cpu();
    int batch = preset.batch;
    return new GanOptions(preset.id(), batch, cpu ? 10 : 25000, preset.learningRate, preset.learningRate,
        preset.r1Gamma(batch), 16, cpu ? 0f : 2f, 4, 0.9f, preset.emaKimg(batch), preset.emaRampup, true, 0.6f, 4,
        cpu ? 100f : 500f, 0f, cpu ? 0.5 : 4, cpu ? 4 : 50, 3, cpu ? 36 : 64, seed);
  }
}
