package io.dermsynth.jobs.review;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.Main;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.cli.TestCommandLine.Outcome;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestReviewDecide {

  @TempDir Path tmp;

  @Test
  void recordsTheRowThePageWritesAndRefusesWhatThePageRefuses() throws Exception {
    Path wh = tmp.resolve("wh");
    JobContext ctx = SparkTest.context(wh);
    ctx.tables().insertNew(Tables.DIRECTIONS, ctx.spark().sql("SELECT 'd-1' AS direction_id, 'g-abc' AS "
        + "generator_version, 0 AS rank, 3.5D AS eigenvalue, 0.8D AS w_std, array(CAST(1 AS FLOAT)) AS vector, "
        + "array('b4.conv1') AS layers, array(0) AS w_indices, 'all' AS layer_selection, '/m' AS model_path, "
        + "'r0' AS run_id, current_timestamp() AS created_at"), "direction_id");
    String w = "warehouse=" + wh;

    Outcome ok = cli("review-decide", "--set", w, "--direction", "d-1", "--approve", "--name", "lesion size",
        "--alpha-min", "-2", "--alpha-max", "2.5", "--note", "keeps the border", "--reviewer", "ana");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("approved d-1 'lesion size', α -2.0 … 2.5 w_std by ana"), ok.out());
    Row r = ctx.tables().read(Tables.DIRECTION_REVIEWS).first();
    // What the page's form with the same fields makes, through the same DirectionReviews.record.
    ReviewForm form = ReviewForm.parse(ReviewDecision.fields("approved", "lesion size", "-2", "2.5",
        "keeps the border", "ana"));
    assertEquals(List.of("d-1", form.decision(), form.name(), form.alphaMin(), form.alphaMax(), form.note(),
        form.reviewer(), "g-abc", "w_std"), List.of(r.getAs("direction_id"), r.getAs("decision"), r.getAs("name"),
        r.getAs("alpha_min"), r.getAs("alpha_max"), r.getAs("note"), r.getAs("reviewer"), r.getAs("generator_version"),
        r.getAs("alpha_unit")));
    assertTrue(ok.out().startsWith("run " + r.getAs("run_id") + ": "), ok.out());

    // The page's refusals, word for word; nothing written.
    for (Map.Entry<String[], String> refusal : Map.of(
        new String[] {"--approve", "--alpha-min", "-1", "--alpha-max", "1", "--reviewer", "ana"},
        "an approved direction needs a name",
        new String[] {"--approve", "--name", "x", "--alpha-min", "3", "--alpha-max", "2", "--reviewer", "ana"},
        "alpha_min (3.0) must be below alpha_max (2.0)",
        new String[] {"--approve", "--name", "x", "--alpha-min", "-1", "--alpha-max", "1e9", "--reviewer", "ana"},
        "alpha_max = 1e9 must be a finite number in [-100, 100]").entrySet()) {
      String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("review-decide", "--set", w,
          "--direction", "d-1"), java.util.stream.Stream.of(refusal.getKey())).toArray(String[]::new);
      Outcome no = cli(args);
      assertEquals(Main.EXIT_USAGE, no.code(), no.out());
      assertTrue(no.err().contains(refusal.getValue()), no.err());
    }
    Outcome unknown = cli("review-decide", "--set", w, "--direction", "d-9", "--reject", "--reviewer", "ana");
    assertEquals(Main.EXIT_USAGE, unknown.code());
    assertTrue(unknown.err().contains("no direction 'd-9'"), unknown.err());
    assertEquals(1, ctx.tables().read(Tables.DIRECTION_REVIEWS).count(), "refused decisions wrote nothing");

    Outcome reject = cli("review-decide", "--set", w, "--direction", "d-1", "--reject", "--reviewer", "ben");
    assertEquals(0, reject.code(), reject.err());
    Row latest = DirectionReviews.latest(ctx).first();
    assertEquals(List.of("d-1", "rejected"), List.of(latest.getString(0), latest.getString(1)));
    assertEquals(0, DirectionReviews.currentlyApproved(ctx).count(), "the latest decision is in force");
  }
}
