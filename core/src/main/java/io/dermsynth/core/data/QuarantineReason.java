package io.dermsynth.core.data;

/** Why a file or a csv row could not be used. Stored as its name in {@code quarantine.reason_code}. */
public enum QuarantineReason {
  // Listing problems, found while reading the dataset's layout.
  MALFORMED_ROW,
  MISSING_IMAGE_ID,
  MISSING_LABEL,
  UNKNOWN_LABEL,
  DUPLICATE_IMAGE_ID,
  FILE_MISSING,
  UNLISTED_FILE,
  OUTSIDE_ROOT,
  // File problems, found while decoding.
  READ_ERROR,
  EMPTY_FILE,
  NOT_AN_IMAGE,
  UNSUPPORTED_FORMAT,
  TRUNCATED_JPEG,
  TRUNCATED_PNG,
  PNG_CRC_MISMATCH,
  IMAGE_TOO_LARGE,
  IMAGE_TOO_SMALL,
  CORRUPT_IMAGE,
  // A copy of another image's content (ingest.duplicates = quarantine, or copies that no split can hold).
  DUPLICATE_CONTENT
}
