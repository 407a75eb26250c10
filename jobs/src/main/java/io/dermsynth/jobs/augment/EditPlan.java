package io.dermsynth.jobs.augment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import io.dermsynth.core.classify.SyntheticAllocation;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.jobs.runtime.JobContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * augment's plan: which edits (source latent × direction × alpha) to render, each with its synth_id and
 * render batch. Keys only: a latent's HyperStyle offsets run to megabytes, so heavy columns are
 * joined in per chunk ({@link EditChunks}), for the rows of that chunk alone, after the plan is cut.
 */
public final class EditPlan {

  private EditPlan() {}

  /** The plan for these sources and directions under the augment settings {@code c}. */
  static Dataset<Row> of(JobContext ctx, AugmentSettings c, Dataset<Row> sourceKeys, Dataset<Row> directions,
      String inverterVersion) {
    EditRenderer.Render render = c.render();
    Dataset<Row> alphas = ctx.spark().createDataFrame(c.alphas().stream()
        .map(a -> org.apache.spark.sql.RowFactory.create(a)).toList(),
        new org.apache.spark.sql.types.StructType().add("alpha", "double"));
    // An approved direction is used only at the alphas of its reviewed range.
    // α = 0 is the same image along every direction: one row per source, with its first direction.
    int firstRank = directions.agg(org.apache.spark.sql.functions.min("rank")).first().getInt(0);
    Dataset<Row> plan = sourceKeys.crossJoin(directions.select("direction_id", "rank", "alpha_min", "alpha_max"))
        .crossJoin(alphas)
        .where(col("alpha_min").isNull().or(col("alpha").between(col("alpha_min"), col("alpha_max"))))
        .where(col("alpha").notEqual(0).or(col("rank").equalTo(firstRank)))
        .drop("alpha_min", "alpha_max", "rank")
        .withColumn("synth_id", concat(lit("syn-"), substring(sha2(idParts(render, inverterVersion), 256), 1, 24)));
    plan = target(ctx, plan, c.target(), SyntheticAllocation.Policy.parse(c.balance()), c.cap());
    // Render batches fixed by the plan alone (consecutive synth_ids within a source image, images in
    // order), so that an image is rendered in the same batch by every run: libtorch's output depends on
    // the batch, and a resumed or retried run must write the same bytes. A source's edits sit together,
    // so a batch renders that source's α = 0 image once for all of them (DirectionEditor), not once per
    // edit. Chunks and partitions take whole batches. The plan is keys only, so the one-partition window
    // that numbers it is cheap.
    return plan.withColumn("render_batch", floor(row_number().over(Window.orderBy("image_id", "synth_id"))
        .minus(1).divide(c.batchSize())));
  }

  /**
   * What synth_id hashes. The generator render's ids are those of the runs before renders had a choice,
   * so reruns stay idempotent; other renders add their name. A source inverted by another method than
   * HyperStyle (the default) adds the method, so a source refined by optimisation after a run is rendered
   * anew (null parts are skipped by concat_ws: HyperStyle sources keep the ids they had).
   */
  private static Column idParts(EditRenderer.Render render, String inverterVersion) {
    Column method = when(col("inversion_method").notEqual("hyperstyle"), col("inversion_method"));
    return render == EditRenderer.Render.GENERATOR
        ? concat_ws("|", col("image_id"), lit(inverterVersion), col("direction_id"), col("alpha").cast("string"),
            method)
        : concat_ws("|", col("image_id"), lit(inverterVersion), col("direction_id"), col("alpha").cast("string"),
            lit(render.id()), method);
  }

  /**
   * Keeps {@code target} of the planned rows (all when 0), spread over classes by {@code policy} with
   * the classes' train latents as their sizes (capped: synthetic at most {@code cap} of a class's draws).
   * Within a class, the rows with the smallest synth_id are kept, so the choice is deterministic and a
   * resumed run plans the same rows.
   */
  static Dataset<Row> target(JobContext ctx, Dataset<Row> plan, int target, SyntheticAllocation.Policy policy,
      double cap) {
    if (target <= 0) {
      return plan;
    }
    Map<String, Long> available = new TreeMap<>();
    Map<String, Long> sourcesPerClass = new TreeMap<>();
    plan.groupBy("dx").agg(org.apache.spark.sql.functions.count("*"),
        org.apache.spark.sql.functions.countDistinct("image_id")).collectAsList().forEach(r -> {
          available.put(r.getString(0), r.getLong(1));
          sourcesPerClass.put(r.getString(0), r.getLong(2));
        });
    return keepQuotas(ctx, plan, SyntheticAllocation.quotas(policy, sourcesPerClass, available, target, cap, 1));
  }

  /** The first {@code quota.get(dx)} rows of each class in synth_id order. */
  public static Dataset<Row> keepQuotas(JobContext ctx, Dataset<Row> rows, Map<String, Long> quota) {
    List<Row> q = new ArrayList<>();
    quota.forEach((dx, n) -> q.add(org.apache.spark.sql.RowFactory.create(dx, n)));
    Dataset<Row> quotas = ctx.spark().createDataFrame(q, new org.apache.spark.sql.types.StructType()
        .add("quota_dx", "string").add("quota", "long"));
    return rows.withColumn("class_rank", row_number().over(Window.partitionBy("dx").orderBy("synth_id")))
        .join(quotas, col("dx").equalTo(col("quota_dx")))
        .where(col("class_rank").leq(col("quota"))).drop("class_rank", "quota_dx", "quota");
  }
}
