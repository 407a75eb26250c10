package io.dermsynth.core.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks every layout shares, applied entry by entry: an id, a known label, a unique id, a file
 * that exists; and at the end, files that no entry listed. Readers only say where ids and labels are.
 */
final class ListingBuilder {

  /** The fields of one listed entry, as far as the reader found them. */
  record Entry(String source, String imageId, String lesionId, String label, String dxType,
      Double age, String sex, String localization, Map<String, String> extra, Path file) {}

  private final String dataset;
  private final List<SourceRecord> records = new ArrayList<>();
  private final List<Rejection> rejections = new ArrayList<>();
  private final Set<String> seenIds = new HashSet<>();
  private final Set<Path> usedFiles = new HashSet<>();

  ListingBuilder(String dataset) {
    this.dataset = dataset;
  }

  void reject(Rejection r) {
    rejections.add(r);
  }

  void rejectAll(List<Rejection> rs) {
    rejections.addAll(rs);
  }

  void add(Entry e) {
    if (e.imageId() == null) {
      reject(new Rejection(e.source(), null, QuarantineReason.MISSING_IMAGE_ID, "no image id"));
      return;
    }
    if (e.file() != null) {
      // A listed file is accounted for even when its row is rejected, so it is not also "unlisted".
      usedFiles.add(e.file());
    }
    if (e.label() == null) {
      reject(new Rejection(e.source(), e.imageId(), QuarantineReason.MISSING_LABEL,
          "image " + e.imageId() + " has no diagnosis"));
      return;
    }
    var dx = Diagnosis.parse(e.label());
    if (dx.isEmpty()) {
      reject(new Rejection(e.source(), e.imageId(), QuarantineReason.UNKNOWN_LABEL,
          "image " + e.imageId() + " has diagnosis '" + e.label() + "'; known: "
              + Diagnosis.allowedNames()));
      return;
    }
    if (!seenIds.add(e.imageId())) {
      reject(new Rejection(e.source(), e.imageId(), QuarantineReason.DUPLICATE_IMAGE_ID,
          "image id " + e.imageId() + " is listed more than once; the first entry is kept"));
      return;
    }
    if (e.file() == null || !Files.isRegularFile(e.file())) {
      reject(new Rejection(e.source(), e.imageId(), QuarantineReason.FILE_MISSING,
          "image " + e.imageId() + " is listed but its file is not there"
              + (e.file() == null ? "" : " (" + e.file() + ")")));
      return;
    }
    String lesion = e.lesionId() == null ? e.imageId() : e.lesionId();
    records.add(new SourceRecord(e.imageId(), lesion, dataset, dx.get(), e.dxType(), e.age(),
        e.sex(), e.localization(), e.extra(), e.file().toAbsolutePath().toString()));
  }

  /** Rejects every image file below the root that no entry referred to. */
  void rejectUnlisted(ImageFiles files) {
    for (Path p : files.all().values()) {
      if (!usedFiles.contains(p)) {
        reject(new Rejection(p.toAbsolutePath().toString(), ImageFiles.stem(p), QuarantineReason.UNLISTED_FILE,
            "file is not listed in the dataset's csv, so it has no label"));
      }
    }
  }

  Manifest build() {
    return new Manifest(dataset, records, rejections);
  }

  static Double parseAge(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Double.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
