package io.dermsynth.jobs.cli;

import io.dermsynth.jobs.review.DirectionReviews;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.PhantomDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * `dermsynth demo`: the pipeline built so far on the embedded phantom dataset, in minutes on a laptop
 * CPU: make phantoms → ingest → summary → StyleGAN2 (tiny32) and a sample grid → baseline classifier →
 * inverter (e4e + HyperStyle) → every image inverted into `latents` → SeFa directions → class-balanced
 * synthetic images from the top directions (approved automatically, as the output says) → the paper's
 * experiment, baseline vs one augmented arm, with its report.
 */
public final class DemoJob {

  /** The phantoms the demo made and how the pipeline went. */
  public record Result(String runId, PhantomDataset.Summary phantoms, PipelineJob.Result pipeline)
      implements JobResult {
    @Override
    public String summary() {
      return pipeline.summary();
    }

    @Override
    public String reportPath() {
      return pipeline.reportPath();
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("phantom_images", String.valueOf(phantoms.imagesPerClass().values().stream()
          .mapToInt(Integer::intValue).sum()));
      m.putAll(pipeline.metrics());
      return m;
    }
  }

  private DemoJob() {}

  /**
   * The directions the demo used without a reviewer, written to direction_reviews as what they were:
   * approved by the demo, not by a person (the note says so). The review page and the notebooks then show
   * the demo's warehouse as a reviewed one, and a later `augment` on it uses the same directions.
   */
  private static void recordAutomaticApprovals(JobContext ctx, String runId, PrintWriter out) {
    var augment = io.dermsynth.jobs.augment.AugmentSettings.of(ctx.settings());
    java.util.List<Double> alphas = augment.alphas();
    double min = alphas.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    double max = alphas.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    var used = ctx.tables().read(Tables.SYNTHETIC).where("direction_source = 'all_top_k'").select("direction_id")
        .distinct()
        .join(ctx.tables().read(Tables.DIRECTIONS), "direction_id").select("direction_id", "rank", "generator_version")
        .orderBy("rank").collectAsList();
    for (org.apache.spark.sql.Row d : used) {
      DirectionReviews.append(ctx, new DirectionReviews.Review(d.getString(0), "approved", "demo rank " + d.getInt(1),
          min, max, "approved automatically by dermsynth demo (augment.directions = all_top_k); no person reviewed it",
          "dermsynth demo", java.time.Instant.now(), d.getString(2), runId,
          augment.alphaUnit()));
    }
    out.printf("The %d directions the demo used are recorded in direction_reviews as approved by 'dermsynth demo'"
        + " (no person reviewed them).%n", used.size());
  }

  /** @param ctx settings loaded with {@link io.dermsynth.jobs.settings.Settings#DEMO_LAYER} */
  public static Result run(JobContext ctx, PrintWriter out) throws Exception {
    var demo = ctx.settings().config().getConfig("demo");
    return Runs.record(ctx, "demo", runId -> {
      Path data = Path.of(demo.getString("work_dir")).toAbsolutePath().resolve("phantoms");
      var phantomCfg = ctx.settings().config().getConfig("phantoms");
      out.printf("[1/10] make-phantoms: %d images (HAM10000 layout) → %s%n", demo.getInt("n"), data);
      out.flush();
      var phantoms = PhantomDataset.write(data, new PhantomDataset.Options(demo.getInt("n"),
          phantomCfg.getInt("width"), phantomCfg.getInt("height"), phantomCfg.getLong("seed")));
      String grid = Path.of(demo.getString("work_dir")).toAbsolutePath().resolve("samples.png").toString();
      PipelineJob.Result pipeline = PipelineJob.chain(ctx, runId, data, DatasetFormat.HAM10000, grid, 2, out, false);
      recordAutomaticApprovals(ctx, runId, out);
      return new Result(runId, phantoms, pipeline);
    });
  }
}
