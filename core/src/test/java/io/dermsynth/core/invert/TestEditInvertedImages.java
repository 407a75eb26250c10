package io.dermsynth.core.invert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.factor.ClosedFormFactorization;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.factor.SemanticDirections;
import io.dermsynth.core.factor.StyleLayer;
import io.dermsynth.core.factor.StyleLayers;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.Generator;
import io.dermsynth.core.gan.SynthesisLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SeFa edits of inverted images: alpha 0 is the inversion itself; LPIPS grows with |alpha|. */
class TestEditInvertedImages {

  @Test
  void alphaZeroIsTheInversionAndLpipsGrowsWithAlpha() {
    NDManager gm = NDManager.newBaseManager(Device.cpu());
    Generator g = Generator.create(TestInverter.TINY, gm);
    GanImages data = TestInverter.generated(g, 6, 5);
    try (InverterTrainer t = new InverterTrainer(TestInverter.quick(2, 2), g, gm, "test generator",
        TestInverter.lpipsNet(32), "test"); NDScope scope = new NDScope()) {
      Inverter inv = t.model();
      int n = data.size();
      NDArray real = data.batch(java.util.stream.IntStream.range(0, n).toArray(), gm);
      NDArray w = inv.encode(real);
      // Offsets as HyperStyle would give them (random here, so that keeping them is visible).
      Map<String, NDArray> deltas = new LinkedHashMap<>();
      for (Map.Entry<String, SynthesisLayer> e : g.synthesis().convLayers().entrySet()) {
        deltas.put(e.getKey(), gm.randomNormal(0f, 0.2f, new Shape(n, e.getValue().outChannels(),
            e.getValue().inChannels(), 1, 1), DataType.FLOAT32));
      }
      NDArray inverted = inv.synthesize(w, deltas);
      float[] wFlat = w.toFloatArray();
      List<StyleLayer> layers = StyleLayers.select(TestInverter.TINY, "all", false);
      SemanticDirections sefa = ClosedFormFactorization.factorize(g, layers, 3);
      int[] rows = layers.stream().mapToInt(StyleLayer::wIndex).toArray();
      float[] alphas = {0f, 1f, -1f, 3f, -3f, 6f, -6f};
      double[][] lpips = new double[alphas.length][];
      for (int a = 0; a < alphas.length; a++) {
        List<Double> all = new ArrayList<>();
        for (int d = 0; d < sefa.size(); d++) {
          List<EditRenderer.Edit> edits = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            edits.add(edit(wFlat, i, n, deltas, sefa.vectors()[d], rows, alphas[a]));
          }
          NDArray edited = EditRenderer.render(inv, edits);
          if (alphas[a] == 0f) {
            assertEquals(0f, edited.sub(inverted).abs().max().getFloat(), 1e-6f, "alpha 0 = the inverted image");
          }
          for (double v : Inverter.toDoubles(inv.losses(edited, inverted).get(1))) {
            all.add(v);
          }
        }
        lpips[a] = all.stream().mapToDouble(Double::doubleValue).toArray();
      }
      double[] mean = java.util.Arrays.stream(lpips).mapToDouble(v -> java.util.Arrays.stream(v).average()
          .orElseThrow()).toArray();
      assertTrue(mean[0] < 1e-6, "alpha 0 LPIPS " + mean[0]);
      // Mean LPIPS to the inverted image over |alpha| = 1, 3, 6 (both signs) strictly increases.
      double one = (mean[1] + mean[2]) / 2;
      double three = (mean[3] + mean[4]) / 2;
      double six = (mean[5] + mean[6]) / 2;
      assertTrue(0 < one && one < three && three < six, "LPIPS by |alpha|: " + one + ", " + three + ", " + six);
    }
  }

  /** Image i's edit: its W+ (row i of n in {@code wFlat}) and its own offsets, moved along {@code direction}. */
  static EditRenderer.Edit edit(float[] wFlat, int i, int n, Map<String, NDArray> deltas, float[] direction,
      int[] rows, float alpha) {
    int per = wFlat.length / n;
    Map<String, float[]> mine = new LinkedHashMap<>();
    for (var e : deltas.entrySet()) {
      mine.put(e.getKey(), e.getValue().get(i).toFloatArray());
    }
    return new EditRenderer.Edit(java.util.Arrays.copyOfRange(wFlat, i * per, (i + 1) * per), mine, direction, rows,
        alpha);
  }
}
