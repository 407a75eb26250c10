package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam as torch.optim.Adam computes it, with its state (step count, first and second moments) open for
 * checkpoints — DJL's Adam keeps that state private, and an exact resume needs it. Updates run in place
 * outside any gradient collector, under no-grad.
 */
public final class Adam {

  private final Map<String, Parameter> params = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long steps;
  private long nonFinite;

  /** @param named the trainable parameters by name; moments start at zero on the parameters' device */
  public Adam(Map<String, Parameter> named, NDManager manager) {
    named.forEach((name, p) -> {
      if (p.requiresGradient()) {
        params.put(name, p);
        expAvg.put(name, manager.zeros(p.getArray().getShape()));
        expAvgSq.put(name, manager.zeros(p.getArray().getShape()));
      }
    });
  }

  /** One update from the parameters' current gradients. */
  public void step(float lr, float beta1, float beta2, float eps) {
    io.dermsynth.core.Scopes.noGrad(() -> update(lr, beta1, beta2, eps));
  }

  private void update(float lr, float beta1, float beta2, float eps) {
    steps++;
    float bc1 = (float) (1 - Math.pow(beta1, steps));
    float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, steps));
    for (var e : params.entrySet()) {
      NDArray p = e.getValue().getArray();
      NDArray m = expAvg.get(e.getKey());
      NDArray v = expAvgSq.get(e.getKey());
      try (NDArray g = sanitisedGradient(p); NDArray gm = g.mul(1 - beta1); NDArray g2 = g.square()) {
        m.muli(beta1).addi(gm);
        v.muli(beta2).addi(g2.muli(1 - beta2));
      }
      // p ← p − lr/bc1 · m / (√v / √bc2 + ε), torch's order of operations
      try (NDArray denom = v.sqrt(); NDArray update = m.div(denom.divi(bc2Sqrt).addi(eps))) {
        p.subi(update.muli(lr / bc1));
      }
    }
  }

  /**
   * The gradient with NaN → 0 and ±∞ → ±10⁵, as NVlabs' training loop does (misc.nan_to_num on every
   * gradient before every step), so that a rare non-finite gradient cannot turn weights into NaN for
   * good. The common case costs one sum; only a non-finite sum takes the element-wise path, in Java.
   * (An in-place NDArray version — isNaN/isInfinite/where/copyTo on the gradient — crashed libtorch
   * after a few hundred steps; see docs/ARCHITECTURE.md.)
   */
  private NDArray sanitisedGradient(NDArray param) {
    NDArray g = param.getGradient();
    float total;
    try (NDArray sum = g.sum()) {
      total = sum.getFloat();
    }
    if (Float.isFinite(total)) {
      return g;
    }
    float[] v = g.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) {
        nonFinite++;
        v[i] = Float.isNaN(v[i]) ? 0f : Math.copySign(1e5f, v[i]);
      }
    }
    NDArray clean = OwnedArrays.of(g.getManager(), v, g.getShape());
    g.close();
    return clean;
  }

  /** Gradient elements sanitised so far (NaN or ±∞). */
  public long nonFinite() {
    return nonFinite;
  }

  /** Zero every parameter's gradient, before a phase accumulates new ones. */
  public void zeroGradients() {
    for (Parameter p : params.values()) {
      JniUtils.zeroGrad((PtNDArray) p.getArray());
    }
  }

  /** Switches gradient tracking of all parameters (frozen while the other network trains). */
  public void requireGradients(boolean on) {
    for (Parameter p : params.values()) {
      p.getArray().setRequiresGradient(on);
    }
  }

  public long steps() {
    return steps;
  }

  /** The moments, named {@code <param>.exp_avg} and {@code <param>.exp_avg_sq}, plus {@code step}. */
  public NDList state(NDManager manager) {
    NDList out = new NDList();
    for (String name : params.keySet()) {
      NDArray a = expAvg.get(name).duplicate();
      a.setName(name + ".exp_avg");
      NDArray b = expAvgSq.get(name).duplicate();
      b.setName(name + ".exp_avg_sq");
      out.add(a);
      out.add(b);
    }
    NDArray s = OwnedArrays.of(manager, new long[] {steps});
    s.setName("step");
    out.add(s);
    return out;
  }

  public void load(NDList state) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    state.forEach(a -> byName.put(a.getName(), a));
    for (String name : params.keySet()) {
      copy(byName, name + ".exp_avg", expAvg.get(name));
      copy(byName, name + ".exp_avg_sq", expAvgSq.get(name));
    }
    NDArray s = byName.get("step");
    if (s == null) {
      throw new IllegalArgumentException("optimiser state has no 'step'");
    }
    steps = s.toLongArray()[0];
  }

  private static void copy(Map<String, NDArray> from, String name, NDArray into) {
    NDArray a = from.get(name);
    if (a == null || !a.getShape().equals(into.getShape())) {
      throw new IllegalArgumentException("optimiser state " + name + ": want " + into.getShape() + ", got "
          + (a == null ? "nothing" : a.getShape()));
    }
    OwnedArrays.assign(into, a.toFloatArray());
  }
}
