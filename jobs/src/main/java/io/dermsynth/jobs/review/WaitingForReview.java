package io.dermsynth.jobs.review;

/**
 * No direction is approved yet for what a run would edit: not a failure but a pause until a person
 * reviews (exit code 3, {@code Main.EXIT_WAITING_FOR_REVIEW}), so that a scheduled augment waits instead of
 * failing every week.
 */
public final class WaitingForReview extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public WaitingForReview(String message) {
    super(message);
  }
}
