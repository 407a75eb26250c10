package io.dermsynth.bench;

import static org.apache.spark.sql.functions.col;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.GanWeights;
import io.dermsynth.core.gan.SampleGrid;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.LatentCodec;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.udf.SqlFunctions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Augmentation on real images: {@code AugmentBench INVERTER WAREHOUSE OUT_DIR ALPHAS} writes, for two
 * train latents of different classes, a PNG with one row per direction (the top 8 of `directions` for
 * the inverter's generator) and columns real | edit at each alpha in units of the direction's w_std
 * (0 included: the inversion), and prints per direction the LPIPS distribution of the `synthetic` rows (mean, p10, p50,
 * p90), the share within the threshold and the share whose inherited dx is still the classifier's
 * arg-max, as Markdown table rows.
 */
public final class AugmentBench {

  public static void main(String[] args) throws Exception {
    io.dermsynth.core.Libtorch.load();  // this CPU's convolutions checked, as every job does
    Path inverterDir = Path.of(args[0]);
    JobContext ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", args[1], "spark.master", "local[1]")));
    Path out = Path.of(args[2]);
    float[] alphas = toFloats(args[3].split(","));
    try (Inverter inv = Inverter.load(CheckpointStore.directory(inverterDir), Device.cpu())) {
      String gv = GanWeights.contentVersion(inv.generator().namedParameters());
      List<Row> dirs = ctx.tables().read(Tables.DIRECTIONS).where(col("generator_version").equalTo(gv))
          .where(col("rank").lt(8)).orderBy("rank").select("direction_id", "vector", "w_indices", "eigenvalue", "w_std")
          .collectAsList();
      List<Row> sources = ctx.tables().read(Tables.LATENTS).where(col("inverter_version").equalTo(inv.version())
          .and(col("split").equalTo("train")).and(col("dx").isin("mel", "nv")))
          .join(ctx.tables().read(Tables.IMAGES).select(col("image_id").as("i"), col("png")),
              col("image_id").equalTo(col("i")))
          .orderBy("dx", "image_id").dropDuplicates("dx")
          .select("image_id", "dx", "w_plus", "offsets", "offset_layers", "png").collectAsList();
      int res = inv.generator().architecture().resolution();
      for (Row s : sources) {
        List<NDArray> rows = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
          NDArray real = new GanImages(res, List.of(GanImages.decodeOne(s.getAs("png"), res)))
              .batch(new int[] {0}, inv.manager());
          for (Row d : dirs) {
            List<EditRenderer.Edit> edits = new ArrayList<>();
            for (float a : alphas) {
              edits.add(new EditRenderer.Edit(LatentCodec.decode(s.getAs("w_plus")),
                  EditRenderer.offsets(inv, s.getAs("offsets"), s.isNullAt(4) ? null : s.getList(4)),
                  SqlFunctions.floats(d.getList(1)), SqlFunctions.ints(d.getList(2)), a * (float) d.getDouble(4)));
            }
            rows.add(real);
            rows.add(EditRenderer.render(inv, edits));
          }
          NDArray grid = NDArrays.concat(new NDList(rows), 0);
          Path png = out.resolve("directions-" + s.getString(1) + "-" + s.getString(0) + ".png");
          Files.write(png, SampleGrid.png(grid, alphas.length + 1));
          System.out.println("grid " + png + " rows=directions 0-" + (dirs.size() - 1) + " cols=real," + args[3]);
        }
      }
      System.out.println("| rank | direction_id | eigenvalue | w_std | n | LPIPS mean | p10 | p50 | p90 "
          + "| lpips ≤ 0.2 | dx kept |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
      for (int r = 0; r < dirs.size(); r++) {
        Row d = dirs.get(r);
        Row st = ctx.tables().read(Tables.SYNTHETIC).where(col("direction_id").equalTo(d.getString(0)))
            .selectExpr("count(*)", "avg(lpips)", "percentile(lpips, array(0.1, 0.5, 0.9))",
                "avg(CAST(lpips_ok AS INT))", "avg(CAST(label_kept AS INT))").first();
        List<Double> p = st.isNullAt(2) ? List.of(Double.NaN, Double.NaN, Double.NaN) : st.getList(2);
        System.out.printf(Locale.ROOT, "| %d | %s | %.3f | %.3f | %d | %.4f | %.4f | %.4f | %.4f | %.3f | %.3f |%n",
            r, d.getString(0), d.getDouble(3), d.getDouble(4), st.getLong(0), orNaN(st, 1), p.get(0), p.get(1),
            p.get(2), orNaN(st, 3), orNaN(st, 4));
      }
    }
  }

  private static double orNaN(Row r, int i) {
    return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
  }

  private static float[] toFloats(String[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.parseFloat(v[i]);
    }
    return out;
  }
}
