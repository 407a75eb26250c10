package io.dermsynth.core.data;

import java.io.IOException;
import java.nio.file.Path;

/** Reads one dataset layout into a {@link Manifest}; decodes no image. */
public interface DatasetReader {
  Manifest read(Path root) throws IOException;
}
