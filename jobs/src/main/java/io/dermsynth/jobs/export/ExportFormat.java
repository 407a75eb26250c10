package io.dermsynth.jobs.export;

import io.dermsynth.core.CheckpointStore;
import java.util.Locale;

/** How an export lays images out. */
public enum ExportFormat {
  /** {@code <dx>/<key>.png} and {@code metadata.jsonl} (one line per image, Hugging Face imagefolder's). */
  IMAGEFOLDER,
  /** {@code shard-NNNNNN.tar} with {@code <key>.png} and {@code <key>.json} per image (WebDataset). */
  WEBDATASET;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ExportFormat parse(String s) {
    for (ExportFormat f : values()) {
      if (f.id().equals(s)) {
        return f;
      }
    }
    throw new IllegalArgumentException("export format '" + s + "'; allowed: imagefolder, webdataset");
  }

  ExportWriter writer(CheckpointStore store, long shardBytes) {
    return this == IMAGEFOLDER ? new ExportWriter.ImageFolder(store) : new ExportWriter.WebDataset(store, shardBytes);
  }
}
