package io.dermsynth.core.invert;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import io.dermsynth.core.gan.GanBlock;

/**
 * HyperStyle's shared hypernetwork (after Ha et al.'s HyperNetworks): a code z [N, Z] becomes per-channel
 * weight offsets Δ [N, out, in, 1, 1] through two factorised linear maps, h = z·W₂ + b₂ reshaped to
 * [N, in, Z], then Δ = h·W₁ + b₁. One instance serves every generator layer of its (out, in) shape.
 * W₁ and b₁ start at zero, so an untrained hypernetwork leaves the generator as it is and refinement can
 * only start from the encoder's reconstruction.
 */
public final class SharedWeightHypernet extends GanBlock {

  private final int out;
  private final int in;
  private final int z;
  private final Parameter w1;
  private final Parameter b1;
  private final Parameter w2;
  private final Parameter b2;

  public SharedWeightHypernet(int out, int in, int z) {
    this.out = out;
    this.in = in;
    this.z = z;
    w1 = addParameter(param("w1", new Shape(z, out), new ConstantInitializer(0f), true));
    b1 = addParameter(param("b1", new Shape(out), new ConstantInitializer(0f), true));
    w2 = addParameter(param("w2", new Shape(z, (long) in * z), new NormalInitializer(1f), true));
    b2 = addParameter(param("b2", new Shape((long) in * z), new ConstantInitializer(0f), true));
  }

  public NDArray forward(NDArray code) {
    long n = code.getShape().get(0);
    if (!code.getShape().equals(new Shape(n, z))) {
      throw new IllegalArgumentException("SharedWeightHypernet(z " + z + ") got " + code.getShape());
    }
    float gain = (float) (1 / Math.sqrt(z));  // equalised learning rate, as the generator's layers
    NDArray h = code.matMul(OwnedArrays.mul(w2.getArray(), gain)).add(b2.getArray()).reshape(n, in, z);
    NDArray delta = h.matMul(OwnedArrays.mul(w1.getArray(), gain)).add(b1.getArray());  // [N, in, out]
    return delta.transpose(0, 2, 1).reshape(n, out, in, 1, 1);
  }
}
