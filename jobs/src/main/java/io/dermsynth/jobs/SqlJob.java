package io.dermsynth.jobs;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** `dermsynth sql "QUERY"`: the project's tables as views of their names, one query, its rows. */
public final class SqlJob {

  private SqlJob() {}

  public static Dataset<Row> run(JobContext ctx, String query) {
    ctx.tables().registerViews();
    return ctx.spark().sql(query);
  }
}
