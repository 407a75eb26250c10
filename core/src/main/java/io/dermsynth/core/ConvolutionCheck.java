package io.dermsynth.core;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libtorch's convolutions checked against float64 once per JVM, forward and both gradients, on shapes
 * the networks use: a 7×7 stride-2 stem, 3-channel inputs, grouped modulated convolutions (4 and 8
 * groups), 1×1 and 3×3 layers, depthwise 4×4 FIR filters, a stride-2 3×3 after the blur, and odd channel
 * counts (D's epilogue has c + 1 after minibatch std). The last three kinds were added when oneDNN capped
 * at AVX passed the first six cases on the machine below yet put R1 2% off its PyTorch fixture: only
 * the odd channel counts showed it (0.24 relative error). On a 2-core AMD EPYC (Zen 5, family 26) virtual machine whose caches the hypervisor hides,
 * libtorch 2.7.1's oneDNN 3.7.1 computed wrong convolutions: 13–40% relative error and NaN gradients with
 * its AVX-512 kernels, NaN DenseNet gradients with AVX2 on two threads; libtorch's own kernels and
 * float64 agreed to 1e-6 (bench/RESULTS.md, "Wrong convolutions on one CPU"). When the check fails,
 * oneDNN (and NNPACK) are turned off for the process ({@code torch.backends.mkldnn.enabled = False}),
 * the check is run again on libtorch's own kernels, and the log says so; when those are wrong too,
 * nothing can be trusted and it throws. {@code DERMSYNTH_ONEDNN=on|off} skips the check and sets oneDNN
 * as told.
 */
public final class ConvolutionCheck {

  private static final Logger LOG = LoggerFactory.getLogger(ConvolutionCheck.class);

  /** Relative L2 error above which a float32 result is wrong, not rounding (correct kernels: ~1e-6). */
  static final double TOLERANCE = 1e-3;

  /** n, in channels, out channels, size, kernel, stride, padding, groups. */
  private static final List<int[]> CASES = List.of(
      new int[] {4, 24, 32, 16, 7, 2, 3, 1}, new int[] {8, 3, 24, 32, 3, 1, 1, 1},
      new int[] {32, 3, 24, 32, 7, 2, 3, 1}, new int[] {32, 48, 12, 8, 3, 1, 1, 1},
      new int[] {1, 64, 32, 8, 3, 1, 1, 4}, new int[] {32, 60, 48, 8, 1, 1, 0, 1},
      new int[] {8, 32, 32, 16, 4, 1, 1, 32}, new int[] {4, 64, 64, 18, 4, 1, 0, 64},
      new int[] {8, 32, 64, 17, 3, 2, 0, 1}, new int[] {1, 256, 256, 8, 3, 1, 1, 8},
      new int[] {2, 65, 64, 4, 3, 1, 1, 1}, new int[] {4, 3, 32, 32, 1, 1, 0, 1},
      new int[] {2, 17, 16, 4, 3, 1, 1, 1});

  /** What the check found: the worst relative error, and whether oneDNN runs. */
  public record Verdict(double worstError, boolean oneDnn, String how) {}

  private static Verdict verdict;

  private ConvolutionCheck() {}

  /** Runs the check once per JVM (later calls return the first verdict). */
  public static synchronized Verdict ensure() {
    if (verdict == null) {
      disableNnpackWhereUnavailable();
      verdict = decide(System.getenv("DERMSYNTH_ONEDNN"));
    }
    return verdict;
  }

  private static Verdict decide(String setting) {
    if ("on".equals(setting) || "off".equals(setting)) {
      if ("off".equals(setting)) {
        useLibtorchKernels();
      }
      return new Verdict(Double.NaN, "on".equals(setting), "DERMSYNTH_ONEDNN=" + setting);
    }
    if (setting != null && !setting.isEmpty()) {
      throw new IllegalArgumentException("DERMSYNTH_ONEDNN must be on, off or unset (check), got '" + setting + "'");
    }
    double error = worstError();
    if (error <= TOLERANCE) {
      return new Verdict(error, true, "checked");
    }
    useLibtorchKernels();
    double own = worstError();
    if (!(own <= TOLERANCE)) {
      throw new IllegalStateException(String.format(Locale.ROOT, "libtorch computes wrong convolutions on this CPU "
          + "(%s): relative error %.3g with oneDNN and %.3g without; results would be garbage", cpu(), error, own));
    }
    LOG.warn(String.format(Locale.ROOT, "libtorch's oneDNN computes wrong convolutions on this CPU (%s): relative "
        + "error %.3g against float64; oneDNN is off for this process and libtorch's own kernels (error %.3g) run "
        + "instead (set DERMSYNTH_ONEDNN=on to override)", cpu(), error, own));
    return new Verdict(error, false, "oneDNN wrong on this CPU, off");
  }

  /** The largest relative L2 error of float32 against float64 over the cases' outputs and gradients. */
  static double worstError() {
    double worst = 0;
    // Inputs from a Java generator: the check leaves libtorch's own random state as it found it.
    SplittableRandom random = new SplittableRandom(20261201);
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
      for (int[] c : CASES) {
        int out = (c[3] + 2 * c[6] - c[4]) / c[5] + 1;
        NDArray x = normal(m, random, new Shape(c[0], c[1], c[3], c[3]));
        NDArray w = normal(m, random, new Shape(c[2], c[1] / c[7], c[4], c[4]));
        NDArray r = normal(m, random, new Shape(c[0], c[2], out, out));
        NDArray[] single = convolve(x, w, r, c);
        NDArray[] dbl = convolve(x.toType(DataType.FLOAT64, false), w.toType(DataType.FLOAT64, false),
            r.toType(DataType.FLOAT64, false), c);
        for (int i = 0; i < single.length; i++) {
          worst = Math.max(worst, relativeError(single[i], dbl[i]));
        }
      }
    }
    return worst;
  }

  private static NDArray normal(NDManager m, SplittableRandom random, Shape shape) {
    float[] v = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return OwnedArrays.of(m, v, shape);
  }

  /** Output, input gradient and weight gradient of sum(conv(x, w) · r). */
  private static NDArray[] convolve(NDArray x0, NDArray w0, NDArray r, int[] c) {
    NDArray x = x0.duplicate();
    NDArray w = w0.duplicate();
    x.setRequiresGradient(true);
    w.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y = Conv2d.conv2d(x, w, null, new Shape(c[5], c[5]), new Shape(c[6], c[6]), new Shape(1, 1), c[7])
          .singletonOrThrow();
      gc.backward(y.mul(r).sum());
      return new NDArray[] {y.stopGradient(), x.getGradient().duplicate(), w.getGradient().duplicate()};
    }
  }

  private static double relativeError(NDArray a, NDArray b) {
    NDArray ad = a.toType(DataType.FLOAT64, false);
    double num = ad.sub(b).square().sum().getDouble();
    double den = b.square().sum().getDouble();
    double e = Math.sqrt(num / den);
    return Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
  }

  /**
   * {@code at::globalContext().setUserEnabledMkldnn(false)} and {@code setUserEnabledNNPACK(false)}, which
   * DJL does not expose, through JNA: convolutions then run on libtorch's own im2col + GEMM kernels. NNPACK
   * goes too: where it cannot initialise (this CPU) libtorch tries it, warns on stderr and falls back on
   * every convolution it would suit.
   */
  private static void useLibtorchKernels() {
    disable("_ZN2at7Context20setUserEnabledMkldnnEb");
    disable("_ZN2at7Context20setUserEnabledNNPACKEb");
  }

  /**
   * Where NNPACK cannot initialise (seen on the AMD EPYC VM), libtorch still tries it for the
   * convolutions it would suit, and warns on stderr each time before falling back: turned off there
   * at once, which changes no result.
   */
  private static void disableNnpackWhereUnavailable() {
    // A C++ bool comes back in the low byte of the return register.
    if ((torch().getFunction("_ZN2at6native17_nnpack_availableEv").invokeInt(new Object[0]) & 0xff) == 0) {
      disable("_ZN2at7Context20setUserEnabledNNPACKEb");
    }
  }

  /** Calls the {@code at::Context} setter {@code symbol} (mangled) with false on libtorch's global context. */
  private static void disable(String symbol) {
    NativeLibrary torch = torch();
    Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
    torch.getFunction(symbol).invokeVoid(new Object[] {context, false});
  }

  private static NativeLibrary torch() {
    return NativeLibrary.getInstance(loaded("libtorch_cpu.so"));
  }

  /** The path of a shared library this process has loaded (DJL loads libtorch from its cache folder). */
  private static String loaded(String name) {
    Engine.getInstance();
    try {
      return Files.readAllLines(Path.of("/proc/self/maps")).stream().map(l -> l.substring(l.lastIndexOf(' ') + 1))
          .filter(p -> p.endsWith("/" + name)).findFirst()
          .orElseThrow(() -> new IllegalStateException(name + " is not loaded in this process"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/maps to find " + name, e);
    }
  }

  private static String cpu() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU")
          + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}
