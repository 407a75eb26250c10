package io.dermsynth.jobs.review;

import java.util.List;

/** One row of `directions`, as the page shows and renders it. */
public record ReviewDirection(String id, int rank, double eigenvalue, double wStd, float[] vector, int[] wIndices,
    List<String> layers, String layerSelection) {

  /** The reviewed name when the latest decision gave one, else the rank. */
  public String label(io.dermsynth.jobs.review.DirectionReviews.Review current) {
    return current != null && current.name() != null ? current.name() : "rank " + rank;
  }

  /** The W-space step of strip alpha {@code alpha}: alpha standard deviations of W, or alpha itself. */
  public float step(double alpha, String alphaUnit) {
    return (float) (alphaUnit.equals("w_std") ? alpha * wStd : alpha);
  }
}
