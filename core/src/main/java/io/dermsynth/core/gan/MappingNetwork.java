package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NVlabs {@code MappingNetwork} (unconditional): z → normalize_2nd_moment → fc0…fc{L−1} (leaky ReLU,
 * lr multiplier 0.01) → w, broadcast to {@code numWs} copies. Tracks {@code w_avg}, the moving average
 * of w used by the truncation trick.
 */
public final class MappingNetwork extends AbstractBlock {

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
      FullyConnectedLayer fc = new FullyConnectedLayer(i == 0 ? zDim : wDim, wDim, true, lrMultiplier, 0f);
      fcs.add(fc);
      addChildBlock("fc" + i, fc);
    }
    wAvg = addParameter(Parameter.builder().setName("w_avg").setType(Parameter.Type.RUNNING_MEAN)
        .optRequiresGrad(false).optShape(new Shape(wDim)).optInitializer(new ConstantInitializer(0f))
        .build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray z = inputs.singletonOrThrow();
    if (!z.getShape().equals(new Shape(z.getShape().get(0), zDim))) {
      throw new IllegalArgumentException("MappingNetwork expects z [N, " + zDim + "], got " + z.getShape());
    }
    NDList x = new NDList(Ops.normalize2ndMoment(z, 1));
    for (FullyConnectedLayer fc : fcs) {
      x = fc.forward(ps, x, training);
    }
    NDArray w = x.singletonOrThrow();
    if (training) {
      // w_avg ← lerp(mean(w), w_avg, β): outside the graph, as NVlabs does under no_grad.
      NDArray avg = wAvg.getArray();
      float[] mean = w.mean(new int[] {0}).toFloatArray();
      float[] old = avg.toFloatArray();
      for (int i = 0; i < old.length; i++) {
        old[i] = mean[i] + (old[i] - mean[i]) * wAvgBeta;
      }
      avg.set(old);
    }
    long n = w.getShape().get(0);
    return new NDList(w.expandDims(1).broadcast(new Shape(n, numWs, wDim)));
  }

  /** The truncation trick: w_avg + ψ (w − w_avg), on ws [N, numWs, wDim]. */
  public NDArray truncate(NDArray ws, float psi) {
    NDArray avg = ws.getManager().create(wAvg.getArray().toFloatArray(), new Shape(1, 1, wDim));
    return avg.add(ws.sub(avg).mul(psi));
  }

  /** Parameters by NVlabs checkpoint name under {@code prefix} (e.g. "mapping"). */
  public Map<String, Parameter> namedParameters(String prefix) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    for (int i = 0; i < fcs.size(); i++) {
      for (var p : fcs.get(i).getDirectParameters()) {
        out.put(prefix + ".fc" + i + "." + p.getKey(), p.getValue());
      }
    }
    out.put(prefix + ".w_avg", wAvg);
    return out;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), numWs, wDim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    for (FullyConnectedLayer fc : fcs) {
      fc.initialize(manager, dataType, s);
      s = fc.getOutputShapes(new Shape[] {s})[0];
    }
  }
}
