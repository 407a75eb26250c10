package io.dermsynth.core.factor;

import io.dermsynth.core.data.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * SeFa's result: the layers factorised, and the top-K unit directions in W [K][w_dim] with their
 * eigenvalues (descending).
 */
public record SemanticDirections(List<StyleLayer> layers, double[] eigenvalues, float[][] vectors) {

  public int size() {
    return vectors.length;
  }

  /** The layer names, comma-separated in W+ order ("b8.conv0,b8.conv1"). */
  public String layerSpec() {
    return layers.stream().map(StyleLayer::name).collect(Collectors.joining(","));
  }

  /**
   * A direction's id: the same generator weights, layers and rank always give the same id, so that
   * factorising again adds nothing and synthetic rows can name the direction they came from.
   */
  public String directionId(String generatorVersion, int index) {
    String key = generatorVersion + "|" + layerSpec() + "|" + index;
    return "dir-" + Hashing.sha256Hex(key.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
  }
}
