package io.dermsynth.jobs.augment;

import static org.apache.spark.sql.functions.col;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Synthetic images may only derive from train-split lesions: an image edited from a validation or test
 * lesion would let the classifier see that lesion in training. The split of record is the one ingest
 * stored in `images`, so a stale or hand-edited `latents` or `synthetic` row cannot slip through.
 */
public final class LeakageGuard {

  private LeakageGuard() {}

  /**
   * Refuses (IllegalStateException naming up to 5 offenders) when any row's {@code lesion_id} belongs to
   * the val or test split of `images`.
   *
   * @param rows rows with {@code lesion_id} (and {@code image_id}, named in the message)
   * @param what what the rows are, for the message ("augment sources")
   */
  public static void requireTrainLesions(JobContext ctx, Dataset<Row> rows, String what) {
    Dataset<Row> heldOut = ctx.tables().read(Tables.IMAGES).where(col("split").isin("val", "test"))
        .select(col("lesion_id").as("held_out_lesion"), col("split").as("held_out_split")).distinct();
    Dataset<Row> leaks = rows.select("image_id", "lesion_id")
        .join(heldOut, col("lesion_id").equalTo(col("held_out_lesion")));
    List<Row> examples = leaks.limit(5).collectAsList();
    if (!examples.isEmpty()) {
      long n = leaks.count();
      StringBuilder s = new StringBuilder();
      examples.forEach(r -> s.append(s.isEmpty() ? "" : ", ").append(r.getString(0)).append(" (lesion ")
          .append(r.getString(1)).append(", ").append(r.getString(3)).append(')'));
      throw new IllegalStateException("leakage: " + n + " " + what + " come from lesions of the validation or "
          + "test split, e.g. " + s + "; synthetic images may only derive from train-split lesions");
    }
  }
}
