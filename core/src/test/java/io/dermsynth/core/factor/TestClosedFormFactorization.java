package io.dermsynth.core.factor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.Generator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SeFa against numpy: {@code tools/fixtures/make_sefa_fixture.py} took the style-affine weights of a
 * tiny32 generator trained by the demo and computed {@code numpy.linalg.eigh} of AᵀA for four layer
 * selections (spelled out there as key lists).
 */
class TestClosedFormFactorization {

  static final GanArchitecture TINY32 = GanArchitecture.of(32, 4096, 64);

  @Test
  void topTenDirectionsAndEigenvaluesEqualNumpy() throws Exception {
    JsonObject expected;
    try (InputStream in = getClass().getResourceAsStream("/fixtures/sefa_tiny32.json")) {
      expected = new Gson().fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), JsonObject.class);
    }
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        InputStream in = getClass().getResourceAsStream("/fixtures/sefa_tiny32_affine.safetensors")) {
      Map<String, NDArray> weights = new HashMap<>();
      for (NDArray a : NDList.decode(m, in.readAllBytes())) {
        weights.put(a.getName(), a);
      }
      assertEquals(4, expected.size());
      for (String spec : expected.keySet()) {
        JsonObject want = expected.getAsJsonObject(spec);
        List<StyleLayer> layers = StyleLayers.select(TINY32, spec, false);
        List<String> names = layers.stream().map(StyleLayer::name).toList();
        assertEquals(want.getAsJsonArray("layers").asList().stream().map(e -> e.getAsString()).toList(), names,
            spec);
        SemanticDirections d = ClosedFormFactorization.factorize(weights, layers, 10);
        assertEquals(10, d.size());
        for (int i = 0; i < 10; i++) {
          double ev = want.getAsJsonArray("eigenvalues").get(i).getAsDouble();
          assertEquals(ev, d.eigenvalues()[i], 1e-4 * Math.abs(ev), spec + " eigenvalue " + i);
          var v = want.getAsJsonArray("vectors").get(i).getAsJsonArray();
          double dot = 0;
          double norm = 0;
          for (int c = 0; c < v.size(); c++) {
            dot += v.get(c).getAsDouble() * d.vectors()[i][c];
            norm += (double) d.vectors()[i][c] * d.vectors()[i][c];
          }
          assertEquals(1.0, norm, 1e-5, "unit length");
          assertTrue(Math.abs(dot) >= 0.999, spec + " direction " + i + ": |cos| = " + Math.abs(dot));
        }
        for (int i = 1; i < 10; i++) {
          assertTrue(d.eigenvalues()[i] <= d.eigenvalues()[i - 1], "descending");
        }
      }
    }
  }

  @Test
  void layerGroupsFollowResolutionAndWPlusRows() {
    List<StyleLayer> all = StyleLayers.of(TINY32);
    assertEquals(List.of("b4.conv1", "b4.torgb", "b8.conv0", "b8.conv1", "b8.torgb", "b16.conv0", "b16.conv1",
        "b16.torgb", "b32.conv0", "b32.conv1", "b32.torgb"), all.stream().map(StyleLayer::name).toList());
    // NVlabs W+ rows: b4.conv1 → 0, b4.torgb and b8.conv0 → 1, …, b32.torgb → num_ws − 1.
    assertArrayEquals(new int[] {0, 1, 1, 2, 3, 3, 4, 5, 5, 6, 7}, all.stream().mapToInt(StyleLayer::wIndex).toArray());
    assertEquals(TINY32.numWs() - 1, all.get(all.size() - 1).wIndex());
    assertEquals(List.of("b4.conv1", "b8.conv0", "b8.conv1", "b4.torgb", "b8.torgb").stream().sorted().toList(),
        StyleLayers.select(TINY32, "coarse", true).stream().map(StyleLayer::name).sorted().toList());
    assertEquals(7, StyleLayers.select(TINY32, "all", false).size());
    GanArchitecture small64 = GanArchitecture.of(64, 8192, 128, 4);  // conf/presets/gan/small64.conf
    assertEquals(List.of("b64.conv0", "b64.conv1"),
        StyleLayers.select(small64, "fine", false).stream().map(StyleLayer::name).toList());
    var empty = assertThrows(IllegalArgumentException.class, () -> StyleLayers.select(TINY32, "fine", false));
    assertTrue(empty.getMessage().contains("empty at resolution 32"), empty.getMessage());
    var unknown = assertThrows(IllegalArgumentException.class, () -> StyleLayers.select(TINY32, "b64.conv0", false));
    assertTrue(unknown.getMessage().contains("b32.torgb") && unknown.getMessage().contains("coarse"),
        unknown.getMessage());
  }

  @Test
  void sameWeightsGiveTheSameDirectionsAndIds() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Generator g = Generator.create(TINY32, m);
      List<StyleLayer> layers = StyleLayers.select(TINY32, "all", false);
      SemanticDirections a = ClosedFormFactorization.factorize(g, layers, 5);
      SemanticDirections b = ClosedFormFactorization.factorize(g, layers, 5);
      for (int i = 0; i < 5; i++) {
        assertArrayEquals(a.vectors()[i], b.vectors()[i]);
        assertEquals(a.directionId("g-1", i), b.directionId("g-1", i));
      }
      assertTrue(!a.directionId("g-1", 0).equals(a.directionId("g-2", 0)), "the generator is part of the id");
      assertTrue(!a.directionId("g-1", 0).equals(a.directionId("g-1", 1)));
      assertThrows(IllegalArgumentException.class, () -> ClosedFormFactorization.factorize(g, layers, 0));
      assertThrows(IllegalArgumentException.class, () -> ClosedFormFactorization.factorize(g, layers, 513));
    }
  }

  @Test
  void anEditMovesOnlyTheChosenRows() {
    int wDim = 4;
    float[] w = new float[3 * wDim];
    float[] dir = {1, 0, 0, 0};
    float[] e = LatentEdit.apply(w, wDim, dir, 2f, new int[] {1, 1, 2});
    assertArrayEquals(new float[] {0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0}, e);
    assertArrayEquals(new float[3 * wDim], w, "input untouched");
    assertThrows(IllegalArgumentException.class, () -> LatentEdit.apply(w, wDim, dir, 1f, new int[] {3}));
  }
}
