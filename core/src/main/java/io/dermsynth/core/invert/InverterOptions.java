package io.dermsynth.core.invert;

import java.util.List;
import java.util.Locale;

/**
 * How the inverter is trained and run, as written to its manifest. Built by name ({@link #builder});
 * the builder starts from e4e's and HyperStyle's published values: loss weights L2 1, LPIPS 0.8, offset
 * norm 2·10⁻⁴, lr 0.001, 5 refinement iterations, offsets switched on one by one over the middle 60% of the
 * encoder phase.
 */
public final class InverterOptions {

  private final int batch;
  private final int encoderSteps;
  private final int hyperSteps;
  private final float lr;
  private final float l2Lambda;
  private final float lpipsLambda;
  private final float deltaNormLambda;
  private final int progressiveStart;
  private final int progressiveStep;
  private final int refinementIterations;
  private final int hyperZ;
  private final List<String> tunedLayers;
  private final int optSteps;
  private final float optLr;
  private final int tickSteps;
  private final int snapshotTicks;
  private final int keepSnapshots;
  private final long seed;

  private InverterOptions(Builder b, int numWs) {
    batch = b.batch;
    encoderSteps = b.encoderSteps;
    hyperSteps = b.hyperSteps;
    lr = b.lr;
    l2Lambda = b.l2Lambda;
    lpipsLambda = b.lpipsLambda;
    deltaNormLambda = b.deltaNormLambda;
    // e4e's progressive schedule: from 20% of the encoder phase, one more offset every (60% / offsets) steps.
    progressiveStart = b.progressiveStart != null ? b.progressiveStart : encoderSteps / 5;
    progressiveStep = b.progressiveStep != null ? b.progressiveStep
        : Math.max(1, encoderSteps * 3 / 5 / Math.max(1, numWs - 1));
    refinementIterations = b.refinementIterations;
    hyperZ = b.hyperZ;
    tunedLayers = List.copyOf(b.tunedLayers);
    optSteps = b.optSteps;
    optLr = b.optLr;
    tickSteps = b.tickSteps != null ? b.tickSteps : Math.max(1, (encoderSteps + hyperSteps) / 20);
    snapshotTicks = b.snapshotTicks;
    keepSnapshots = b.keepSnapshots;
    seed = b.seed;
    if (batch < 1 || encoderSteps < 0 || hyperSteps < 0 || lr <= 0 || progressiveStart < 0
        || progressiveStep < 1 || refinementIterations < 1 || hyperZ < 1 || optSteps < 0 || tickSteps < 1
        || snapshotTicks < 1 || keepSnapshots < 1) {
      throw new IllegalArgumentException("inverter options out of range: " + this);
    }
  }

  /**
   * @param encoderSteps minibatches of e4e training (phase 1)
   * @param hyperSteps minibatches of HyperStyle training with the encoder frozen (phase 2)
   */
  public static Builder builder(int encoderSteps, int hyperSteps) {
    return new Builder(encoderSteps, hyperSteps);
  }

  /** Named setters; what is not set keeps the published value or its schedule rule. */
  public static final class Builder {
    private final int encoderSteps;
    private final int hyperSteps;
    private int batch = 8;
    private float lr = 0.001f;
    private float l2Lambda = 1f;
    private float lpipsLambda = 0.8f;
    private float deltaNormLambda = 2e-4f;
    private Integer progressiveStart;
    private Integer progressiveStep;
    private int refinementIterations = 5;
    private int hyperZ = 64;
    private List<String> tunedLayers = List.of();
    private int optSteps = 100;
    private float optLr = 0.01f;
    private Integer tickSteps;
    private int snapshotTicks = 5;
    private int keepSnapshots = 3;
    private long seed = 1;

    private Builder(int encoderSteps, int hyperSteps) {
      this.encoderSteps = encoderSteps;
      this.hyperSteps = hyperSteps;
    }

    /** @param v images per training minibatch */
    public Builder batch(int v) {
      batch = v;
      return this;
    }

    /** @param v Adam step size of both phases */
    public Builder lr(float v) {
      lr = v;
      return this;
    }

    /** @param v weight of the pixel L2 loss */
    public Builder l2Lambda(float v) {
      l2Lambda = v;
      return this;
    }

    /** @param v weight of the LPIPS loss */
    public Builder lpipsLambda(float v) {
      lpipsLambda = v;
      return this;
    }

    /** @param v weight of e4e's offset-norm regulariser Σᵢ‖Δᵢ‖₂ */
    public Builder deltaNormLambda(float v) {
      deltaNormLambda = v;
      return this;
    }

    /** @param v encoder step at which the first per-style offset is switched on */
    public Builder progressiveStart(int v) {
      progressiveStart = v;
      return this;
    }

    /** @param v encoder steps between switching on one more offset */
    public Builder progressiveStep(int v) {
      progressiveStep = v;
      return this;
    }

    /** @param v HyperStyle iterations per image (training and inversion; 5 in the paper) */
    public Builder refinementIterations(int v) {
      refinementIterations = v;
      return this;
    }

    /** @param v code size of HyperStyle's refinement heads */
    public Builder hyperZ(int v) {
      hyperZ = v;
      return this;
    }

    /** @param v synthesis layers HyperStyle tunes ("b8.conv0", …); empty = every non-ToRGB conv */
    public Builder tunedLayers(List<String> v) {
      tunedLayers = v;
      return this;
    }

    /** @param v steps of the optimisation refinement (Adam on W+) */
    public Builder optSteps(int v) {
      optSteps = v;
      return this;
    }

    /** @param v Adam step size of the optimisation refinement */
    public Builder optLr(float v) {
      optLr = v;
      return this;
    }

    /** @param v minibatches per tick (metrics row, sample grid) */
    public Builder tickSteps(int v) {
      tickSteps = v;
      return this;
    }

    /** @param v snapshot every this many ticks and at the end */
    public Builder snapshotTicks(int v) {
      snapshotTicks = v;
      return this;
    }

    /** @param v snapshots kept */
    public Builder keepSnapshots(int v) {
      keepSnapshots = v;
      return this;
    }

    /** @param v seed of everything random */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /** @param numWs the generator's W+ rows, over which the progressive schedule spreads its offsets */
    public InverterOptions build(int numWs) {
      return new InverterOptions(this, numWs);
    }
  }

  public int batch() {
    return batch;
  }

  public int encoderSteps() {
    return encoderSteps;
  }

  public int hyperSteps() {
    return hyperSteps;
  }

  public float lr() {
    return lr;
  }

  public float l2Lambda() {
    return l2Lambda;
  }

  public float lpipsLambda() {
    return lpipsLambda;
  }

  public float deltaNormLambda() {
    return deltaNormLambda;
  }

  public int progressiveStart() {
    return progressiveStart;
  }

  public int progressiveStep() {
    return progressiveStep;
  }

  public int refinementIterations() {
    return refinementIterations;
  }

  public int hyperZ() {
    return hyperZ;
  }

  public List<String> tunedLayers() {
    return tunedLayers;
  }

  public int optSteps() {
    return optSteps;
  }

  public float optLr() {
    return optLr;
  }

  public int tickSteps() {
    return tickSteps;
  }

  public int snapshotTicks() {
    return snapshotTicks;
  }

  public int keepSnapshots() {
    return keepSnapshots;
  }

  public long seed() {
    return seed;
  }

  /** Offsets in use at an encoder step (0 = the single w). */
  public int activeDeltas(long step, int numWs) {
    if (step < progressiveStart) {
      return 0;
    }
    return (int) Math.min(numWs - 1, 1 + (step - progressiveStart) / progressiveStep);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "InverterOptions[batch=%d, encoderSteps=%d, hyperSteps=%d, lr=%s, l2=%s, "
        + "lpips=%s, deltaNorm=%s, progressive=%d+%d, refinement=%d, hyperZ=%d, tuned=%s, opt=%d at %s, "
        + "tickSteps=%d, snapshotTicks=%d, keep=%d, seed=%d]", batch, encoderSteps, hyperSteps, lr, l2Lambda,
        lpipsLambda, deltaNormLambda, progressiveStart, progressiveStep, refinementIterations, hyperZ, tunedLayers,
        optSteps, optLr, tickSteps, snapshotTicks, keepSnapshots, seed);
  }
}
