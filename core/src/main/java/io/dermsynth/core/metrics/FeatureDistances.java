package io.dermsynth.core.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Distances between two sets of feature vectors, independent of the network that made them: the
 * Fréchet distance (FID when the features are Inception's) and the kernel inception distance (KID).
 */
public final class FeatureDistances {

  private FeatureDistances() {}

  /**
   * ‖μ₁−μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½). Tr((Σ₁Σ₂)^½) is computed as Σ√λ of the symmetric matrix
   * Σ₁^½ Σ₂ Σ₁^½ (same eigenvalues as Σ₁Σ₂), which avoids the non-symmetric square root scipy uses.
   */
  public static double frechet(double[][] a, double[][] b) {
    int d = dim(a, b);
    double[] mu1 = mean(a);
    double[] mu2 = mean(b);
    DMatrixRMaj s1 = covariance(a, mu1);
    DMatrixRMaj s2 = covariance(b, mu2);
    DMatrixRMaj root1 = symmetricSqrt(s1);
    DMatrixRMaj tmp = new DMatrixRMaj(d, d);
    DMatrixRMaj m = new DMatrixRMaj(d, d);
    CommonOps_DDRM.mult(root1, s2, tmp);
    CommonOps_DDRM.mult(tmp, root1, m);
    symmetrize(m);
    double traceSqrt = 0;
    for (double lambda : eigenvalues(m)) {
      traceSqrt += Math.sqrt(Math.max(0, lambda));
    }
    double meanTerm = 0;
    for (int i = 0; i < d; i++) {
      meanTerm += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
    }
    return meanTerm + CommonOps_DDRM.trace(s1) + CommonOps_DDRM.trace(s2) - 2 * traceSqrt;
  }

  /** Unbiased MMD² with the cubic polynomial kernel k(x,y) = (x·y/d + 1)³ over all samples. */
  public static double kid(double[][] a, double[][] b) {
    int d = dim(a, b);
    double kxx = kernelSum(a, a, d, true);
    double kyy = kernelSum(b, b, d, true);
    double kxy = kernelSum(a, b, d, false);
    int m = a.length;
    int n = b.length;
    return kxx / ((double) m * (m - 1)) + kyy / ((double) n * (n - 1)) - 2 * kxy / ((double) m * n);
  }

  private static double kernelSum(double[][] x, double[][] y, int d, boolean skipDiagonal) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < y.length; j++) {
        if (skipDiagonal && i == j) {
          continue;
        }
        double dot = 0;
        for (int k = 0; k < d; k++) {
          dot += x[i][k] * y[j][k];
        }
        double v = dot / d + 1;
        sum += v * v * v;
      }
    }
    return sum;
  }

  private static int dim(double[][] a, double[][] b) {
    if (a.length < 2 || b.length < 2 || a[0].length != b[0].length) {
      throw new IllegalArgumentException("need ≥ 2 samples per set of equal dimension, got "
          + a.length + "×" + (a.length == 0 ? 0 : a[0].length) + " and "
          + b.length + "×" + (b.length == 0 ? 0 : b[0].length));
    }
    return a[0].length;
  }

  static double[] mean(double[][] x) {
    double[] mu = new double[x[0].length];
    for (double[] row : x) {
      for (int k = 0; k < mu.length; k++) {
        mu[k] += row[k];
      }
    }
    for (int k = 0; k < mu.length; k++) {
      mu[k] /= x.length;
    }
    return mu;
  }

  /** Sample covariance (divisor n − 1, as numpy.cov). */
  static DMatrixRMaj covariance(double[][] x, double[] mu) {
    int d = mu.length;
    DMatrixRMaj c = new DMatrixRMaj(d, d);
    for (double[] row : x) {
      for (int i = 0; i < d; i++) {
        double di = row[i] - mu[i];
        for (int j = i; j < d; j++) {
          c.add(i, j, di * (row[j] - mu[j]));
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        double v = c.get(i, j) / (x.length - 1);
        c.set(i, j, v);
        c.set(j, i, v);
      }
    }
    return c;
  }

  private static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
    int d = s.numRows;
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
    if (!eig.decompose(s.copy())) {
      throw new ArithmeticException("eigendecomposition of a covariance matrix failed");
    }
    DMatrixRMaj out = new DMatrixRMaj(d, d);
    for (int k = 0; k < d; k++) {
      double root = Math.sqrt(Math.max(0, eig.getEigenvalue(k).real));
      DMatrixRMaj v = eig.getEigenVector(k);
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          out.add(i, j, root * v.get(i) * v.get(j));
        }
      }
    }
    return out;
  }

  private static double[] eigenvalues(DMatrixRMaj m) {
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, false, true);
    if (!eig.decompose(m.copy())) {
      throw new ArithmeticException("eigendecomposition failed");
    }
    double[] out = new double[m.numRows];
    for (int k = 0; k < out.length; k++) {
      out[k] = eig.getEigenvalue(k).real;
    }
    return out;
  }

  private static void symmetrize(DMatrixRMaj m) {
    for (int i = 0; i < m.numRows; i++) {
      for (int j = i + 1; j < m.numCols; j++) {
        double v = (m.get(i, j) + m.get(j, i)) / 2;
        m.set(i, j, v);
        m.set(j, i, v);
      }
    }
  }
}
