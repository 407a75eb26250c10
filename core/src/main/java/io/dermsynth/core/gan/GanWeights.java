package io.dermsynth.core.gan;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.dermsynth.core.data.Hashing;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Network weights as safetensors keyed by NVlabs checkpoint names. {@link #load} is strict: every
 * parameter must be present with its exact shape and nothing else may be in the file, so a weight
 * file for another preset or a badly converted checkpoint fails with the names at fault.
 * {@code tools/import_stylegan2.py} turns NVlabs and rosinality checkpoints into this form.
 */
public final class GanWeights {

  private GanWeights() {}

  public static byte[] encode(Map<String, Parameter> params) {
    NDList list = new NDList();
    for (var e : params.entrySet()) {
      NDArray a = e.getValue().getArray().duplicate();
      a.setName(e.getKey());
      list.add(a);
    }
    byte[] out = list.encode(NDList.Encoding.SAFETENSORS);
    list.close();
    return out;
  }

  /**
   * A content id of a network's weights: "g-" and 16 hex digits of the SHA-256 of their safetensors
   * form. A generator copied into an inverter folder keeps its id, so directions factorised from a
   * train-gan run are known to fit latents inverted into the same weights.
   */
  public static String contentVersion(Map<String, Parameter> params) {
    return "g-" + Hashing.sha256Hex(encode(params)).substring(0, 16);
  }

  /** Copies a safetensors file's arrays into the parameters, by name. */
  public static void load(Map<String, Parameter> params, byte[] safetensors) {
    NDManager manager = params.values().iterator().next().getArray().getManager();
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> byName = new LinkedHashMap<>();
      for (NDArray a : NDList.decode(tmp, safetensors)) {
        byName.put(a.getName(), a);
      }
      load(params, byName);
    }
  }

  /** Copies arrays into the parameters, by name; strict as {@link #load(Map, byte[])}. */
  public static void load(Map<String, Parameter> params, Map<String, NDArray> byName) {
    TreeSet<String> missing = new TreeSet<>(params.keySet());
    missing.removeAll(byName.keySet());
    TreeSet<String> unexpected = new TreeSet<>(byName.keySet());
    unexpected.removeAll(params.keySet());
    StringBuilder wrongShape = new StringBuilder();
    for (var e : params.entrySet()) {
      NDArray a = byName.get(e.getKey());
      if (a != null && !a.getShape().equals(e.getValue().getArray().getShape())) {
        wrongShape.append(' ').append(e.getKey()).append(' ').append(a.getShape()).append(" (want ")
            .append(e.getValue().getArray().getShape()).append(')');
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty() || wrongShape.length() > 0) {
      throw new IllegalArgumentException("weights do not fit: missing " + missing + ", unexpected "
          + unexpected + (wrongShape.length() > 0 ? ", wrong shape:" + wrongShape : ""));
    }
    for (var e : params.entrySet()) {
      OwnedArrays.assign(e.getValue().getArray(), byName.get(e.getKey()).toFloatArray());
    }
  }
}
