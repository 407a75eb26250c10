package io.dermsynth.jobs.export;

import io.dermsynth.core.CheckpointStore;

/** How an export lays images out. */
public enum ExportFormat {
  /** {@code <dx>/<key>.png} and {@code metadata.jsonl} (one line per image, Hugging Face imagefolder's). */
  IMAGEFOLDER,
  /** {@code shard-NNNNNN.tar} with {@code <key>.png} and {@code <key>.json} per image (WebDataset). */
  WEBDATASET;

  public String id() {
    return io.dermsynth.core.Choices.id(this);
  }

  public static ExportFormat parse(String s) {
    return io.dermsynth.core.Choices.parse(ExportFormat.class, s, "export format");
  }

  ExportWriter writer(CheckpointStore store, long shardBytes) {
    return this == IMAGEFOLDER ? new ExportWriter.ImageFolder(store) : new ExportWriter.WebDataset(store, shardBytes);
  }
}
