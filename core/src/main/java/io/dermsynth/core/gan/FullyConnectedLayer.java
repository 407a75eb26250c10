package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * NVlabs {@code FullyConnectedLayer}: equalised learning rate (weights stored as N(0,1)/lr_multiplier
 * and scaled by lr_multiplier/√in at run time), a learning-rate multiplier, and an optional leaky ReLU
 * with gain √2. Parameters are named {@code weight} and {@code bias} as in NVlabs checkpoints.
 */
public final class FullyConnectedLayer extends AbstractBlock {

  private final int in;
  private final int out;
  private final boolean lrelu;
  private final float weightGain;
  private final float biasGain;
  private final Parameter weight;
  private final Parameter bias;

  /**
   * @param in input features
   * @param out output features
   * @param lrelu leaky ReLU (slope 0.2, gain √2) after the bias, else linear
   * @param lrMultiplier learning-rate multiplier (0.01 in the mapping network)
   * @param biasInit initial bias
   */
  public FullyConnectedLayer(int in, int out, boolean lrelu, float lrMultiplier, float biasInit) {
    this.in = in;
    this.out = out;
    this.lrelu = lrelu;
    this.weightGain = (float) (lrMultiplier / Math.sqrt(in));
    this.biasGain = lrMultiplier;
    weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(out, in)).optInitializer(new NormalInitializer(1f / lrMultiplier)).build());
    bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
        .optShape(new Shape(out)).optInitializer(new ConstantInitializer(biasInit / lrMultiplier)).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    if (x.getShape().dimension() != 2 || x.getShape().get(1) != in) {
      throw new IllegalArgumentException("FullyConnectedLayer(" + in + "→" + out + ") got " + x.getShape());
    }
    NDArray w = ps.getValue(weight, x.getDevice(), training).mul(weightGain);
    NDArray b = ps.getValue(bias, x.getDevice(), training).mul(biasGain);
    NDArray y = x.matMul(w.transpose()).add(b);
    if (lrelu) {
      y = y.maximum(y.mul(0.2f)).mul((float) Math.sqrt(2));
    }
    return new NDList(y);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), out)};
  }
}
