package io.dermsynth.core.invert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.factor.ClosedFormFactorization;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.factor.EditRenderer.Render;
import io.dermsynth.core.factor.SemanticDirections;
import io.dermsynth.core.factor.StyleLayer;
import io.dermsynth.core.factor.StyleLayers;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.Generator;
import io.dermsynth.core.gan.SampleGrid;
import io.dermsynth.core.gan.SynthesisLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The residual render: clip(source + G(w + αd; offsets) − G(w; offsets)) at the source's size. At
 * α = 0 it is the source, to the last bit of the stored PNG; otherwise the change is the generator's.
 */
class TestResidualRender {

  static final int SOURCE_SIDE = 64;

  @Test
  void alphaZeroGivesTheSourcePixelsExactlyAndOtherAlphasAddTheGeneratorsChange() throws Exception {
    NDManager gm = NDManager.newBaseManager(Device.cpu());
    Generator g = Generator.create(TestInverter.TINY, gm);
    int n = 4;
    try (InverterTrainer t = new InverterTrainer(TestInverter.quick(2, 2), g, gm, "test generator",
        TestInverter.lpipsNet(32), "test"); NDScope scope = new NDScope()) {
      Inverter inv = t.model();
      // Real-looking sources at the working size (64 px, twice the generator's 32): random 8-bit
      // pixels, so that any change of one level shows.
      SplittableRandom rnd = new SplittableRandom(5);
      List<byte[]> pngs = new ArrayList<>();
      List<byte[]> chw = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        byte[] px = new byte[3 * SOURCE_SIDE * SOURCE_SIDE];
        for (int j = 0; j < px.length; j++) {
          px[j] = (byte) rnd.nextInt(256);
        }
        chw.add(px);
        pngs.add(SampleGrid.png(new GanImages(SOURCE_SIDE, List.of(px)).batch(new int[] {0}, gm), 1));
      }
      int[] all = java.util.stream.IntStream.range(0, n).toArray();
      List<byte[]> decoded = pngs.stream().map(p -> GanImages.decodeOne(p, GanImages.squareSide(p))).toList();
      for (int i = 0; i < n; i++) {
        assertArrayEquals(chw.get(i), decoded.get(i), "the PNG round trip of source " + i);
      }
      NDArray sources = new GanImages(SOURCE_SIDE, decoded).batch(all, gm);
      NDArray w = inv.encode(TestInverter.generated(g, n, 9).batch(all, gm));
      Map<String, NDArray> deltas = new LinkedHashMap<>();
      for (Map.Entry<String, SynthesisLayer> e : g.synthesis().convLayers().entrySet()) {
        deltas.put(e.getKey(), gm.randomNormal(0f, 0.2f, new Shape(n, e.getValue().outChannels(),
            e.getValue().inChannels(), 1, 1), DataType.FLOAT32));
      }
      List<StyleLayer> layers = StyleLayers.select(TestInverter.TINY, "all", false);
      SemanticDirections sefa = ClosedFormFactorization.factorize(g, layers, 2);
      int[] rows = layers.stream().mapToInt(StyleLayer::wIndex).toArray();
      float[] wFlat = w.toFloatArray();

      // α = 0 for every image, in a batch with edits of other images: the sources come back exactly.
      float[] alphas = {0f, 4f, 0f, -4f};
      List<EditRenderer.Edit> edits = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        edits.add(TestEditInvertedImages.edit(wFlat, i, n, deltas, sefa.vectors()[0], rows, alphas[i]));
      }
      EditRenderer.Rendered residual = EditRenderer.render(inv, edits, Render.RESIDUAL, sources);
      assertEquals(new Shape(n, 3, SOURCE_SIDE, SOURCE_SIDE), residual.images().getShape());
      EditRenderer.Rendered generator = EditRenderer.render(inv, edits, Render.GENERATOR, null);
      assertEquals(new Shape(n, 3, 32, 32), generator.images().getShape());
      for (int i : new int[] {0, 2}) {
        assertArrayEquals(sources.get(i).toFloatArray(), residual.images().get(i).toFloatArray(), "image " + i);
        byte[] stored = SampleGrid.png(residual.images().get(i).expandDims(0), 1);
        assertArrayEquals(chw.get(i), GanImages.decodeOne(stored, SOURCE_SIDE), "stored PNG of image " + i);
        assertArrayEquals(generator.reconstructions().get(i).toFloatArray(), generator.images().get(i).toFloatArray());
      }
      // α ≠ 0: source + the generator's change, bilinearly upsampled to the source's size, clipped.
      NDArray change = generator.images().sub(generator.reconstructions());
      assertTrue(change.get(1).abs().max().getFloat() > 1e-3, "the edit changes the generator's image");
      NDArray up = change.getNDArrayInternal().interpolation(new long[] {SOURCE_SIDE, SOURCE_SIDE}, 1, false);
      NDArray want = sources.add(up).clip(-1f, 1f);
      for (int i : new int[] {1, 3}) {
        float diff = residual.images().get(i).sub(want.get(i)).abs().max().getFloat();
        assertTrue(diff < 1e-5, "image " + i + " differs from source + change by " + diff);
        assertTrue(residual.images().get(i).sub(sources.get(i)).abs().max().getFloat() > 1e-3);
      }
      assertArrayEquals(sources.toFloatArray(), residual.reconstructions().toFloatArray(),
          "the residual render's α = 0 image is the source");
      assertTrue(assertThrows(IllegalArgumentException.class,
          () -> EditRenderer.render(inv, edits, Render.RESIDUAL, null)).getMessage().contains("source images"));
      assertEquals(Render.RESIDUAL, Render.parse("residual"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Render.parse("hfgi")).getMessage()
          .contains("[generator, residual]"));
    }
  }
}
