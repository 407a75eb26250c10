package io.dermsynth.core.factor;

import io.dermsynth.core.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.gan.SynthesisLayer;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.LatentCodec;
import java.util.ArrayList;
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

  /** How an edit becomes an image. */
  public enum Render {
    /** The generator's image of the edited latent, at its resolution (the paper's augmentation). */
    GENERATOR,
    /**
     * The source image plus the edit's change, {@code clip(source + G(w + αd; offsets) − G(w; offsets))}
     * at the source's size (the idea of HFGI, Wang et al., CVPR 2022): the real image keeps its texture,
     * hair and border, and receives only what the direction changes. α = 0 gives the source exactly.
     */
    RESIDUAL;

    public String id() {
      return io.dermsynth.core.Choices.id(this);
    }

    public static Render parse(String name) {
      return io.dermsynth.core.Choices.parse(Render.class, name, "render");
    }
  }

  /**
   * Rendered edits and, row by row, the same image at α = 0 (what the edit is measured against:
   * the inversion for the generator render, the source itself for the residual render).
   */
  public record Rendered(NDArray images, NDArray reconstructions) {}

  /**
   * The edited images [N, 3, R, R] in [−1, 1], on the caller's NDScope. Images whose latents carry no
   * offsets for a layer another image has get zero offsets there (the generator's own weights).
   */
  public static NDArray render(Inverter inv, List<Edit> edits) {
    if (edits.isEmpty()) {
      throw new IllegalArgumentException("nothing to render");
    }
    return synthesize(inv, edits, edits.stream().map(e -> edited(inv, e)).toList());
  }

  /**
   * The edits in {@code mode} with their α = 0 images, in one generator pass of the edits and their
   * inversions. An edit with α = 0 shares its inversion's row, so its change is exactly zero and the
   * residual render returns the source's pixels.
   *
   * @param sources the source images [N, 3, S, S] in [−1, 1] (any S; the change is resized to it), or
   *     null for the generator render
   */
  public static Rendered render(Inverter inv, List<Edit> edits, Render mode, NDArray sources) {
    if (edits.isEmpty()) {
      throw new IllegalArgumentException("nothing to render");
    }
    int n = edits.size();
    if (mode == Render.RESIDUAL && (sources == null || sources.getShape().dimension() != 4
        || sources.getShape().get(0) != n || sources.getShape().get(1) != 3
        || sources.getShape().get(2) != sources.getShape().get(3))) {
      throw new IllegalArgumentException("the residual render needs the " + n + " source images as [" + n
          + ", 3, S, S], got " + (sources == null ? "none" : sources.getShape()));
    }
    // First the inversions (α = 0), one row per distinct latent: edits that share their W+ and offsets
    // arrays (a review strip's steps of one image) share the row. Then one row per edit with α ≠ 0.
    List<Edit> rows = new ArrayList<>(2 * n);
    List<float[]> ws = new ArrayList<>(2 * n);
    long[] reconRow = new long[n];
    long[] editedRow = new long[n];
    Map<float[], Integer> seen = new java.util.IdentityHashMap<>();
    for (int i = 0; i < n; i++) {
      Edit e = edits.get(i);
      Integer row = seen.get(e.wPlus());
      if (row == null || rows.get(row).offsets() != e.offsets()) {
        row = rows.size();
        seen.put(e.wPlus(), row);
        rows.add(e);
        ws.add(e.wPlus());
      }
      reconRow[i] = row;
    }
    for (int i = 0; i < n; i++) {
      Edit e = edits.get(i);
      if (e.alpha() == 0f) {
        editedRow[i] = reconRow[i];
      } else {
        editedRow[i] = rows.size();
        rows.add(e);
        ws.add(edited(inv, e));
      }
    }
    NDArray all = synthesize(inv, rows, ws);
    NDArray recon = all.get(inv.manager().create(reconRow));
    NDArray edited = all.get(inv.manager().create(editedRow));
    if (mode == Render.GENERATOR) {
      return new Rendered(edited, recon);
    }
    long side = sources.getShape().get(2);
    NDArray change = edited.sub(recon);
    if (change.getShape().get(2) != side) {
      change = change.getNDArrayInternal().interpolation(new long[] {side, side}, 1, false);
    }
    return new Rendered(sources.add(change).clip(-1f, 1f), sources);
  }

  private static float[] edited(Inverter inv, Edit e) {
    return LatentEdit.apply(e.wPlus(), inv.generator().architecture().wDim(), e.direction(), e.alpha(),
        e.wIndices());
  }

  /** The generator's images of {@code ws} (one W+ per row) with the rows' own HyperStyle offsets. */
  private static NDArray synthesize(Inverter inv, List<Edit> rows, List<float[]> ws) {
    int numWs = inv.generator().architecture().numWs();
    int wDim = inv.generator().architecture().wDim();
    NDManager m = inv.manager();
    float[] flat = new float[rows.size() * numWs * wDim];
    for (int i = 0; i < rows.size(); i++) {
      if (ws.get(i).length != numWs * wDim) {
        throw new IllegalArgumentException("W+ of edit " + i + " has " + ws.get(i).length + " values, the "
            + "generator takes [" + numWs + ", " + wDim + "]");
      }
      System.arraycopy(ws.get(i), 0, flat, i * numWs * wDim, numWs * wDim);
    }
    Map<String, SynthesisLayer> layers = inv.generator().synthesis().convLayers();
    Map<String, NDArray> deltas = new LinkedHashMap<>();
    for (String name : layers.keySet()) {
      if (rows.stream().noneMatch(e -> e.offsets().containsKey(name))) {
        continue;
      }
      SynthesisLayer l = layers.get(name);
      int per = l.outChannels() * l.inChannels();
      float[] d = new float[rows.size() * per];
      for (int i = 0; i < rows.size(); i++) {
        float[] mine = rows.get(i).offsets().get(name);
        if (mine != null) {
          if (mine.length != per) {
            throw new IllegalArgumentException("offsets of " + name + " in edit " + i + " have " + mine.length
                + " values, want [" + l.outChannels() + ", " + l.inChannels() + "]");
          }
          System.arraycopy(mine, 0, d, i * per, per);
        }
      }
      deltas.put(name, OwnedArrays.of(m, d, new Shape(rows.size(), l.outChannels(), l.inChannels(), 1, 1)));
    }
    return inv.synthesize(OwnedArrays.of(m, flat, new Shape(rows.size(), numWs, wDim)), deltas);
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
