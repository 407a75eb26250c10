package io.dermsynth.jobs.experiment;

import io.dermsynth.core.experiment.ExperimentArm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.runtime.JobContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An arm's synthetic images: the label gate, the render, edits vs α = 0 renders (recon), the LPIPS
 * limits and the allocation, on a pool written row by row so every expected count is known.
 */
class TestSelectSyntheticPool {

  @TempDir Path tmp;

  static final StructType POOL = new StructType().add("synth_id", "string").add("image_id", "string")
      .add("lesion_id", "string").add("dx", "string").add("direction_id", "string").add("alpha", "double")
      .add("render", "string").add("lpips", "double").add("lpips_recon", "double").add("label_kept", "boolean")
      .add("label_probability", "double").add("png", "binary").add("inversion_method", "string");

  /**
   * Per class (nv, mel) and render: 10 edits and 10 α = 0 rows; of the edits, rows 0–3 keep their label
   * with p 0.9, rows 4–5 keep it with p 0.4, rows 6–9 lose it; row 9 also has LPIPS 0.5 and row 8 an
   * LPIPS to its reconstruction of 0.3.
   */
  static Dataset<Row> pool(JobContext ctx) {
    List<Row> rows = new ArrayList<>();
    for (String dx : List.of("nv", "mel")) {
      for (String render : List.of("generator", "residual")) {
        for (int i = 0; i < 10; i++) {
          boolean kept = i < 6;
          double p = i < 4 ? 0.9 : i < 6 ? 0.4 : 0.2;
          rows.add(RowFactory.create(String.format("syn-%s-%s-e%02d", dx, render, i), dx + i, "l-" + dx + i, dx,
              "d0", 3.0, render, i == 9 ? 0.5 : 0.1, i == 8 ? 0.3 : 0.05, kept, p, new byte[] {1}, null));
          rows.add(RowFactory.create(String.format("syn-%s-%s-r%02d", dx, render, i), dx + i, "l-" + dx + i, dx,
              "d0", 0.0, render, 0.05, 0.0, true, 0.95, new byte[] {2}, null));
        }
      }
    }
    return ctx.spark().createDataFrame(rows, POOL);
  }

  static Map<String, Long> byClass(Dataset<Row> chosen) {
    Map<String, Long> m = new TreeMap<>();
    chosen.groupBy("dx").count().collectAsList().forEach(r -> m.put(r.getString(0), r.getLong(1)));
    return m;
  }

  @Test
  void theGateRenderReconAndAllocationPickTheRowsTheySay() {
    JobContext ctx = SparkTest.context(tmp.resolve("wh"), Map.of("experiment.allow_fewer", "true"));
    ExperimentSettings c = ExperimentSettings.of(ctx.settings());
    Dataset<Row> pool = pool(ctx);
    ExperimentArm.Policy defaults = new ExperimentArm.Policy(
        io.dermsynth.core.factor.EditRenderer.Render.RESIDUAL, true,
        io.dermsynth.core.classify.SyntheticAllocation.Policy.PROPORTIONAL);
    Map<String, Long> real = Map.of("mel", 10L, "nv", 40L);
    List<ExperimentArm> arms = ExperimentArm.expand(List.of("baseline", "sa100", "sa100:ungated", "recon100",
        "sa100:generator:ungated:inverse_frequency"), 0, 0.2, List.of(), defaults, List::of);

    // Gated residual edits: label kept with p ≥ 0.5 (rows 0–3), LPIPS and LPIPS-to-recon within 0.2:
    // 4 per class. Proportional to 40 nv : 10 mel real images, limited by nv's 4 (a tenth) → 4 nv, 1 mel.
    Dataset<Row> gated = ExperimentJob.select(ctx, pool, arms.get(1), real, c);
    assertEquals(Map.of("mel", 1L, "nv", 4L), byClass(gated));
    assertEquals(0, gated.where("alpha = 0 OR NOT synth_id LIKE '%-residual-e0%'").count(), "edits 0–3 only");
    assertEquals(0, gated.where("synth_id RLIKE 'e0[4-9]'").count());

    // Ungated: rows 0–7 pass the LPIPS limits (8 has LPIPS-to-recon 0.3, 9 LPIPS 0.5): 8 per class → 8 mel
    // and 32 nv wanted, nv has 8: the common share falls to 8/40 → 8 nv, 2 mel.
    Dataset<Row> ungated = ExperimentJob.select(ctx, pool, arms.get(2), real, c);
    assertEquals(Map.of("mel", 2L, "nv", 8L), byClass(ungated));

    // recon: α = 0 residual renders only, 10 per class → limited by nv: 10/40 → 10 nv, 2 mel (2.5 → 2).
    Dataset<Row> recon = ExperimentJob.select(ctx, pool, arms.get(3), real, c);
    assertEquals(Map.of("mel", 2L, "nv", 10L), byClass(recon));
    assertEquals(0, recon.where("alpha <> 0 OR NOT synth_id LIKE '%-residual-r%'").count());

    // The paper's protocol: generator renders, ungated, inverse frequency: all 8 of each class pass.
    ExperimentArm paper = arms.get(4);
    assertEquals("render=generator gate=none allocation=inverse_frequency sources=finest",
        paper.policy().describe());
    Dataset<Row> gen = ExperimentJob.select(ctx, pool, paper, real, c);
    assertEquals(Map.of("mel", 8L, "nv", 8L), byClass(gen));
    assertEquals(0, gen.where("NOT synth_id LIKE '%-generator-e%'").count());

    // Without allow_fewer a short arm is refused, naming what passed and what the allocation could use.
    ExperimentSettings strict = ExperimentSettings.of(SparkTest.context(tmp.resolve("wh")).settings());
    String msg = assertThrows(IllegalStateException.class,
        () -> ExperimentJob.select(ctx, pool, arms.get(1), real, strict)).getMessage();
    assertTrue(msg.contains("arm sa100 needs 100 synthetic images") && msg.contains("has 8 that pass")
        && msg.contains("can use 5"), msg);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ExperimentArm.expand(List.of("baseline",
        "sa10:residual:blurry"), 0, 0.2, List.of(), defaults, List::of)).getMessage().contains("policy word 'blurry'"));
  }

  /**
   * Sources nv0–nv2 refined by optimisation: their residual edits again, as optimised rows; nv0's and nv1's
   * keep their label, nv2's all lose it. `finest` draws each source from its finest inversion only, so
   * nv2 is not drawn from its older HyperStyle renders; a method word keeps that method's rows.
   */
  @Test
  void sourcesTakeEachImagesFinestInversionOrOneMethod() {
    JobContext ctx = SparkTest.context(tmp.resolve("wh"), Map.of("experiment.allow_fewer", "true"));
    ExperimentSettings c = ExperimentSettings.of(ctx.settings());
    List<Row> refined = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      refined.add(RowFactory.create("syn-nv-residual-o0" + i, "nv" + i, "l-nv" + i, "nv", "d0", 3.0, "residual", 0.1,
          0.05, i < 2, i < 2 ? 0.9 : 0.2, new byte[] {3}, "optimised"));
    }
    Dataset<Row> pool = pool(ctx).union(ctx.spark().createDataFrame(refined, POOL));
    ExperimentArm.Policy defaults = new ExperimentArm.Policy(
        io.dermsynth.core.factor.EditRenderer.Render.RESIDUAL, true,
        io.dermsynth.core.classify.SyntheticAllocation.Policy.NONE);
    Map<String, Long> real = Map.of("mel", 10L, "nv", 10L);
    List<ExperimentArm> arms = ExperimentArm.expand(List.of("baseline", "sa100", "sa100:hyperstyle",
        "sa100:optimised", "recon100"), 0, 0.2, List.of(), defaults, List::of);
    assertEquals("finest", arms.get(1).policy().sources());

    // Gated residual edits of nv: rows 0–3 pass (unrefined nv3 from HyperStyle), refined nv0 and nv1 from
    // their optimised rows, nv2 from none.
    Dataset<Row> finest = ExperimentJob.select(ctx, pool, arms.get(1), real, c).where("dx = 'nv'");
    assertEquals(List.of("syn-nv-residual-e03", "syn-nv-residual-o00", "syn-nv-residual-o01"),
        finest.orderBy("synth_id").select("synth_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    assertEquals(4, ExperimentJob.select(ctx, pool, arms.get(2), real, c).where("dx = 'nv'").count(),
        "hyperstyle: rows without a recorded method, as before refinement");
    assertEquals(Map.of("nv", 2L), byClass(ExperimentJob.select(ctx, pool, arms.get(3), real, c)));
    // No source has optimised α = 0 renders: recon keeps every source's HyperStyle ones.
    assertEquals(Map.of("mel", 10L, "nv", 10L), byClass(ExperimentJob.select(ctx, pool, arms.get(4), real, c)));
  }
}
