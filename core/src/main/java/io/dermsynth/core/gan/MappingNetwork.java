package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.ArrayList;
import java.util.List;

/**
 * NVlabs {@code MappingNetwork} (unconditional): z → normalize_2nd_moment → fc0…fc{L−1} (leaky ReLU,
 * lr multiplier 0.01) → w, broadcast to {@code numWs} copies. Keeps {@code w_avg}, the moving average
 * of w that the truncation trick pulls towards; the trainer updates it ({@link #trackWAvg}).
 */
public final class MappingNetwork extends GanBlock {

  private final int zDim;
  private final int wDim;
  private final int numWs;
  private final float wAvgBeta;
  private final List<FullyConnectedLayer> fcs = new ArrayList<>();
  private final Parameter wAvg;

  /**
   * @param zDim latent z size
   * @param wDim intermediate latent w size
   * @param numWs number of w copies (synthesis layers that take a style)
   * @param layers fully connected layers (8 in StyleGAN2)
   * @param lrMultiplier learning-rate multiplier of the layers (0.01)
   * @param wAvgBeta decay of the w_avg moving average (0.995)
   */
  public MappingNetwork(int zDim, int wDim, int numWs, int layers, float lrMultiplier, float wAvgBeta) {
    this.zDim = zDim;
    this.wDim = wDim;
    this.numWs = numWs;
    this.wAvgBeta = wAvgBeta;
    for (int i = 0; i < layers; i++) {
      fcs.add(addChildBlock("fc" + i,
          new FullyConnectedLayer(i == 0 ? zDim : wDim, wDim, true, lrMultiplier, 0f)));
    }
    wAvg = addParameter(param("w_avg", new Shape(wDim), new ConstantInitializer(0f), false));
  }

  /** z [N, zDim] → ws [N, numWs, wDim]. */
  public NDArray forward(NDArray z) {
    if (!z.getShape().equals(new Shape(z.getShape().get(0), zDim))) {
      throw new IllegalArgumentException("MappingNetwork expects z [N, " + zDim + "], got " + z.getShape());
    }
    NDArray x = Ops.normalize2ndMoment(z, 1);
    for (FullyConnectedLayer fc : fcs) {
      x = fc.forward(x);
    }
    return x.expandDims(1).broadcast(new Shape(x.getShape().get(0), numWs, wDim));
  }

  /** w_avg ← lerp(mean(w), w_avg, β), outside the graph as NVlabs does under no_grad; ws [N, numWs, wDim]. */
  public void trackWAvg(NDArray ws) {
    NDArray avg = wAvg.getArray();
    float[] mean;
    try (NDArray m = ws.get(":, 0, :").mean(new int[] {0})) {
      mean = m.toFloatArray();
    }
    float[] old = avg.toFloatArray();
    for (int i = 0; i < old.length; i++) {
      old[i] = mean[i] + (old[i] - mean[i]) * wAvgBeta;
    }
    OwnedArrays.assign(avg, old);
  }

  /** The tracked mean w [wDim] (the starting point of inversion). */
  public NDArray wAvg() {
    return wAvg.getArray();
  }

  /** The truncation trick: w_avg + ψ (w − w_avg), on ws [N, numWs, wDim]. */
  public NDArray truncate(NDArray ws, float psi) {
    NDArray avg = wAvg.getArray().reshape(1, 1, wDim);
    return avg.add(OwnedArrays.mul(ws.sub(avg), psi));
  }

  public int numWs() {
    return numWs;
  }

  public int zDim() {
    return zDim;
  }
}
