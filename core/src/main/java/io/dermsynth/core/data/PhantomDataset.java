package io.dermsynth.core.data;

import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * A synthetic dermatoscopic dataset in HAM10000 layout, for the demo and for tests that must run
 * without the real data: the seven classes at HAM10000's ratios, one to four images per lesion, and
 * lesions whose colour, border, size and texture depend on the class (so a classifier can learn them and
 * a GAN has structure to find). Deterministic for a seed.
 */
public final class PhantomDataset {

  public static final String METADATA_CSV = "HAM10000_metadata.csv";
  public static final String IMAGE_DIR = "images";
  private static final String[] SITES = {"back", "lower extremity", "trunk", "upper extremity",
      "abdomen", "face", "chest", "scalp", "neck"};
  private static final String[] DX_TYPES = {"histo", "follow_up", "consensus", "confocal"};

  /**
   * @param n number of images
   * @param width image width in pixels (HAM10000 here: 200)
   * @param height image height in pixels (HAM10000 here: 150)
   * @param seed seed of everything random
   */
  public record Options(int n, int width, int height, long seed) {
    public Options {
      if (n < Diagnosis.values().length * 2) {
        throw new IllegalArgumentException("phantom n must be ≥ " + Diagnosis.values().length * 2
            + " (two images per class), got " + n);
      }
      if (width < 32 || height < 32) {
        throw new IllegalArgumentException("phantom images must be ≥ 32×32, got " + width + "×" + height);
      }
    }
  }

  /** Per-class image counts actually written. */
  public record Summary(Path root, Map<Diagnosis, Integer> imagesPerClass, int lesions) {}

  private PhantomDataset() {}

  public static Summary write(Path root, Options opt) throws IOException {
    Files.createDirectories(root.resolve(IMAGE_DIR));
    SplittableRandom rnd = new SplittableRandom(opt.seed());
    Map<Diagnosis, Integer> target = targets(opt.n());
    Map<Diagnosis, Integer> written = new EnumMap<>(Diagnosis.class);
    ImageWriter jpeg = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = jpeg.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionQuality(0.92f);
    int lesionNo = 0;
    int imageNo = 0;
    try (BufferedWriter csv = Files.newBufferedWriter(root.resolve(METADATA_CSV), StandardCharsets.UTF_8)) {
      csv.write("lesion_id,image_id,dx,dx_type,age,sex,localization\n");
      for (Diagnosis dx : Diagnosis.values()) {
        int left = target.get(dx);
        while (left > 0) {
          int views = Math.min(left, viewsPerLesion(rnd));
          Lesion lesion = Lesion.random(dx, rnd);
          String lesionId = String.format(Locale.ROOT, "PHL_%07d", ++lesionNo);
          String meta = String.format(Locale.ROOT, "%s,%.1f,%s,%s", DX_TYPES[rnd.nextInt(DX_TYPES.length)],
              5.0 * (1 + rnd.nextInt(17)), rnd.nextBoolean() ? "male" : "female",
              SITES[rnd.nextInt(SITES.length)]);
          for (int v = 0; v < views; v++) {
            String imageId = String.format(Locale.ROOT, "PHI_%07d", ++imageNo);
            BufferedImage img = lesion.render(opt.width(), opt.height(), rnd.split());
            try (ImageOutputStream out = ImageIO.createImageOutputStream(
                root.resolve(IMAGE_DIR).resolve(imageId + ".jpg").toFile())) {
              jpeg.setOutput(out);
              jpeg.write(null, new IIOImage(img, null, null), param);
            }
            csv.write(lesionId + "," + imageId + "," + dx.code + "," + meta + "\n");
          }
          written.merge(dx, views, Integer::sum);
          left -= views;
        }
      }
    } finally {
      jpeg.dispose();
    }
    return new Summary(root, written, lesionNo);
  }

  /** Images per class ∝ HAM10000's counts, at least two each, summing to exactly n. */
  static Map<Diagnosis, Integer> targets(int n) {
    Map<Diagnosis, Integer> t = new EnumMap<>(Diagnosis.class);
    int sum = 0;
    for (Diagnosis d : Diagnosis.values()) {
      int c = Math.max(2, (int) Math.round((double) n * d.hamCount / Diagnosis.hamTotal()));
      t.put(d, c);
      sum += c;
    }
    // Rounding leftovers go to (or come from) the largest class, as in the real data's long tail.
    t.merge(Diagnosis.NV, n - sum, Integer::sum);
    return t;
  }

  /** HAM10000 has ~1.35 images per lesion: mostly one, some up to four. */
  private static int viewsPerLesion(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    return u < 0.75 ? 1 : u < 0.90 ? 2 : u < 0.97 ? 3 : 4;
  }

  /** The look of one lesion; each view renders it with a little pose and lighting jitter. */
  private record Lesion(Diagnosis dx, double radius, double aspect, double irregularity,
      double[] phases, int[] core, int[] accent, int[] skin) {

    static Lesion random(Diagnosis dx, SplittableRandom r) {
      double[] phases = {r.nextDouble(6.283), r.nextDouble(6.283), r.nextDouble(6.283)};
      int[] skin = {205 + r.nextInt(35), 160 + r.nextInt(35), 135 + r.nextInt(35)};
      return switch (dx) {
        case NV -> new Lesion(dx, 0.22 + r.nextDouble(0.08), 1.0 + r.nextDouble(0.15), 0.03,
            phases, jitter(new int[] {135, 85, 55}, r), new int[] {110, 70, 45}, skin);
        case MEL -> new Lesion(dx, 0.30 + r.nextDouble(0.10), 1.1 + r.nextDouble(0.35), 0.22,
            phases, jitter(new int[] {65, 40, 30}, r), new int[] {95, 105, 140}, skin);
        case BKL -> new Lesion(dx, 0.26 + r.nextDouble(0.10), 1.2 + r.nextDouble(0.3), 0.08,
            phases, jitter(new int[] {175, 135, 90}, r), new int[] {140, 100, 65}, skin);
        case BCC -> new Lesion(dx, 0.24 + r.nextDouble(0.08), 1.0 + r.nextDouble(0.2), 0.10,
            phases, jitter(new int[] {215, 150, 155}, r), new int[] {175, 30, 40}, skin);
        case AKIEC -> new Lesion(dx, 0.25 + r.nextDouble(0.08), 1.1 + r.nextDouble(0.3), 0.14,
            phases, jitter(new int[] {200, 105, 90}, r), new int[] {245, 235, 225}, skin);
        case DF -> new Lesion(dx, 0.18 + r.nextDouble(0.06), 1.0 + r.nextDouble(0.1), 0.04,
            phases, jitter(new int[] {150, 100, 70}, r), new int[] {235, 220, 210}, skin);
        case VASC -> new Lesion(dx, 0.16 + r.nextDouble(0.06), 1.0 + r.nextDouble(0.2), 0.18,
            phases, jitter(new int[] {150, 30, 65}, r), new int[] {90, 20, 80}, skin);
      };
    }

    private static int[] jitter(int[] rgb, SplittableRandom r) {
      return new int[] {rgb[0] + r.nextInt(-12, 13), rgb[1] + r.nextInt(-12, 13), rgb[2] + r.nextInt(-12, 13)};
    }

    BufferedImage render(int w, int h, SplittableRandom r) {
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      double rot = r.nextDouble(6.283);
      double scale = 0.9 + r.nextDouble(0.2);
      double light = 0.92 + r.nextDouble(0.16);
      double cx = w * (0.5 + r.nextDouble(-0.06, 0.06));
      double cy = h * (0.5 + r.nextDouble(-0.06, 0.06));
      double unit = Math.min(w, h);
      double cos = Math.cos(rot);
      double sin = Math.sin(rot);
      int[] px = new int[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double dx0 = (x - cx) / unit;
          double dy0 = (y - cy) / unit;
          double u = (dx0 * cos + dy0 * sin) / (radius * scale * aspect);
          double v = (-dx0 * sin + dy0 * cos) / (radius * scale);
          double theta = Math.atan2(v, u);
          double border = 1 + irregularity * (Math.sin(3 * theta + phases[0])
              + 0.6 * Math.sin(5 * theta + phases[1]) + 0.4 * Math.sin(9 * theta + phases[2])) / 2;
          double d = Math.sqrt(u * u + v * v) / border;
          double noise = r.nextDouble(-8, 8);
          double[] c = {skin[0] + noise, skin[1] + noise, skin[2] + noise};
          if (d < 1.08) {
            double inside = Math.min(1, Math.max(0, (1.08 - d) / 0.16));
            double[] lc = lesionColour(u, v, d, theta, r);
            for (int k = 0; k < 3; k++) {
              c[k] = c[k] * (1 - inside) + lc[k] * inside;
            }
          }
          // The dermatoscope's round field of view: black beyond it.
          double fov = Math.hypot((x - w / 2.0) / (w * 0.56), (y - h / 2.0) / (h * 0.62));
          double vignette = fov > 1 ? Math.max(0, 1 - (fov - 1) * 8) : 1;
          int rr = clamp(c[0] * light * vignette);
          int gg = clamp(c[1] * light * vignette);
          int bb = clamp(c[2] * light * vignette);
          px[y * w + x] = (rr << 16) | (gg << 8) | bb;
        }
      }
      img.setRGB(0, 0, w, h, px, 0, w);
      return img;
    }

    /** Class texture inside the lesion: what makes the classes tell apart. */
    private double[] lesionColour(double u, double v, double d, double theta, SplittableRandom r) {
      double t;
      switch (dx) {
        case MEL -> t = Math.max(0, Math.sin(7 * u + phases[0]) * Math.cos(6 * v + phases[1]));
        case BKL -> t = 0.5 + 0.5 * Math.sin(14 * (u + 0.3 * v) + phases[0]);
        case BCC -> t = Math.abs(Math.sin(9 * theta + 12 * d + phases[1])) < 0.12 ? 1 : 0;
        case AKIEC -> t = r.nextDouble() < 0.12 ? 1 : 0;
        case DF -> t = d < 0.45 ? 1 : 0;
        case VASC -> t = 0.5 + 0.5 * Math.sin(10 * u + phases[0]) * Math.sin(10 * v + phases[1]);
        default -> t = 0.25 * (1 - d);
      }
      double[] out = new double[3];
      for (int k = 0; k < 3; k++) {
        out[k] = core[k] * (1 - t) + accent[k] * t + r.nextDouble(-6, 6);
      }
      return out;
    }

    private static int clamp(double v) {
      return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
  }
}
