package io.dermsynth.jobs.cli;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.udf.SqlFunctions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * `dermsynth sql "QUERY"`: the project's tables as views of their names, and the SQL functions of
 * {@link SqlFunctions} once an inverter is trained; one query, its rows.
 */
public final class SqlJob {

  private SqlJob() {}

  public static Dataset<Row> run(JobContext ctx, String query) {
    ctx.tables().registerViews();
    if (ctx.tables().exists(Tables.RUNS) && ctx.tables().read(Tables.RUNS)
        .where("command = 'train-inverter' AND status = 'succeeded'").limit(1).count() > 0) {
      // dermsynth_edit / dermsynth_lpips, backed by the newest inverter.
      SqlFunctions.register(ctx.spark(), Runs.latestModelPath(ctx, "train-inverter"));
    }
    return ctx.spark().sql(query);
  }
}
