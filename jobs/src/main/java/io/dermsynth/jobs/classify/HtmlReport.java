package io.dermsynth.jobs.classify;

import io.dermsynth.jobs.runtime.ModelStore;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.MustacheFactory;
import io.dermsynth.core.metrics.Bootstrap;
import io.dermsynth.jobs.runtime.JobContext;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The reports' shared parts: Mustache templates under {@code io/dermsynth/report} (as the review page's),
 * and the cells both reports show — a figure with its 95% interval, a difference to the baseline, a
 * confusion matrix. Every figure carries a {@code data-metric} attribute with the value it shows, for
 * tests and scrapers. Text is escaped by the template engine.
 */
public final class HtmlReport {

  private static final MustacheFactory TEMPLATES = new DefaultMustacheFactory("io/dermsynth/report");

  /** A figure with its interval, four decimals ("–" for undefined). */
  public record Ci(String metric, String estimate, String lower, String upper) {
    public static Ci of(Bootstrap.Interval i, String metric) {
      return new Ci(metric, fmt(i.estimate()), fmt(i.lower()), fmt(i.upper()));
    }

    public static Ci of(Object estimate, Object lower, Object upper, String metric) {
      return new Ci(metric, fmt(estimate), fmt(lower), fmt(upper));
    }
  }

  /** A paired difference with its interval; {@code cls} says whether the whole interval is above or below 0. */
  public record Delta(String cls, String estimate, String lower, String upper) {}

  /** A difference cell: "–" where there is none (the baseline itself, or unpaired seeds). */
  public record DeltaCell(Delta delta) {
    public static DeltaCell of(Bootstrap.Interval d) {
      return new DeltaCell(d == null ? null : new Delta(d.lower() > 0 ? "up" : d.upper() < 0 ? "down" : "",
          signed(d.estimate()), signed(d.lower()), signed(d.upper())));
    }
  }

  /** A confusion matrix, rows the true class, each cell shaded by its share of the row. */
  public record Confusion(List<String> classes, List<ConfusionRow> rows) {
    public static Confusion of(long[][] cm, List<String> classes) {
      List<ConfusionRow> rows = new ArrayList<>();
      for (int t = 0; t < cm.length; t++) {
        long sum = java.util.Arrays.stream(cm[t]).sum();
        List<ConfusionCell> cells = new ArrayList<>();
        for (int p = 0; p < cm[t].length; p++) {
          cells.add(new ConfusionCell((int) Math.round(255 - 180 * (sum == 0 ? 0 : (double) cm[t][p] / sum)), t, p,
              cm[t][p]));
        }
        rows.add(new ConfusionRow(classes.get(t), cells));
      }
      return new Confusion(classes, rows);
    }
  }

  public record ConfusionRow(String name, List<ConfusionCell> cells) {}

  public record ConfusionCell(int shade, int row, int col, long count) {}

  private HtmlReport() {}

  /** Renders {@code template} (a name under io/dermsynth/report) with {@code scope} to {@code path}. */
  public static void write(JobContext ctx, String path, String template, Object scope) throws IOException {
    ModelStore.writeFile(ctx.spark(), path, render(template, scope).getBytes(StandardCharsets.UTF_8));
  }

  static String render(String template, Object scope) {
    StringWriter w = new StringWriter();
    TEMPLATES.compile(template).execute(w, scope);
    return w.toString();
  }

  /** A PNG for an {@code <img src="data:image/png;base64,…">}. */
  public static String base64(byte[] png) {
    return Base64.getEncoder().encodeToString(png);
  }

  /** Four decimals; "–" for null or NaN. */
  public static String fmt(Object v) {
    if (v == null) {
      return "–";
    }
    double d = ((Number) v).doubleValue();
    return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%.4f", d);
  }

  /** A difference: four decimals with its sign. */
  public static String signed(double v) {
    return String.format(Locale.ROOT, "%+.4f", v);
  }
}
