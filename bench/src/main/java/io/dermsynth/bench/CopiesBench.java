package io.dermsynth.bench;

import io.dermsynth.core.data.CsvTable;
import io.dermsynth.core.data.Hashing;
import io.dermsynth.core.data.ImageNormalizer;
import io.dermsynth.core.data.PerceptualHash;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * What ingest's copy detection sees on a real dataset (issue 20): exact copies by file and pixel hash,
 * and the perceptual-hash distances of (a) every pair of images of different lesions, (b) every pair of
 * images of the same lesion (other photographs of it), (c) each image and its own re-encodings
 * (JPEG quality 60, and half size then JPEG quality 90): how many pairs fall within each radius.
 *
 * <p>Usage: {@code CopiesBench HAM10000_DIR SIZE COPIES}
 */
public final class CopiesBench {

  public static void main(String[] args) throws Exception {
    Path ham = Path.of(args[0]);
    int size = Integer.parseInt(args[1]);
    int copies = Integer.parseInt(args[2]);
    CsvTable csv = CsvTable.read(ham.resolve("HAM10000_metadata.csv"));
    List<String> ids = new ArrayList<>();
    List<String> lesions = new ArrayList<>();
    List<Long> hashes = new ArrayList<>();
    Map<String, List<String>> bySource = new HashMap<>();
    Map<String, List<String>> byPixels = new HashMap<>();
    List<Integer> reencoded = new ArrayList<>();
    List<Integer> resized = new ArrayList<>();
    long t0 = System.nanoTime();
    try (ImageNormalizer normalizer = new ImageNormalizer(ImageNormalizer.Options.ofSize(size))) {
      for (CsvTable.Row row : csv.rows()) {
        Path file = ham.resolve("images/" + row.get("image_id") + ".jpg");
        if (!Files.exists(file)) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (!(normalizer.normalize(bytes) instanceof ImageNormalizer.Normalized n)) {
          throw new IllegalStateException(file + " did not decode");
        }
        ids.add(row.get("image_id"));
        lesions.add(row.get("lesion_id"));
        hashes.add(n.phash());
        bySource.computeIfAbsent(Hashing.sha256Hex(bytes), k -> new ArrayList<>()).add(row.get("lesion_id"));
        byPixels.computeIfAbsent(n.pixelSha256(), k -> new ArrayList<>()).add(row.get("lesion_id"));
        if (ids.size() <= copies) {
          BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
          reencoded.add(PerceptualHash.distance(n.phash(), phash(normalizer, jpeg(img, 0.6f))));
          resized.add(PerceptualHash.distance(n.phash(), phash(normalizer, jpeg(half(img), 0.9f))));
        }
      }
    }
    System.out.printf(Locale.ROOT, "images: %d of %d lesions, working size %d, %.1f s to decode and hash%n",
        ids.size(), new HashSet<>(lesions).size(), size, (System.nanoTime() - t0) / 1e9);
    System.out.printf(Locale.ROOT, "exact copies: %s by file bytes, %s by decoded pixels%n",
        copies(bySource), copies(byPixels));

    int maxR = 16;
    long[] other = new long[maxR + 1];
    long[] same = new long[maxR + 1];
    long otherPairs = 0;
    long samePairs = 0;
    for (int i = 0; i < hashes.size(); i++) {
      for (int j = i + 1; j < hashes.size(); j++) {
        int d = PerceptualHash.distance(hashes.get(i), hashes.get(j));
        boolean sameLesion = lesions.get(i).equals(lesions.get(j));
        if (sameLesion) {
          samePairs++;
        } else {
          otherPairs++;
        }
        if (d <= maxR) {
          (sameLesion ? same : other)[d]++;
        }
      }
    }
    System.out.println("radius | pairs of different lesions within | pairs of the same lesion within | re-encoded "
        + "q60 within | half size q90 within");
    long cumOther = 0;
    long cumSame = 0;
    for (int r = 0; r <= maxR; r++) {
      cumOther += other[r];
      cumSame += same[r];
      int rr = r;
      long q60 = reencoded.stream().filter(d -> d <= rr).count();
      long half = resized.stream().filter(d -> d <= rr).count();
      System.out.printf(Locale.ROOT, "%6d | %d of %d | %d of %d | %d of %d | %d of %d%n", r, cumOther, otherPairs,
          cumSame, samePairs, q60, reencoded.size(), half, resized.size());
    }
  }

  /** "N groups (M images), K of them across lesions". */
  private static String copies(Map<String, List<String>> groups) {
    long n = 0;
    long images = 0;
    long acrossLesions = 0;
    for (List<String> g : groups.values()) {
      if (g.size() > 1) {
        n++;
        images += g.size();
        Set<String> distinct = new HashSet<>(g);
        acrossLesions += distinct.size() > 1 ? 1 : 0;
      }
    }
    return n + " groups (" + images + " images), " + acrossLesions + " across lesions";
  }

  private static long phash(ImageNormalizer normalizer, byte[] bytes) {
    return ((ImageNormalizer.Normalized) normalizer.normalize(bytes)).phash();
  }

  private static BufferedImage half(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth() / 2, img.getHeight() / 2, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
    g.dispose();
    return out;
  }

  private static byte[] jpeg(BufferedImage img, float quality) throws Exception {
    ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam p = w.getDefaultWriteParam();
    p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    p.setCompressionQuality(quality);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      w.setOutput(out);
      w.write(null, new IIOImage(img, null, null), p);
    } finally {
      w.dispose();
    }
    return bytes.toByteArray();
  }
}
