package io.dermsynth.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.Locale;

/**
 * This CPU's attainable fp32 rate through libtorch, the yardstick of bench/RESULTS.md's share-of-peak
 * table: a 2048² matrix product (MKL's GEMM) and a 3×3 convolution (32 × 128→128 × 32×32, padding 1) forward,
 * and forward + both gradients, on the kernels the convolution check left in place, at 1 and 2 threads.
 * Prints Timing's line plus {@code gflops=} per measurement. Args: warmup iters
 */
public final class PeakBench {

  public static void main(String[] args) {
    io.dermsynth.core.Libtorch.load();
    System.out.println("# convolution check: " + io.dermsynth.core.ConvolutionCheck.ensure());
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int iters = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int maxThreads = Runtime.getRuntime().availableProcessors();
    for (int threads = 1; threads <= maxThreads; threads *= 2) {
      JniUtils.setNumThreads(threads);
      try (NDManager m = NDManager.newBaseManager()) {
        NDArray a = m.randomNormal(new Shape(2048, 2048));
        NDArray b = m.randomNormal(new Shape(2048, 2048));
        measure("matmul_2048", 2.0 * 2048 * 2048 * 2048, warmup, iters, () -> a.matMul(b).close());
        NDArray x = m.randomNormal(new Shape(32, 128, 32, 32));
        NDArray w = m.randomNormal(new Shape(128, 128, 3, 3));
        double convFlops = 2.0 * 32 * 32 * 32 * 128 * 128 * 9;
        measure("conv3x3_forward", convFlops, warmup, iters, () -> conv(x, w).close());
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        measure("conv3x3_train", 3 * convFlops, warmup, iters, () -> {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector(); NDManager step = m.newSubManager()) {
            NDArray y = conv(x, w);
            y.attach(step);
            gc.backward(y.sum());
          }
        });
      }
    }
  }

  private static NDArray conv(NDArray x, NDArray w) {
    return Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
  }

  private static void measure(String what, double flops, int warmup, int iters, Runnable run) {
    double median = Timing.report(what, "peak", 1, 1, warmup, iters, run);
    System.out.printf(Locale.ROOT, "%s threads=%d gflops=%.1f%n", what, JniUtils.getNumThreads(), flops / median / 1e9);
  }
}
