package io.dermsynth.core.factor;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.dermsynth.core.gan.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * SeFa, closed-form factorization of latent semantics (Shen &amp; Zhou, CVPR 2021; genforce/sefa
 * {@code factorize_weight}): stack the style-affine weights A [Σ channels, w_dim] of the chosen layers,
 * scale every row (one output channel's weights) to unit length, and take the eigenvectors of AᵀA with
 * the largest eigenvalues: the directions in W along which the chosen layers' styles change most.
 *
 * <p>AᵀA is symmetric, so EJML's symmetric QR eigensolver is used (genforce calls the general
 * {@code np.linalg.eig} and gets the same vectors up to sign). EJML is already the project's dense
 * linear algebra (FID's matrix square root); it is maintained, pure Java and fast at w_dim 512 (tens of
 * milliseconds). Sums run in double; the weights are float32.
 */
public final class ClosedFormFactorization {

  private ClosedFormFactorization() {}

  /** SeFa on a generator's own weights. */
  public static SemanticDirections factorize(Generator g, List<StyleLayer> layers, int k) {
    Map<String, NDArray> weights = new LinkedHashMap<>();
    for (StyleLayer l : layers) {
      Parameter p = g.namedParameters().get(l.affineWeightKey());
      if (p == null) {
        throw new IllegalArgumentException("generator has no " + l.affineWeightKey());
      }
      weights.put(l.affineWeightKey(), p.getArray());
    }
    return factorize(weights, layers, k);
  }

  /**
   * SeFa on style-affine weights by NVlabs key ({@code synthesis.b16.conv0.affine.weight} →
   * [channels, w_dim]).
   *
   * @param k how many directions to keep (1 ≤ k ≤ w_dim), by descending eigenvalue
   */
  public static SemanticDirections factorize(Map<String, NDArray> weights, List<StyleLayer> layers, int k) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("SeFa needs at least one layer");
    }
    List<float[]> rows = new ArrayList<>();
    int wDim = -1;
    for (StyleLayer l : layers) {
      NDArray a = weights.get(l.affineWeightKey());
      if (a == null) {
        throw new IllegalArgumentException("no weight " + l.affineWeightKey() + "; have " + weights.keySet());
      }
      if (a.getShape().dimension() != 2 || (wDim >= 0 && a.getShape().get(1) != wDim)) {
        throw new IllegalArgumentException(l.affineWeightKey() + " must be [channels, " + (wDim < 0 ? "w_dim" : wDim)
            + "], got " + a.getShape());
      }
      wDim = (int) a.getShape().get(1);
      float[] v = a.toFloatArray();
      for (int r = 0; r < a.getShape().get(0); r++) {
        rows.add(Arrays.copyOfRange(v, r * wDim, (r + 1) * wDim));
      }
    }
    if (k < 1 || k > wDim) {
      throw new IllegalArgumentException("top_k must be in [1, " + wDim + "], got " + k);
    }
    DMatrixRMaj a = new DMatrixRMaj(rows.size(), wDim);
    for (int r = 0; r < rows.size(); r++) {
      double norm = 0;
      for (float x : rows.get(r)) {
        norm += (double) x * x;
      }
      norm = Math.sqrt(norm);
      if (norm == 0) {
        throw new IllegalArgumentException("row " + r + " of the stacked affine weights is zero: cannot normalise");
      }
      for (int c = 0; c < wDim; c++) {
        a.unsafe_set(r, c, rows.get(r)[c] / norm);
      }
    }
    DMatrixRMaj ata = new DMatrixRMaj(wDim, wDim);
    CommonOps_DDRM.multTransA(a, a, ata);
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(wDim, true, true);
    if (!eig.decompose(ata)) {
      throw new IllegalStateException("the symmetric eigensolver did not converge on AᵀA [" + wDim + "²]");
    }
    Integer[] order = new Integer[wDim];
    double[] values = new double[wDim];
    for (int i = 0; i < wDim; i++) {
      order[i] = i;
      values[i] = eig.getEigenvalue(i).getReal();
    }
    Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
    double[] top = new double[k];
    float[][] vectors = new float[k][];
    for (int i = 0; i < k; i++) {
      top[i] = values[order[i]];
      vectors[i] = signFixed(eig.getEigenVector(order[i]), wDim);
    }
    return new SemanticDirections(List.copyOf(layers), top, vectors);
  }

  /**
   * An eigenvector's sign is arbitrary; fix it (largest-magnitude component positive) so that the same
   * weights always give the same direction, and +alpha means the same edit on every run.
   */
  private static float[] signFixed(DMatrixRMaj v, int n) {
    double norm = 0;
    int arg = 0;
    for (int i = 0; i < n; i++) {
      norm += v.get(i) * v.get(i);
      if (Math.abs(v.get(i)) > Math.abs(v.get(arg))) {
        arg = i;
      }
    }
    double s = (v.get(arg) < 0 ? -1 : 1) / Math.sqrt(norm);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (v.get(i) * s);
    }
    return out;
  }
}
