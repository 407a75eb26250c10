package io.dermsynth.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.typesafe.config.ConfigFactory;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.gan.BestSnapshot;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.jobs.settings.Settings;
import java.awt.BasicStroke;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * What a pipeline cost, from the warehouse's {@code runs} table and the GAN run's metrics.jsonl. Two modes:
 * <ul>
 *   <li>{@code stages WAREHOUSE}: the newest {@code pipeline} run, stage by stage (the runs that started and
 *       ended inside it and inside no other of them: the experiment's classifier runs count as the
 *       experiment): wall seconds, CPU seconds and hours ({@code cpu_seconds}, this JVM's CPU; the whole
 *       run's in local mode), each stage's share of the pipeline's CPU, and what lies between the stages
 *       (Spark's start-up, the sample grid, the table summaries). Then train-gan up to the snapshot the
 *       later stages used ({@code gan.snapshot}: newest or best), from its ticks.</li>
 *   <li>{@code kid OUT.png LABEL=RUN_DIR[@THREADS]...}: KID against CPU-hours for GAN runs (their
 *       metrics.jsonl), one line each, log scale; a tick's CPU is its {@code cpuSeconds} where train-gan
 *       recorded it, else its wall time × THREADS (runs from before cpuSeconds).</li>
 * </ul>
 */
public final class PipelineCost {

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "stages" -> stages(args[1]);
      case "kid" -> kid(Path.of(args[1]), List.of(args).subList(2, args.length));
      default -> throw new IllegalArgumentException("mode must be stages or kid; got " + args[0]);
    }
  }

  /** One ended run: its command, interval and CPU; a failed run has no metrics, only its error. */
  record Run(String command, long start, long end, double cpuSeconds, Map<String, String> metrics, String config,
      String error) {
    double wallSeconds() {
      return (end - start) / 1e3;
    }

    boolean inside(Run other) {
      return other != this && start >= other.start && end <= other.end;
    }
  }

  static void stages(String warehouse) throws Exception {
    JobContext ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", warehouse, "spark.master", "local[1]")));
    List<Run> runs = new ArrayList<>();
    for (Row r : ctx.tables().read(Tables.RUNS).collectAsList()) {
      // NaN for rows from before cpu_seconds (the column then does not exist) or where the JVM could not say
      boolean has = List.of(r.schema().fieldNames()).contains("cpu_seconds");
      double cpu = !has || r.isNullAt(r.fieldIndex("cpu_seconds")) ? Double.NaN : r.<Double>getAs("cpu_seconds");
      runs.add(new Run(r.getAs("command"), ((Timestamp) r.getAs("started_at")).getTime(),
          ((Timestamp) r.getAs("finished_at")).getTime(), cpu,
          r.isNullAt(r.fieldIndex("metrics")) ? Map.of() : r.getJavaMap(r.fieldIndex("metrics")),
          r.getAs("config"), r.getAs("error")));
    }
    Run pipeline = runs.stream().filter(r -> r.command().equals("pipeline"))
        .max(java.util.Comparator.comparingLong(Run::end))
        .orElseThrow(() -> new IllegalStateException("no ended pipeline run in " + warehouse));
    List<Run> stages = runs.stream().filter(r -> r.inside(pipeline))
        .filter(r -> runs.stream().filter(o -> o != pipeline).noneMatch(r::inside))
        .sorted(java.util.Comparator.comparingLong(Run::start)).toList();
    System.out.printf(Locale.ROOT, "# pipeline %s: %s%n", iso(pipeline.start()), pipeline.error() != null
        ? pipeline.error() : pipeline.metrics().getOrDefault("stopped", "ran to the experiment"));
    System.out.println("| stage | wall | CPU | CPU-hours | share of the CPU |");
    System.out.println("|---|---|---|---|---|");
    double wall = 0;
    double cpu = 0;
    for (Run s : stages) {
      row(s.command(), s.wallSeconds(), s.cpuSeconds(), pipeline.cpuSeconds());
      wall += s.wallSeconds();
      cpu += s.cpuSeconds();
    }
    row("between stages (start-up, grid, summaries)", pipeline.wallSeconds() - wall, pipeline.cpuSeconds() - cpu,
        pipeline.cpuSeconds());
    row("**pipeline**", pipeline.wallSeconds(), pipeline.cpuSeconds(), pipeline.cpuSeconds());
    stages.stream().filter(s -> s.command().equals("train-gan")).reduce((a, b) -> b)
        .ifPresent(gan -> toChosenSnapshot(ctx, gan));
  }

  private static String iso(long ms) {
    return java.time.Instant.ofEpochMilli(ms).toString();
  }

  private static void row(String stage, double wall, double cpu, double total) {
    System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f | %.1f%% |%n", stage, duration(wall), duration(cpu),
        cpu / 3600, 100 * cpu / total);
  }

  private static String duration(double s) {
    return s < 120 ? String.format(Locale.ROOT, "%.1f s", s)
        : s < 7200 ? String.format(Locale.ROOT, "%.1f min", s / 60) : String.format(Locale.ROOT, "%.2f h", s / 3600);
  }

  /** train-gan's ticks up to the snapshot the later stages loaded (gan.snapshot = newest or best). */
  private static void toChosenSnapshot(JobContext ctx, Run gan) {
    try {
      String dir = gan.metrics().get("model_path");
      CheckpointStore store = ModelStore.store(ctx.spark(), dir);
      String pick = ConfigFactory.parseString(gan.config()).getString("gan.snapshot");
      List<JsonObject> ticks = ticks(store);
      String chosen = pick.equals("best") ? BestSnapshot.read(store).map(BestSnapshot::snapshot).orElse(null) : null;
      double wall = 0;
      double cpu = 0;
      double kimg = 0;
      for (JsonObject t : ticks) {
        wall += t.get("secPerKimg").getAsDouble() * (t.get("kimg").getAsDouble() - kimg);
        cpu += t.has("cpuSeconds") ? t.get("cpuSeconds").getAsDouble() : Double.NaN;
        kimg = t.get("kimg").getAsDouble();
        String snapshot = t.has("snapshot") ? t.get("snapshot").getAsString() : null;
        if (chosen != null && chosen.equals(snapshot)) {
          break;
        }
      }
      System.out.printf(Locale.ROOT, "%ntrain-gan to the chosen snapshot (gan.snapshot = %s): %.2f kimg, %s of "
          + "training (%.3f CPU-hours by its ticks) of the run's %s wall%n", pick, kimg, duration(wall), cpu / 3600,
          duration(gan.wallSeconds()));
    } catch (Exception e) {
      System.out.println("train-gan to the chosen snapshot: not readable (" + e.getMessage() + ")");
    }
  }

  private static List<JsonObject> ticks(CheckpointStore store) throws java.io.IOException {
    String text = new String(store.readRequired("metrics.jsonl"), StandardCharsets.UTF_8);
    return text.lines().filter(l -> !l.isBlank()).map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
  }

  static void kid(Path out, List<String> runs) throws Exception {
    XYSeriesCollection lines = new XYSeriesCollection();
    for (String spec : runs) {
      String label = spec.substring(0, spec.indexOf('='));
      String path = spec.substring(spec.indexOf('=') + 1);
      int threads = 1;
      if (path.contains("@")) {
        threads = Integer.parseInt(path.substring(path.lastIndexOf('@') + 1));
        path = path.substring(0, path.lastIndexOf('@'));
      }
      XYSeries s = new XYSeries(label);
      double cpu = 0;
      double kimg = 0;
      for (JsonObject t : ticks(CheckpointStore.directory(Path.of(path)))) {
        double k = t.get("kimg").getAsDouble();
        cpu += t.has("cpuSeconds") ? t.get("cpuSeconds").getAsDouble()
            : t.get("secPerKimg").getAsDouble() * (k - kimg) * threads;
        kimg = k;
        double kidValue = t.has("kid") && !t.get("kid").isJsonNull() ? t.get("kid").getAsDouble() : Double.NaN;
        if (Double.isFinite(kidValue) && kidValue > 0) {
          s.add(cpu / 3600, kidValue);
          System.out.printf(Locale.ROOT, "%s kimg=%.2f cpu_hours=%.3f kid=%.5f%n", label, kimg, cpu / 3600, kidValue);
        }
      }
      lines.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart("GAN quality per CPU-hour (KID, lower is better)", "CPU-hours",
        "KID", lines, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setRangeAxis(new LogarithmicAxis("KID (log scale)"));
    plot.setBackgroundPaint(java.awt.Color.WHITE);
    plot.setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(java.awt.Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);  // a one-tick run still shows
    for (int i = 0; i < lines.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    BufferedImage img = chart.createBufferedImage(900, 500);
    Files.createDirectories(out.toAbsolutePath().getParent());
    ImageIO.write(img, "png", out.toFile());
  }
}
