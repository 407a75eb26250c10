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
 * Adam with its state (step count, first and second moments) open for checkpoints — DJL's Adam keeps
 * that state private, and an exact resume needs it. Two update rules over the same state: {@link #step}
 * as torch.optim.Adam computes it (the GAN and the inverter, as NVlabs and HyperStyle train them), and
 * {@link #stepWithL2} as DJL's Adam computes it (the classifier, whose published numbers came from it).
 * Updates run in place outside any gradient collector, under no-grad.
 */
public final class Adam {

  private final Map<String, Parameter> params = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private final NDManager manager;
  private long steps;
  private long nonFinite;

  /** @param named the trainable parameters by name; moments start at zero on the parameters' device */
  public Adam(Map<String, Parameter> named, NDManager manager) {
    this.manager = manager;
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

  /**
   * One update as DJL's Adam makes it, through the same libtorch kernel, so that a classifier trains to
   * the same bits as with DJL's Trainer: L2 weight decay added to the gradient (coupled, not AdamW),
   * ε added to √v before the bias correction, which is folded into the step size in double precision;
   * β = (0.9, 0.999), ε = 1e-8 as DJL's defaults. Gradients are zeroed after the update, as DJL does.
   */
  public void stepWithL2(float lr, float weightDecay) {
    io.dermsynth.core.Scopes.noGrad(() -> {
      steps++;
      double c1 = 1.0 - Math.pow(L2_BETA1, steps);
      double c2 = 1.0 - Math.pow(L2_BETA2, steps);
      float lrCorrected = (float) (lr * Math.sqrt(c2) / c1);
      for (var e : params.entrySet()) {
        PtNDArray p = (PtNDArray) e.getValue().getArray();
        JniUtils.adamUpdate(p, (PtNDArray) p.getGradient(), (PtNDArray) expAvg.get(e.getKey()),
            (PtNDArray) expAvgSq.get(e.getKey()), lr, lrCorrected, weightDecay, 1f, -1f, L2_BETA1, L2_BETA2,
            L2_EPS, false);
        JniUtils.zeroGrad(p);
      }
    });
  }

  private static final float L2_BETA1 = 0.9f;
  private static final float L2_BETA2 = 0.999f;
  private static final float L2_EPS = 1e-8f;

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
  private NDList state(NDManager manager) {
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

  /** The state as one safetensors file, for a snapshot. */
  public byte[] encodeState() {
    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
      return state(manager).encode(NDList.Encoding.SAFETENSORS);
    }
  }

  /** Restores the state from {@link #encodeState}'s bytes. */
  public void decodeState(byte[] safetensors) {
    try (NDManager tmp = manager.newSubManager()) {
      load(NDList.decode(tmp, safetensors));
    }
  }

  private void load(NDList state) {
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
