package io.dermsynth.jobs.gan;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.gan.BestSnapshot;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A GAN run's curves from its metrics.jsonl: losses (G, D, R1, path length where it ran), ADA (p, r_t) and, where measured, quality
 * (FID, KID, diversity) against kimg, one PNG. train-gan rewrites {@code curves.png} every tick;
 * {@link #main} draws it for any run folder.
 */
public final class GanCurves {

  private GanCurves() {}

  /**
   * @param metricsJsonl the lines of metrics.jsonl
   * @param features the quality probe's feature network ("classifier", "inception-fid", ...), for the title
   */
  public static byte[] png(List<String> metricsJsonl, String features) throws IOException {
    XYSeries g = new XYSeries("G loss");
    XYSeries d = new XYSeries("D loss");
    XYSeries r1 = new XYSeries("R1 penalty");
    XYSeries pl = new XYSeries("path-length penalty");
    XYSeries p = new XYSeries("augment p");
    XYSeries rt = new XYSeries("r_t");
    XYSeries fid = new XYSeries("FID");
    XYSeries kid = new XYSeries("KID");
    XYSeries diversity = new XYSeries("diversity (mean LPIPS between fakes)");
    for (String line : metricsJsonl) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      double kimg = o.get("kimg").getAsDouble();
      add(g, kimg, o, "lossG");
      add(d, kimg, o, "lossD");
      add(r1, kimg, o, "r1");
      add(pl, kimg, o, "pl");
      add(p, kimg, o, "augmentP");
      add(rt, kimg, o, "rt");
      add(fid, kimg, o, "fid");
      add(kid, kimg, o, "kid");
      add(diversity, kimg, o, "diversity");
    }
    // Quality panels only for runs that measured it (a feature network was at hand).
    boolean quality = fid.getItemCount() > 0;
    BufferedImage img = new BufferedImage(900, quality ? 1220 : 700, BufferedImage.TYPE_INT_RGB);
    Graphics2D gfx = img.createGraphics();
    XYSeries[] losses = pl.getItemCount() > 0 ? new XYSeries[] {g, d, r1, pl} : new XYSeries[] {g, d, r1};
    chart("losses", "loss", losses).draw(gfx, new java.awt.geom.Rectangle2D.Double(0, 0, 900, 380));
    chart("adaptive augmentation", "value", p, rt).draw(gfx, new java.awt.geom.Rectangle2D.Double(0, 380, 900, 320));
    if (quality) {
      chart("generator quality against the val split (" + features + " features)", "FID", fid)
          .draw(gfx, new java.awt.geom.Rectangle2D.Double(0, 700, 900, 260));
      chart("KID and sample diversity", "value", kid, diversity)
          .draw(gfx, new java.awt.geom.Rectangle2D.Double(0, 960, 900, 260));
    }
    gfx.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  private static void add(XYSeries s, double kimg, JsonObject o, String key) {
    if (o.has(key) && !o.get(key).isJsonNull()) {
      double v = o.get(key).getAsDouble();
      if (Double.isFinite(v)) {
        s.add(kimg, v);
      }
    }
  }

  private static JFreeChart chart(String title, String yLabel, XYSeries... series) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (XYSeries s : series) {
      data.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "kimg", yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
    for (int k = 0; k < series.length; k++) {
      r.setSeriesStroke(k, new BasicStroke(2f));
    }
    plot.setRenderer(r);
    plot.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Args: RUN_DIR [OUT.png]: draws RUN_DIR/metrics.jsonl to OUT.png (default RUN_DIR/curves.png). */
  public static void main(String[] args) throws IOException {
    Path run = Path.of(args[0]);
    Path out = args.length > 1 ? Path.of(args[1]) : run.resolve("curves.png");
    String features = BestSnapshot.read(CheckpointStore.directory(run))
        .map(BestSnapshot::featuresOrClassifier).orElse("classifier");
    Files.write(out, png(Files.readAllLines(run.resolve("metrics.jsonl")), features));
  }
}
