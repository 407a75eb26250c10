package io.dermsynth.jobs;

import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.PhantomDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * `dermsynth demo`: the pipeline built so far on the embedded phantom dataset, in minutes on a laptop
 * CPU: make phantoms → ingest → per-class/per-split summary. Later stages join this chain as they land.
 */
public final class DemoJob {

  /** The demo's figures and the summary it printed. */
  public record Result(String runId, PhantomDataset.Summary phantoms, IngestJob.Result ingest,
      String summary) implements JobResult {
    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("phantom_images", String.valueOf(phantoms.imagesPerClass().values().stream()
          .mapToInt(Integer::intValue).sum()));
      m.put("ingest_run_id", ingest.runId());
      m.put("images_added", String.valueOf(ingest.imagesAdded()));
      return m;
    }
  }

  private DemoJob() {}

  public static Result run(JobContext base, PrintWriter out) throws Exception {
    var demo = base.settings().config().getConfig("demo");
    JobContext ctx = new JobContext(base.settings().with("ingest.size",
        String.valueOf(demo.getInt("size"))), base.spark(), base.tables());
    return Runs.record(ctx, "demo", runId -> {
      Path data = Path.of(demo.getString("work_dir")).toAbsolutePath().resolve("phantoms");
      var phantomCfg = ctx.settings().config().getConfig("phantoms");
      out.printf("[1/2] make-phantoms: %d images (HAM10000 layout) → %s%n", demo.getInt("n"), data);
      out.flush();
      var phantoms = PhantomDataset.write(data, new PhantomDataset.Options(demo.getInt("n"),
          phantomCfg.getInt("width"), phantomCfg.getInt("height"), phantomCfg.getLong("seed")));
      out.printf("[2/2] ingest → %s (working size %d px)%n", ctx.tables().warehouse(),
          demo.getInt("size"));
      out.flush();
      IngestJob.Result ingest = IngestJob.run(ctx, data, DatasetFormat.HAM10000);
      out.printf("      %d images added, %d quarantine rows added, %d already stored, %.1f s%n",
          ingest.imagesAdded(), ingest.quarantineAdded(), ingest.alreadyStored(), ingest.seconds());
      String summary = ClassSummary.render(ctx.tables());
      out.println();
      out.print(summary);
      out.println();
      out.println("Explore: bin/dermsynth sql \"SELECT dx, split, count(*) FROM images GROUP BY dx, split\"");
      out.flush();
      return new Result(runId, phantoms, ingest, summary);
    });
  }
}
