package io.dermsynth.core.factor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.gan.SynthesisLayer;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.LatentCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders edits of inverted images in one generator pass per batch: each image's W+ moved along its
 * direction ({@link LatentEdit}) and synthesised with that image's own HyperStyle weight offsets.
 */
public final class EditRenderer {

  /**
   * One edit of one inverted image.
   *
   * @param wPlus the image's W+ [numWs · wDim]
   * @param offsets the image's HyperStyle offsets by layer name ([out · in] each); empty for encoder or
   *     optimised latents
   * @param direction unit direction [wDim]
   * @param wIndices the W+ rows the direction moves
   */
  public record Edit(float[] wPlus, Map<String, float[]> offsets, float[] direction, int[] wIndices, float alpha) {}

  private EditRenderer() {}

  /**
   * The edited images [N, 3, R, R] in [−1, 1], on the caller's NDScope. Images whose latents carry no
   * offsets for a layer another image has get zero offsets there (the generator's own weights).
   */
  public static NDArray render(Inverter inv, List<Edit> edits) {
    if (edits.isEmpty()) {
      throw new IllegalArgumentException("nothing to render");
    }
    int numWs = inv.generator().architecture().numWs();
    int wDim = inv.generator().architecture().wDim();
    NDManager m = inv.manager();
    float[] ws = new float[edits.size() * numWs * wDim];
    for (int i = 0; i < edits.size(); i++) {
      Edit e = edits.get(i);
      if (e.wPlus().length != numWs * wDim) {
        throw new IllegalArgumentException("W+ of edit " + i + " has " + e.wPlus().length + " values, the generator "
            + "takes [" + numWs + ", " + wDim + "]");
      }
      System.arraycopy(LatentEdit.apply(e.wPlus(), wDim, e.direction(), e.alpha(), e.wIndices()), 0, ws,
          i * numWs * wDim, numWs * wDim);
    }
    Map<String, SynthesisLayer> layers = inv.generator().synthesis().convLayers();
    Map<String, NDArray> deltas = new LinkedHashMap<>();
    for (String name : layers.keySet()) {
      if (edits.stream().noneMatch(e -> e.offsets().containsKey(name))) {
        continue;
      }
      SynthesisLayer l = layers.get(name);
      int per = l.outChannels() * l.inChannels();
      float[] d = new float[edits.size() * per];
      for (int i = 0; i < edits.size(); i++) {
        float[] mine = edits.get(i).offsets().get(name);
        if (mine != null) {
          if (mine.length != per) {
            throw new IllegalArgumentException("offsets of " + name + " in edit " + i + " have " + mine.length
                + " values, want [" + l.outChannels() + ", " + l.inChannels() + "]");
          }
          System.arraycopy(mine, 0, d, i * per, per);
        }
      }
      deltas.put(name, m.create(d, new Shape(edits.size(), l.outChannels(), l.inChannels(), 1, 1)));
    }
    return inv.synthesize(m.create(ws, new Shape(edits.size(), numWs, wDim)), deltas);
  }

  /**
   * Splits the offsets column of a latents row (layers in {@code layers} order, each [out, in],
   * concatenated float32) back into layers.
   */
  public static Map<String, float[]> offsets(Inverter inv, byte[] bytes, List<String> layers) {
    Map<String, float[]> out = new LinkedHashMap<>();
    if (bytes == null || layers == null || layers.isEmpty()) {
      return out;
    }
    float[] all = LatentCodec.decode(bytes);
    Map<String, SynthesisLayer> conv = inv.generator().synthesis().convLayers();
    int at = 0;
    for (String name : layers) {
      SynthesisLayer l = conv.get(name);
      if (l == null) {
        throw new IllegalArgumentException("offsets name layer '" + name + "', the generator has " + conv.keySet());
      }
      int per = l.outChannels() * l.inChannels();
      if (at + per > all.length) {
        throw new IllegalArgumentException("offsets hold " + all.length + " values, too few for layers " + layers);
      }
      out.put(name, java.util.Arrays.copyOfRange(all, at, at + per));
      at += per;
    }
    if (at != all.length) {
      throw new IllegalArgumentException("offsets hold " + all.length + " values, layers " + layers + " take " + at);
    }
    return out;
  }
}
