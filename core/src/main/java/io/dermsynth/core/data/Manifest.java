package io.dermsynth.core.data;

import java.util.List;

/** What a {@link DatasetReader} found: the usable entries and everything it had to reject. */
public record Manifest(String dataset, List<SourceRecord> records, List<Rejection> rejections) {
  public Manifest {
    records = List.copyOf(records);
    rejections = List.copyOf(rejections);
  }
}
