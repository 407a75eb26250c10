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
  private final Path realRoot;
  private final List<SourceRecord> records = new ArrayList<>();
  private final List<Rejection> rejections = new ArrayList<>();
  private final Set<String> seenIds = new HashSet<>();
  private final Set<Path> usedFiles = new HashSet<>();

  /** @param root the dataset's folder: every listed file must resolve (links followed) below it */
  ListingBuilder(String dataset, Path root) throws java.io.IOException {
    this.dataset = dataset;
    this.realRoot = root.toRealPath();
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
    Path real = realPath(e.file());
    if (real == null || !real.startsWith(realRoot)) {
      // A symlink (or a listed ../ path) out of the dataset: ingest reads only what is under its root.
      reject(new Rejection(e.source(), e.imageId(), QuarantineReason.OUTSIDE_ROOT,
          "image " + e.imageId() + "'s file " + e.file() + " resolves to " + real + ", outside the dataset folder "
              + realRoot));
      return;
    }
    String lesion = e.lesionId() == null ? e.imageId() : e.lesionId();
    records.add(new SourceRecord(e.imageId(), lesion, dataset, dx.get(), e.dxType(), e.age(),
        e.sex(), e.localization(), e.extra(), e.file().toAbsolutePath().toString()));
  }

  /** Rejects every image file below the root that no entry referred to. */
  void rejectUnlisted(ImageFiles files) {
    for (Path p : files.all().values()) {
      if (usedFiles.contains(p)) {
        continue;
      }
      Path real = realPath(p);
      if (real == null || !real.startsWith(realRoot)) {
        reject(new Rejection(p.toAbsolutePath().toString(), ImageFiles.stem(p), QuarantineReason.OUTSIDE_ROOT,
            "file is a link to " + real + ", outside the dataset folder " + realRoot + " (and not listed)"));
      } else {
        reject(new Rejection(p.toAbsolutePath().toString(), ImageFiles.stem(p), QuarantineReason.UNLISTED_FILE,
            "file is not listed in the dataset's csv, so it has no label"));
      }
    }
  }

  private static Path realPath(Path file) {
    try {
      return file.toRealPath();
    } catch (java.io.IOException e) {
      return null;
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
