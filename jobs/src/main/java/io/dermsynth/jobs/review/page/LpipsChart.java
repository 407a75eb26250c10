package io.dermsynth.jobs.review.page;

import java.util.List;
import java.util.Locale;

/**
 * LPIPS per alpha step as a small inline SVG: the mean over samples as a line with a dot per step (red
 * above the threshold), and the threshold as a dashed line; the y axis spans the values and the threshold. Drawn from numbers only, so the markup
 * needs no escaping.
 */
public final class LpipsChart {

  private LpipsChart() {}

  public static String svg(List<Double> alphas, double[] lpips, double threshold, int width, int height) {
    if (alphas.size() != lpips.length) {
      throw new IllegalArgumentException(alphas.size() + " alphas for " + lpips.length + " LPIPS values");
    }
    // The y axis spans the values and the threshold, at least 0.02 wide: LPIPS to the source starts at the
    // inversion's own distance (≈ 0.15–0.2 on real data), so a 0-based axis would flatten every curve.
    double lo = Math.min(threshold, java.util.Arrays.stream(lpips).min().orElse(threshold));
    double hi = Math.max(threshold, java.util.Arrays.stream(lpips).max().orElse(threshold));
    if (hi - lo < 0.02) {
      double mid = (hi + lo) / 2;
      lo = mid - 0.01;
      hi = mid + 0.01;
    }
    double pad = 4;
    double x0 = alphas.get(0);
    double span = Math.max(alphas.get(alphas.size() - 1) - x0, 1e-9);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "<svg class=\"lpips-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" role=\"img\"><title>mean LPIPS to the source per alpha step; dashed: "
            + "threshold %.2f</title>", width, height, width, height, threshold));
    double ty = y(threshold, lo, hi, height, pad);
    sb.append(String.format(Locale.ROOT, "<line x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
        + "stroke-dasharray=\"3,2\"/>", width, ty, ty));
    StringBuilder points = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (int j = 0; j < lpips.length; j++) {
      double x = pad + (alphas.get(j) - x0) / span * (width - 2 * pad);
      double y = y(lpips[j], lo, hi, height, pad);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>α %s: "
          + "%.3f</title></circle>", x, y, lpips[j] > threshold ? "#c62828" : "#2e7d32", alphas.get(j), lpips[j]));
    }
    sb.append("<polyline fill=\"none\" stroke=\"#455a64\" stroke-width=\"1.5\" points=\"")
        .append(points.toString().trim()).append("\"/>").append(dots).append("</svg>");
    return sb.toString();
  }

  private static double y(double v, double lo, double hi, int height, double pad) {
    return height - pad - (v - lo) / (hi - lo) * (height - 2 * pad);
  }
}
