package io.dermsynth.core.gan;

import io.dermsynth.core.Choices;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything a StyleGAN2 run is trained with, resolved, as written to the manifest. Built by name
 * ({@link #builder}); the defaults of the builder are NVlabs stylegan2-ada-pytorch's fixed values (lazy
 * R1 every 16 minibatches, path length every 4, style mixing 0.9, ADA target 0.6 adjusted every 4); what
 * a configuration changes (widths, batch, lr, γ, EMA, lengths) comes from its preset file.
 */
public final class GanOptions {

  private final String preset;
  private final GanArchitecture architecture;
  private final int batch;
  private final double kimg;
  private final float lrG;
  private final float lrD;
  private final float r1Gamma;
  private final int r1Interval;
  private final float plWeight;
  private final int plInterval;
  private final float styleMixing;
  private final float emaKimg;
  private final float emaRampup;
  private final boolean ada;
  private final float adaTarget;
  private final int adaInterval;
  private final float adaKimg;
  private final float augmentP;
  private final AugmentPipe augmentPipe;
  private final double tickKimg;
  private final int snapshotTicks;
  private final int keepSnapshots;
  private final int gridImages;
  private final long seed;

  private GanOptions(Builder b) {
    preset = b.preset;
    architecture = b.architecture;
    batch = b.batch;
    kimg = b.kimg;
    lrG = b.lrG;
    lrD = b.lrD;
    r1Gamma = b.r1Gamma;
    r1Interval = b.r1Interval;
    plWeight = b.plWeight;
    plInterval = b.plInterval;
    styleMixing = b.styleMixing;
    emaKimg = b.emaKimg;
    emaRampup = b.emaRampup;
    ada = b.ada;
    adaTarget = b.adaTarget;
    adaInterval = b.adaInterval;
    adaKimg = b.adaKimg;
    augmentP = b.augmentP;
    augmentPipe = b.augmentPipe;
    tickKimg = b.tickKimg;
    snapshotTicks = b.snapshotTicks;
    keepSnapshots = b.keepSnapshots;
    gridImages = b.gridImages;
    seed = b.seed;
    check(batch >= 1, "batch ≥ 1");
    check(kimg > 0, "kimg > 0");
    check(lrG > 0 && lrD > 0, "learning rates > 0");
    check(r1Gamma >= 0 && plWeight >= 0 && emaKimg >= 0 && emaRampup >= 0 && adaKimg > 0, "weights ≥ 0");
    check(r1Interval >= 1 && plInterval >= 1 && adaInterval >= 1, "intervals ≥ 1");
    check(styleMixing >= 0 && styleMixing <= 1 && augmentP >= 0 && augmentP <= 1, "probabilities in [0, 1]");
    check(tickKimg > 0 && snapshotTicks >= 1 && keepSnapshots >= 1 && gridImages >= 1, "ticks and counts ≥ 1");
  }

  private void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("GAN options need " + what + ": " + this);
    }
  }

  /** Options for the named configuration at {@code architecture}, with NVlabs' fixed values. */
  public static Builder builder(String preset, GanArchitecture architecture) {
    return new Builder(preset, architecture);
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder(preset, architecture);
    b.batch = batch;
    b.kimg = kimg;
    b.lrG = lrG;
    b.lrD = lrD;
    b.r1Gamma = r1Gamma;
    b.r1Interval = r1Interval;
    b.plWeight = plWeight;
    b.plInterval = plInterval;
    b.styleMixing = styleMixing;
    b.emaKimg = emaKimg;
    b.emaRampup = emaRampup;
    b.ada = ada;
    b.adaTarget = adaTarget;
    b.adaInterval = adaInterval;
    b.adaKimg = adaKimg;
    b.augmentP = augmentP;
    b.augmentPipe = augmentPipe;
    b.tickKimg = tickKimg;
    b.snapshotTicks = snapshotTicks;
    b.keepSnapshots = keepSnapshots;
    b.gridImages = gridImages;
    b.seed = seed;
    return b;
  }

  /** Named setters; every value has NVlabs' default until set. */
  public static final class Builder {
    private final String preset;
    private final GanArchitecture architecture;
    private int batch = 32;
    private double kimg = 25000;
    private float lrG = 0.002f;
    private float lrD = 0.002f;
    private float r1Gamma = 10f;
    private int r1Interval = 16;
    private float plWeight = 2f;
    private int plInterval = 4;
    private float styleMixing = 0.9f;
    private float emaKimg = 10f;
    private float emaRampup = 0f;
    private boolean ada = true;
    private float adaTarget = 0.6f;
    private int adaInterval = 4;
    private float adaKimg = 500f;
    private float augmentP = 0f;
    private AugmentPipe augmentPipe = AugmentPipe.BGC;
    private double tickKimg = 4;
    private int snapshotTicks = 50;
    private int keepSnapshots = 3;
    private int gridImages = 64;
    private long seed = 1;

    private Builder(String preset, GanArchitecture architecture) {
      this.preset = preset;
      this.architecture = architecture;
    }

    /** @param v images per minibatch */
    public Builder batch(int v) {
      batch = v;
      return this;
    }

    /** @param v training length in thousands of real images shown to D */
    public Builder kimg(double v) {
      kimg = v;
      return this;
    }

    /** @param v Adam step size of G and D (NVlabs uses one for both) */
    public Builder learningRate(float v) {
      lrG = v;
      lrD = v;
      return this;
    }

    /** @param v R1 weight γ */
    public Builder r1Gamma(float v) {
      r1Gamma = v;
      return this;
    }

    /** @param v lazy R1: every this many minibatches */
    public Builder r1Interval(int v) {
      r1Interval = v;
      return this;
    }

    /** @param v path-length weight (0 = off) */
    public Builder plWeight(float v) {
      plWeight = v;
      return this;
    }

    /** @param v lazy path length: every this many minibatches */
    public Builder plInterval(int v) {
      plInterval = v;
      return this;
    }

    /** @param v probability of mixing two latents in a minibatch */
    public Builder styleMixing(float v) {
      styleMixing = v;
      return this;
    }

    /** @param v G_ema half-life in kimg */
    public Builder emaKimg(float v) {
      emaKimg = v;
      return this;
    }

    /** @param v G_ema ramp-up (half-life ≤ nimg · rampup), 0 = none */
    public Builder emaRampup(float v) {
      emaRampup = v;
      return this;
    }

    /** @param v adapt the augmentation probability p */
    public Builder ada(boolean v) {
      ada = v;
      return this;
    }

    /** @param v target of r_t = E[sign(D(real))] */
    public Builder adaTarget(float v) {
      adaTarget = v;
      return this;
    }

    /** @param v adapt p every this many minibatches */
    public Builder adaInterval(int v) {
      adaInterval = v;
      return this;
    }

    /** @param v kimg for p to move from 0 to 1 at the fastest */
    public Builder adaKimg(float v) {
      adaKimg = v;
      return this;
    }

    /** @param v starting (or, without ada, fixed) augmentation probability */
    public Builder augmentP(float v) {
      augmentP = v;
      return this;
    }

    /** @param v NVlabs' augpipe: which augmentations ADA applies */
    public Builder augmentPipe(AugmentPipe v) {
      augmentPipe = Objects.requireNonNull(v, "augmentPipe");
      return this;
    }

    /** @param v kimg per tick (log line, metrics row, sample grid) */
    public Builder tickKimg(double v) {
      tickKimg = v;
      return this;
    }

    /** @param v snapshot every this many ticks (and at the end) */
    public Builder snapshotTicks(int v) {
      snapshotTicks = v;
      return this;
    }

    /** @param v snapshots kept (the oldest are deleted) */
    public Builder keepSnapshots(int v) {
      keepSnapshots = v;
      return this;
    }

    /** @param v images in the sample grid (fixed seeds) */
    public Builder gridImages(int v) {
      gridImages = v;
      return this;
    }

    /** @param v seed of everything random */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public GanOptions build() {
      return new GanOptions(this);
    }
  }

  public String preset() {
    return preset;
  }

  public GanArchitecture architecture() {
    return architecture;
  }

  public int batch() {
    return batch;
  }

  public double kimg() {
    return kimg;
  }

  public float lrG() {
    return lrG;
  }

  public float lrD() {
    return lrD;
  }

  public float r1Gamma() {
    return r1Gamma;
  }

  public int r1Interval() {
    return r1Interval;
  }

  public float plWeight() {
    return plWeight;
  }

  public int plInterval() {
    return plInterval;
  }

  public float styleMixing() {
    return styleMixing;
  }

  public float emaKimg() {
    return emaKimg;
  }

  public float emaRampup() {
    return emaRampup;
  }

  public boolean ada() {
    return ada;
  }

  public float adaTarget() {
    return adaTarget;
  }

  public int adaInterval() {
    return adaInterval;
  }

  public float adaKimg() {
    return adaKimg;
  }

  public float augmentP() {
    return augmentP;
  }

  public AugmentPipe augmentPipe() {
    return augmentPipe;
  }

  public double tickKimg() {
    return tickKimg;
  }

  public int snapshotTicks() {
    return snapshotTicks;
  }

  public int keepSnapshots() {
    return keepSnapshots;
  }

  public int gridImages() {
    return gridImages;
  }

  public long seed() {
    return seed;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "GanOptions[preset=%s, %s, batch=%d, kimg=%s, lr=%s/%s, r1Gamma=%s every %d, "
        + "plWeight=%s every %d, styleMixing=%s, ema=%s kimg (rampup %s), ada=%s target %s every %d over %s kimg, "
        + "augmentP=%s (%s), tickKimg=%s, snapshotTicks=%d, keep=%d, grid=%d, seed=%d]", preset, architecture,
        batch, kimg, lrG, lrD, r1Gamma, r1Interval, plWeight, plInterval, styleMixing, emaKimg, emaRampup, ada,
        adaTarget, adaInterval, adaKimg, augmentP, Choices.id(augmentPipe), tickKimg, snapshotTicks, keepSnapshots,
        gridImages, seed);
  }
}
