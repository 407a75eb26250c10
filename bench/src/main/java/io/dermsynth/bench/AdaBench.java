package io.dermsynth.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.dermsynth.core.gan.AdaptiveAugment;
import io.dermsynth.core.gan.AugmentOp;
import io.dermsynth.core.gan.AugmentPipe;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.SampleGrid;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * ADA's pipeline on real lesions: {@code AdaBench HAM_DIR OUT_DIR [images]} writes ops.png (first row the
 * images, then one row per bgc op alone at p = 1, so every image draws it) and bgc.png (rows: the images,
 * then bgc at p = 0.2, 0.5, 0.8, 1), and times the pipeline forward + backward (as D's gradient to G takes
 * it) at p = 0.5 for 16 images at 32, 64, 128 and 256 px.
 */
public final class AdaBench {

  public static void main(String[] args) throws Exception {
    io.dermsynth.core.Libtorch.load();
    Path ham = Path.of(args[0]);
    Path out = Files.createDirectories(Path.of(args[1]));
    int count = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    List<String> lines = Files.readAllLines(ham.resolve("HAM10000_metadata.csv"));
    List<byte[]> files = new ArrayList<>();
    for (int i = 1; files.size() < 16; i += 97) {  // spread over the csv: several lesions and classes
      files.add(Files.readAllBytes(ham.resolve("images/" + lines.get(i).split(",")[1] + ".jpg")));
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray real = images(files.subList(0, count), 64, m);
      List<NDArray> rows = new ArrayList<>(List.of(real));
      SplittableRandom rnd = new SplittableRandom(1);
      for (AugmentOp op : AugmentOp.values()) {
        rows.add(AdaptiveAugment.apply(real, 1, List.of(op), rnd));
      }
      Files.write(out.resolve("ops.png"), SampleGrid.png(rows(rows), count));
      rows = new ArrayList<>(List.of(real));
      for (double p : new double[] {0.2, 0.5, 0.8, 1}) {
        rows.add(AdaptiveAugment.apply(real, p, AugmentPipe.BGC, rnd));
      }
      Files.write(out.resolve("bgc.png"), SampleGrid.png(rows(rows), count));
      for (int res : new int[] {32, 64, 128, 256}) {
        NDArray batch = images(files, res, m);
        SplittableRandom timed = new SplittableRandom(2);
        Timing.report("ada_bgc_forward_backward", res + "px", 16, 16, 2, 7, () -> {
          try (NDScope scope = new NDScope()) {
            NDArray x = batch.duplicate();
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              gc.backward(AdaptiveAugment.apply(x, 0.5, AugmentPipe.BGC, timed).sum());
            }
            x.getGradient().sum().getFloat();
          }
        });
      }
    }
  }

  /** The rows' images one after another, for a grid with a row each. */
  private static NDArray rows(List<NDArray> rows) {
    return NDArrays.concat(new NDList(rows));
  }

  /** [N, 3, res, res] in [−1, 1], the centre squares of the encoded images. */
  private static NDArray images(List<byte[]> encoded, int res, NDManager m) {
    GanImages g = GanImages.decode(encoded, res);
    int[] all = java.util.stream.IntStream.range(0, g.size()).toArray();
    return g.batch(all, m);
  }
}
