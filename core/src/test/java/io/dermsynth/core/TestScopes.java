package io.dermsynth.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestScopes {

  @Test
  void onlyTheResultOutlivesTheComputationAndTheCallersScopeStillFreesIt() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray[] inner = new NDArray[1];
      NDArray out;
      try (NDScope caller = new NDScope()) {
        out = Scopes.only(() -> {
          inner[0] = m.create(new float[] {1, 2}).mul(3);
          return inner[0].add(1);
        });
        assertTrue(inner[0].isReleased(), "the intermediate is freed when the computation returns");
        assertFalse(out.isReleased());
        assertArrayEquals(new float[] {4, 7}, out.toFloatArray());
      }
      assertTrue(out.isReleased(), "the result belongs to the caller's scope");
    }
  }

  @Test
  void namedResultsAreKeptTogether() {
    try (NDManager m = NDManager.newBaseManager(); NDScope caller = new NDScope()) {
      NDArray[] inner = new NDArray[1];
      Map<String, NDArray> out = Scopes.onlyAll(() -> {
        inner[0] = m.create(new float[] {2});
        return Map.of("a", inner[0].mul(2), "b", inner[0].mul(5));
      });
      assertTrue(inner[0].isReleased());
      assertArrayEquals(new float[] {4}, out.get("a").toFloatArray());
      assertArrayEquals(new float[] {10}, out.get("b").toFloatArray());
    }
  }
}
