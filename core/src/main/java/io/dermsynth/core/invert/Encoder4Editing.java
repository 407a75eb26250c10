package io.dermsynth.core.invert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.gan.Conv2dLayer;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanBlock;
import io.dermsynth.core.gan.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The e4e encoder (Tov et al. 2021): a residual backbone, a feature pyramid (coarse, middle, fine maps
 * with lateral 1×1 convolutions and upsampling), and one map2style block per generator style. Style 0
 * predicts a base w; every later style i predicts an offset Δᵢ, so W+ = w_avg + w + Δᵢ (Δ₀ = 0). Which
 * offsets are in use grows during training (e4e's progressive training): with {@code active} = k only
 * Δ₁…Δₖ are added, so the encoder first learns a single w that lies in W, and the offset-norm
 * regulariser keeps the rest small — the editability the SeFa edits rely on.
 *
 * <p>Styles map to pyramid levels by the resolution they drive, as e4e's 3/4/11 split at 256 px:
 * coarse ≤ 8 px, middle ≤ 32 px, fine above. The levels are the backbone maps at c, 2c and 4c with
 * c = max(4, R/16) (16, 32, 64 at 256 px as in e4e).
 */
public final class Encoder4Editing extends GanBlock {

  private final GanArchitecture arch;
  private final int coarse;
  private final ResidualBackbone body;
  private final Conv2dLayer latlayer1;
  private final Conv2dLayer latlayer2;
  private final List<GradualStyleBlock> styles = new ArrayList<>();
  private final int[] level;

  public Encoder4Editing(GanArchitecture arch) {
    this.arch = arch;
    int r = arch.resolution();
    coarse = Math.max(4, r / 16);
    if (4 * coarse > r / 2) {
      throw new IllegalArgumentException("e4e needs a generator of at least 32 px, got " + r);
    }
    body = addChildBlock("body", new ResidualBackbone(arch, arch.imgChannels(), coarse));
    latlayer1 = addChildBlock("latlayer1", new Conv2dLayer(arch.channels(coarse), arch.channels(2 * coarse),
        1, true, false, false));
    latlayer2 = addChildBlock("latlayer2", new Conv2dLayer(arch.channels(2 * coarse),
        arch.channels(4 * coarse), 1, true, false, false));
    level = new int[arch.numWs()];
    for (int i = 0; i < arch.numWs(); i++) {
      int drives = Math.min(r, 4 << ((i + 1) / 2));
      level[i] = drives <= 8 ? 0 : drives <= 32 ? 1 : 2;
      int res = coarse << level[i];
      int c = arch.channels(res);
      styles.add(addChildBlock("styles" + i, new GradualStyleBlock(c, Math.min(c, arch.wDim()),
          arch.wDim(), res)));
    }
  }

  public static Encoder4Editing create(GanArchitecture arch, NDManager manager) {
    Encoder4Editing e = new Encoder4Editing(arch);
    e.initialize(manager, DataType.FLOAT32, new Shape(1, 3, arch.resolution(), arch.resolution()));
    return e;
  }

  public int numWs() {
    return arch.numWs();
  }

  /**
   * img [N, 3, R, R] in [−1, 1] → [N, numWs, wDim]: style 0's w, then Δ₁…Δ_{numWs−1} (zeros past
   * {@code active}). Add w_avg and the base with {@link #wPlus}.
   */
  public NDArray forward(NDArray img, int active) {
    Map<Integer, NDArray> f = body.forward(img);
    NDArray c3 = f.get(coarse);
    NDArray p2 = f.get(2 * coarse).add(Ops.upsample2d(latlayer1.forward(c3, 1f)));
    NDArray p1 = needsFine() ? f.get(4 * coarse).add(Ops.upsample2d(latlayer2.forward(p2, 1f))) : null;
    NDArray[] levels = {c3, p2, p1};
    NDList out = new NDList();
    for (int i = 0; i < level.length; i++) {
      if (i == 0 || i <= active) {
        out.add(styles.get(i).forward(levels[level[i]]).expandDims(1));
      } else {
        out.add(c3.getManager().zeros(new Shape(img.getShape().get(0), 1, arch.wDim())));
      }
    }
    return NDArrays.concat(out, 1);
  }

  private boolean needsFine() {
    for (int l : level) {
      if (l == 2) {
        return true;
      }
    }
    return false;
  }

  /** W+ = w_avg + w + Δᵢ from {@link #forward}'s output; wAvg [wDim]. */
  public static NDArray wPlus(NDArray codes, NDArray wAvg) {
    long n = codes.getShape().get(0);
    long numWs = codes.getShape().get(1);
    NDArray base = codes.get(":, 0:1, :");
    NDArray deltas = codes.get(":, 1:, :");
    NDArray zero = base.zerosLike();
    return NDArrays.concat(new NDList(zero, deltas), 1).add(base).add(wAvg.reshape(1, 1, -1))
        .reshape(n, numWs, -1);
  }

  /** e4e's offset-norm regulariser: Σᵢ ‖Δᵢ‖₂, averaged over the batch. */
  public static NDArray deltaNorm(NDArray codes) {
    NDArray deltas = codes.get(":, 1:, :");
    return deltas.square().sum(new int[] {2}).add(1e-8f).sqrt().sum(new int[] {1}).mean();
  }
}
