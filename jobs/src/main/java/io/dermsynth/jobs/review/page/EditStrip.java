package io.dermsynth.jobs.review.page;

import java.util.List;

/**
 * One direction's edits on the review samples: a PNG and the LPIPS to the source image per sample and
 * alpha step, and what follows from them for the page.
 *
 * @param png [sample][step]
 * @param lpips [sample][step], LPIPS of the edit to the sample's real image (what augment filters on)
 */
public record EditStrip(byte[][][] png, double[][] lpips) {

  /** LPIPS per step, averaged over samples. */
  public double[] meanLpips() {
    double[] m = new double[lpips[0].length];
    for (double[] row : lpips) {
      for (int j = 0; j < m.length; j++) {
        m[j] += row[j] / lpips.length;
      }
    }
    return m;
  }

  /** The steps whose mean LPIPS exceeds the threshold: the page flags a direction that has any. */
  public List<Double> flaggedAlphas(List<Double> alphas, double threshold) {
    double[] m = meanLpips();
    return java.util.stream.IntStream.range(0, m.length).filter(j -> m[j] > threshold).mapToObj(alphas::get)
        .toList();
  }

  /**
   * The widest run of steps around the smallest |alpha| whose mean LPIPS stays within the threshold, as
   * [min, max] — the range the form proposes; null when even that step exceeds it or the run is a
   * single step.
   */
  public double[] suggestedRange(List<Double> alphas, double threshold) {
    double[] m = meanLpips();
    int centre = 0;
    for (int j = 1; j < alphas.size(); j++) {
      if (Math.abs(alphas.get(j)) < Math.abs(alphas.get(centre))) {
        centre = j;
      }
    }
    if (m[centre] > threshold) {
      return null;
    }
    int lo = centre;
    int hi = centre;
    while (lo > 0 && m[lo - 1] <= threshold) {
      lo--;
    }
    while (hi < m.length - 1 && m[hi + 1] <= threshold) {
      hi++;
    }
    return lo == hi ? null : new double[] {alphas.get(lo), alphas.get(hi)};
  }
}
