package io.dermsynth.core.invert;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.dermsynth.core.gan.Adam;
import java.util.Map;

/**
 * The optimisation refinement (NVlabs projector style, in W+): Adam on the W+ of each image, starting
 * from the encoder's, minimising the inverter's objective (pixel L2 + LPIPS) against the real image
 * with the generator frozen and its noise fixed.
 */
public final class LatentOptimizer {

  private final Inverter inverter;

  public LatentOptimizer(Inverter inverter) {
    this.inverter = inverter;
  }

  /**
   * @param real [N, 3, R, R] in [−1, 1]
   * @param start W+ to start from [N, numWs, wDim]
   * @return the optimised W+, on {@code start}'s manager
   */
  public NDArray optimise(NDArray real, NDArray start, int steps, float lr) {
    try (NDManager work = inverter.manager().newSubManager()) {
      Parameter w = Parameter.builder().setName("w_plus").setType(Parameter.Type.WEIGHT).build();
      NDArray init = start.duplicate();
      init.attach(work);
      w.setArray(init);
      init.setRequiresGradient(true);
      Adam adam = new Adam(Map.of("w_plus", w), work);
      for (int s = 0; s < steps; s++) {
        adam.zeroGradients();
        try (NDScope scope = new NDScope()) {
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y = inverter.synthesize(w.getArray(), Map.of());
            collector.backward(inverter.objective(inverter.losses(y, real)));
          }
          adam.step(lr, 0.9f, 0.999f, 1e-8f);
        }
      }
      NDArray out = w.getArray().stopGradient();
      out.attach(start.getManager());
      return out;
    }
  }
}
