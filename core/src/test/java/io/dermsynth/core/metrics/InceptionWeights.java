package io.dermsynth.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dermsynth.core.HashedWeights;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Inception-v3 weights from the hash rule of {@code /fixtures/inception_hash.json}
 * (tools/fixtures/make_inception_fixture.py), written as safetensors by torchvision's names: the network
 * the fixture's features were computed with, for tests here and in the jobs module.
 */
public final class InceptionWeights {

  /** Inception's batch norms are its {@code bn} modules; the classifier is {@code fc}. */
  private static final HashedWeights.Rule RULE = new HashedWeights.Rule(
      name -> name.endsWith("bn.weight") || name.endsWith("bn.bias"), "fc.bias");

  private static JsonNode fixture;

  private InceptionWeights() {}

  /** The fixture: its variants ("fid", "torchvision") with tensor lists and features, and its images. */
  public static synchronized JsonNode fixture() {
    if (fixture == null) {
      try (InputStream in = InceptionWeights.class.getResourceAsStream("/fixtures/inception_hash.json")) {
        fixture = new ObjectMapper().readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return fixture;
  }

  /** Writes the variant's tensors that {@code keep} accepts as a safetensors file in {@code dir}. */
  public static Path write(Path dir, String variant, Predicate<String> keep) throws IOException {
    return HashedWeights.safetensors(dir, variant, fixture().get("variants").get(variant).get("tensors"), RULE, keep);
  }
}
