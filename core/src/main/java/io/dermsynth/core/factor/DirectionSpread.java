package io.dermsynth.core.factor;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.gan.Generator;
import java.util.Random;

/**
 * How far W spreads along each direction: the standard deviation of ⟨w, d⟩ over w = mapping(z),
 * z ~ N(0, I). SeFa's directions are unit vectors, but how far one unit moves an image depends on the
 * generator (a 64-px generator early in training has a W many times wider than FFHQ's); measured in
 * these standard deviations, an alpha means the same on every generator, so configs and reviews carry
 * over between tiny, small and paper presets.
 */
public final class DirectionSpread {

  private DirectionSpread() {}

  /**
   * @param samples z draws (thousands: the std of a projection is known to ~1/√(2·samples))
   * @return per direction, std of the projections of w
   */
  public static double[] of(Generator g, SemanticDirections d, int samples, long seed) {
    int zDim = g.architecture().zDim();
    int wDim = g.architecture().wDim();
    double[] sum = new double[d.size()];
    double[] sumSq = new double[d.size()];
    Random rng = new Random(seed);
    NDManager m = g.namedParameters().values().iterator().next().getArray().getManager();
    float[] dirs = new float[d.size() * wDim];
    for (int i = 0; i < d.size(); i++) {
      System.arraycopy(d.vectors()[i], 0, dirs, i * wDim, wDim);
    }
    int batch = 512;
    for (int done = 0; done < samples; done += batch) {
      int n = Math.min(batch, samples - done);
      float[] z = g.architecture().randomZ(rng, n);
      try (NDScope scope = new NDScope()) {
        NDArray w = g.mapping().forward(OwnedArrays.of(m, z, new Shape(n, zDim))).get(":, 0, :");
        float[] p = w.matMul(OwnedArrays.of(m, dirs, new Shape(d.size(), wDim)).transpose()).toFloatArray();  // [n, K]
        for (int r = 0; r < n; r++) {
          for (int k = 0; k < d.size(); k++) {
            double v = p[r * d.size() + k];
            sum[k] += v;
            sumSq[k] += v * v;
          }
        }
      }
    }
    double[] std = new double[d.size()];
    for (int k = 0; k < d.size(); k++) {
      double mean = sum[k] / samples;
      std[k] = Math.sqrt(Math.max(0, sumSq[k] / samples - mean * mean));
    }
    return std;
  }
}
