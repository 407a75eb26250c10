package io.dermsynth.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * The weights and images of the hash fixtures (tools/fixtures/make_inception_fixture.py's hash_uniform,
 * value and images, also used by make_densenet_fixture.py): counter-based, so a test makes the very
 * numbers PyTorch was given without a weights file in the repo.
 */
public final class HashedWeights {

  /** Which tensors are batch norm's weight and bias, and the classifier bias's name suffix. */
  public record Rule(Predicate<String> norm, String headBias) {}

  private HashedWeights() {}

  /** u in [−1, 1) for element i of tensor t (splitmix64). */
  public static double uniform(long t, long i) {
    long x = (i + 1) * 0x9E3779B97F4A7C15L + t * 0xBF58476D1CE4E5B9L;
    x ^= x >>> 31;
    x *= 0x94D049BB133111EBL;
    x ^= x >>> 29;
    return (x >>> 11) / 0x1p53 * 2.0 - 1.0;
  }

  /** The fixture's values for tensor {@code index}: He-uniform weights, batch norm near identity. */
  public static float[] values(String name, long[] shape, int index, Rule rule) {
    int n = 1;
    for (long s : shape) {
      n *= (int) s;
    }
    double he = Math.sqrt(6.0 / (n / shape[0]));
    boolean norm = rule.norm().test(name);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double u = uniform(index, i);
      double w;
      if (name.endsWith("running_var")) {
        w = 1.0 + 0.25 * (u + 1.0);
      } else if (norm && name.endsWith("weight")) {
        w = 1.0 + 0.1 * u;
      } else if (norm || name.endsWith("running_mean") || name.endsWith(rule.headBias())) {
        w = 0.1 * u;
      } else {
        w = u * he;
      }
      v[i] = (float) w;
    }
    return v;
  }

  /**
   * Writes the tensors a fixture lists ([[name, shape], …], the list index being the hash's tensor index)
   * that {@code keep} accepts as one safetensors file in {@code dir}, and returns it.
   */
  public static Path safetensors(Path dir, String prefix, JsonNode tensors, Rule rule, Predicate<String> keep)
      throws IOException {
    Path file = Files.createTempFile(dir, prefix, ".safetensors");
    try (NDManager m = NDManager.newBaseManager(); OutputStream out = Files.newOutputStream(file)) {
      NDList list = new NDList();
      for (int t = 0; t < tensors.size(); t++) {
        String name = tensors.get(t).get(0).asText();
        JsonNode dims = tensors.get(t).get(1);
        long[] shape = new long[dims.size()];
        for (int k = 0; k < shape.length; k++) {
          shape[k] = dims.get(k).asLong();
        }
        if (keep.test(name)) {
          NDArray a = m.create(values(name, shape, t, rule), new Shape(shape));
          a.setName(name);
          list.add(a);
        }
      }
      list.encode(out, NDList.Encoding.SAFETENSORS);
    }
    return file;
  }

  /** pixel (i, c, y, x) = 0.5 + 0.45 sin(0.21 x + 0.17 (c + 1) y + 1.3 i), [n, 3, size, size]. */
  public static NDArray images(NDManager m, int n, int size) {
    float[] v = new float[n * 3 * size * size];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            v[k++] = (float) (0.5 + 0.45 * Math.sin(0.21 * x + 0.17 * (c + 1) * y + 1.3 * i));
          }
        }
      }
    }
    return m.create(v, new Shape(n, 3, size, size));
  }
}
