package io.dermsynth.core.invert;

import java.util.List;

/**
 * How the inverter is trained and run, as written to its manifest.
 *
 * @param batch images per training minibatch
 * @param encoderSteps minibatches of e4e training (phase 1)
 * @param hyperSteps minibatches of HyperStyle training with the encoder frozen (phase 2)
 * @param lr Adam step size of both phases
 * @param l2Lambda weight of the pixel L2 loss
 * @param lpipsLambda weight of the LPIPS loss
 * @param deltaNormLambda weight of e4e's offset-norm regulariser Σᵢ‖Δᵢ‖₂
 * @param progressiveStart encoder step at which the first per-style offset is switched on
 * @param progressiveStep encoder steps between switching on one more offset
 * @param refinementIterations HyperStyle iterations per image (training and inversion; 5 in the paper)
 * @param hyperZ code size of HyperStyle's refinement heads
 * @param tunedLayers synthesis layers HyperStyle tunes ("b8.conv0", …); empty = every non-ToRGB conv
 * @param optSteps steps of the optimisation refinement (Adam on W+)
 * @param optLr Adam step size of the optimisation refinement
 * @param tickSteps minibatches per tick (metrics row, sample grid)
 * @param snapshotTicks snapshot every this many ticks and at the end
 * @param keepSnapshots snapshots kept
 * @param seed seed of everything random
 */
public record InverterOptions(int batch, int encoderSteps, int hyperSteps, float lr, float l2Lambda,
    float lpipsLambda, float deltaNormLambda, int progressiveStart, int progressiveStep,
    int refinementIterations, int hyperZ, List<String> tunedLayers, int optSteps, float optLr, int tickSteps,
    int snapshotTicks, int keepSnapshots, long seed) {

  public InverterOptions {
    tunedLayers = List.copyOf(tunedLayers);
    if (batch < 1 || encoderSteps < 0 || hyperSteps < 0 || lr <= 0 || progressiveStart < 0
        || progressiveStep < 1 || refinementIterations < 1 || hyperZ < 1 || optSteps < 0 || tickSteps < 1
        || snapshotTicks < 1 || keepSnapshots < 1) {
      throw new IllegalArgumentException("inverter options out of range: " + this);
    }
  }

  /**
   * Defaults for a run of the given length: e4e's loss weights (L2 1, LPIPS 0.8, offset norm 2·10⁻⁴),
   * offsets switched on one by one over the middle 60% of the encoder phase, HyperStyle's 5 iterations.
   */
  public static InverterOptions defaults(int numWs, int encoderSteps, int hyperSteps, long seed) {
    int start = encoderSteps / 5;
    int step = Math.max(1, encoderSteps * 3 / 5 / Math.max(1, numWs - 1));
    return new InverterOptions(8, encoderSteps, hyperSteps, 0.001f, 1f, 0.8f, 2e-4f, start, step, 5, 64,
        List.of(), 100, 0.01f, Math.max(1, (encoderSteps + hyperSteps) / 20), 5, 3, seed);
  }

  /** Offsets in use at an encoder step (0 = the single w). */
  public int activeDeltas(long step, int numWs) {
    if (step < progressiveStart) {
      return 0;
    }
    return (int) Math.min(numWs - 1, 1 + (step - progressiveStart) / progressiveStep);
  }
}
