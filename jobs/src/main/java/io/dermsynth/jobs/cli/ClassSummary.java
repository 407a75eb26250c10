package io.dermsynth.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.dermsynth.jobs.runtime.Tables;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Images per diagnosis and split: the table the demo and `ingest` print. */
public final class ClassSummary {

  private static final List<String> SPLITS = List.of("train", "val", "test");

  private ClassSummary() {}

  public static Dataset<Row> of(Tables tables) {
    Dataset<Row> images = tables.read(Tables.IMAGES);
    Column[] aggs = new Column[SPLITS.size() + 2];
    for (int i = 0; i < SPLITS.size(); i++) {
      aggs[i] = sum(when(col("split").equalTo(SPLITS.get(i)), 1).otherwise(0)).as(SPLITS.get(i));
    }
    aggs[SPLITS.size()] = count(lit(1)).as("total");
    aggs[SPLITS.size() + 1] = org.apache.spark.sql.functions.countDistinct(col("lesion_id")).as("lesions");
    Dataset<Row> perClass = images.groupBy("dx").agg(aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length));
    Dataset<Row> all = images.agg(aggs[0], java.util.Arrays.copyOfRange(aggs, 1, aggs.length))
        .select(lit("all").as("dx"), col("*"));
    return perClass.orderBy("dx").unionByName(all);
  }

  /** The table as text, like Spark's show() but without truncation and with a title. */
  public static String render(Tables tables) {
    return "images per class and split (" + tables.where(Tables.IMAGES) + ")\n"
        + TextTable.render(of(tables), 100);
  }
}
