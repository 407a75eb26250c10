package io.dermsynth.core.data;

import java.util.Objects;

/**
 * A file or csv row that cannot be used, and why.
 *
 * @param source the file path, or {@code csvPath:line} for a csv row
 * @param imageId the image id when known, else null
 * @param reason the reason code
 * @param message what a person needs to know to fix it
 */
public record Rejection(String source, String imageId, QuarantineReason reason, String message) {
  public Rejection {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }
}
