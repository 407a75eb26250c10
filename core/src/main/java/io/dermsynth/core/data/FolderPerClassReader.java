package io.dermsynth.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One folder per class ({@code root/mel/*.jpg}, {@code root/melanoma/*.png}, ...): the folder name is
 * the label, the file stem the image id. No grouping is known, so each image is its own lesion.
 */
public final class FolderPerClassReader implements DatasetReader {

  @Override
  public Manifest read(Path root) throws IOException {
    ListingBuilder listing = new ListingBuilder("folders", root);
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        String label = dir.getFileName().toString().replace('_', ' ');
        for (Path file : ImageFiles.list(dir)) {
          String imageId = ImageFiles.stem(file);
          listing.add(new ListingBuilder.Entry(file.toAbsolutePath().toString(), imageId, null,
              label, null, null, null, null, Map.of(), file));
        }
      }
    }
    return listing.build();
  }
}
