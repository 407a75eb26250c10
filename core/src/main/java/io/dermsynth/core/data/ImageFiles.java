package io.dermsynth.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The image files under a folder, found by extension and indexed by file stem (HAM10000 and ISIC list
 * images by id without extension). Content is not looked at here: a text file named {@code .jpg} is
 * found, and the decoder rejects it later with a reason.
 */
public final class ImageFiles {

  public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

  private final Map<String, Path> byStem;

  private ImageFiles(Map<String, Path> byStem) {
    this.byStem = byStem;
  }

  /** Every image file below {@code root}, in path order so that listings are deterministic. */
  public static ImageFiles under(Path root) throws IOException {
    Map<String, Path> byStem = new LinkedHashMap<>();
    for (Path p : list(root)) {
      byStem.putIfAbsent(stem(p), p);
    }
    return new ImageFiles(byStem);
  }

  static List<Path> list(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(ImageFiles::isImageName)
          .sorted(Comparator.comparing(Path::toString))
          .toList();
    }
  }

  public static boolean isImageName(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1));
  }

  public static String stem(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  public Path find(String stem) {
    return byStem.get(stem);
  }

  public Map<String, Path> all() {
    return byStem;
  }
}
