package io.dermsynth.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Frees a computation's intermediates when it returns. DJL frees an array only when its scope (or
 * manager) closes — unlike Python, nothing goes when the last reference does — so a chain of network
 * passes in one scope holds every activation of every pass until the end (the inversion's peak RSS, in
 * bench/RESULTS.md, "Inversion"). Autograd keeps what backward needs by itself, so
 * this is safe under a gradient collector too.
 */
public final class Scopes {

  private Scopes() {}

  /** {@code f}'s result, now in the caller's scope; everything else {@code f} made is closed. */
  public static NDArray only(Supplier<NDArray> f) {
    NDArray out;
    try (NDScope scope = new NDScope()) {
      out = f.get();
      NDScope.unregister(out);
    }
    NDScope.register(out);
    return out;
  }

  /**
   * Runs {@code update} (an optimizer step, an EMA) with autograd off, then restores the thread's mode.
   * In-place updates of parameters must not be recorded, and libtorch's grad mode is per thread and on by
   * default: DJL turns it off only on the thread that started the engine, and a gradient collector
   * restores "on" when it found it on — so a trainer on any other thread (a notebook's, a task's) would
   * fail with "a leaf Variable that requires grad is being used in an in-place operation".
   */
  public static void noGrad(Runnable update) {
    boolean was = ai.djl.pytorch.jni.JniUtils.isGradMode();
    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    try {
      update.run();
    } finally {
      ai.djl.pytorch.jni.JniUtils.setGradMode(was);
    }
  }

  /**
   * {@code f}'s result computed with autograd off (inference: nothing is recorded for a backward pass that
   * will not come), the thread's mode restored after. A gradient collector inside {@code f} turns it on
   * for its own span, as the latent optimiser's does.
   */
  public static <T> T noGrad(Supplier<T> f) {
    Object[] out = new Object[1];
    noGrad(() -> {
      out[0] = f.get();
    });
    @SuppressWarnings("unchecked")
    T t = (T) out[0];
    return t;
  }

  /** As {@link #only(Supplier)} for a result of named arrays. */
  public static Map<String, NDArray> onlyAll(Supplier<Map<String, NDArray>> f) {
    Map<String, NDArray> out;
    try (NDScope scope = new NDScope()) {
      out = f.get();
      out.values().forEach(NDScope::unregister);
    }
    out.values().forEach(NDScope::register);
    return out;
  }
}
