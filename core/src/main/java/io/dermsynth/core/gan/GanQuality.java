package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.metrics.FeatureDistances;
import io.dermsynth.core.metrics.FeatureNetwork;
import io.dermsynth.core.metrics.Lpips;

/**
 * How good a generator is, against real images, in the feature space of a fixed network: a trained
 * classifier's penultimate layer (the only network trained here) or Inception-v3's pool3 when a user
 * brings its weights (as NVlabs and the FID/KID papers). FID and KID between {@code fakes} generated
 * images and the real set, and sample diversity as the mean LPIPS between pairs of generated images in the
 * same network's feature maps. The latents are the same at every measurement (seeded), so that successive
 * snapshots are compared on the same draw. Reals and fakes pass through the same path: the GAN's
 * resolution, then bilinear to the network's input size.
 */
public final class GanQuality implements AutoCloseable {

  /** FID, KID (unbiased MMD², cubic kernel) and mean pairwise LPIPS of the fakes. */
  public record Scores(double fid, double kid, double diversity, int fakes, int reals, String features) {}

  private static final int BATCH = 32;

  private final FeatureNetwork net;
  private final Lpips lpips;
  private final double[][] reals;
  private final int fakes;
  private final long seed;

  /**
   * @param net the feature network (nothing here trains it), closed with this
   * @param realImages the real reference set at the GAN's resolution (the validation split)
   * @param fakes images generated per measurement (≥ 2; an even count gives fakes / 2 LPIPS pairs)
   */
  public GanQuality(FeatureNetwork net, GanImages realImages, int fakes, long seed) {
    if (fakes < 2 || realImages.size() < 2) {
      throw new IllegalArgumentException("generator quality needs ≥ 2 fakes and ≥ 2 reals, got " + fakes + " and "
          + realImages.size());
    }
    this.net = net;
    this.lpips = Lpips.of(net.lpipsBackbone());
    this.fakes = fakes;
    this.seed = seed;
    this.reals = new double[realImages.size()][];
    try (NDManager m = NDManager.newBaseManager()) {
      for (int start = 0; start < reals.length; start += BATCH) {
        int[] idx = new int[Math.min(BATCH, reals.length - start)];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = start + i;
        }
        try (NDManager batch = m.newSubManager()) {
          copyRows(net.embedding(toFeatureSize(realImages.batch(idx, batch))), reals, start);
        }
      }
    }
  }

  /** Closes the feature network. */
  @Override
  public void close() {
    net.close();
  }

  public int reals() {
    return reals.length;
  }

  /** The feature network's name ("classifier", "inception-fid", ...), for the run row and best.json. */
  public String features() {
    return net.featuresName();
  }

  /** The scores of {@code g} (G_ema at a tick), its latents made on {@code manager} (G's device). */
  public Scores measure(Generator g, NDManager manager) {
    int zDim = g.architecture().zDim();
    java.util.Random r = new java.util.Random(seed);
    double[][] f = new double[fakes][];
    double lpipsSum = 0;
    int pairs = 0;
    for (int start = 0; start < fakes; start += BATCH) {
      int b = Math.min(BATCH, fakes - start);
      float[] z = g.architecture().randomZ(r, b);
      try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
        NDArray images = toFeatureSize(g.forward(OwnedArrays.of(manager, z, new Shape(b, zDim)), 1f, NoiseMode.CONST));
        copyRows(net.embedding(images), f, start);
        int even = b - b % 2;
        if (even >= 2) {
          for (double d : lpips.distance(images.get("0:" + even + ":2"), images.get("1:" + even + ":2"))) {
            lpipsSum += d;
            pairs++;
          }
        }
      }
    }
    return new Scores(FeatureDistances.frechet(f, reals), FeatureDistances.kid(f, reals),
        pairs == 0 ? Double.NaN : lpipsSum / pairs, fakes, reals.length, net.featuresName());
  }

  /** [N, 3, R, R] in [−1, 1] → [N, 3, S, S] in [0, 1] at the network's size S (bilinear when R ≠ S). */
  private NDArray toFeatureSize(NDArray images) {
    long s = net.inputSize();
    NDArray x = OwnedArrays.div(images.add(1f), 2).clip(0f, 1f);
    return x.getShape().get(2) == s ? x : x.getNDArrayInternal().interpolation(new long[] {s, s}, 1, false);
  }

  private static void copyRows(NDArray features, double[][] out, int start) {
    long n = features.getShape().get(0);
    int c = (int) features.getShape().get(1);
    float[] flat = features.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    for (int i = 0; i < n; i++) {
      double[] row = new double[c];
      for (int k = 0; k < c; k++) {
        row[k] = flat[i * c + k];
      }
      out[start + i] = row;
    }
  }
}
