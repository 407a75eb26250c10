package io.dermsynth.core;

import java.util.Locale;

/**
 * What kind of folder a manifest describes and in which layout version, written as {@code name/version}
 * (e.g. {@code dermsynth-stylegan2/1}) in every manifest's {@code format} field. A reader accepts its own
 * name at its own version or older, so a folder from a newer dermsynth, or of another kind (a classifier
 * given where a generator is wanted), is refused with both named instead of failing on a missing tensor.
 */
public record ModelFormat(String name, int version) {

  public ModelFormat {
    if (name.isBlank() || name.contains("/") || version < 1) {
      throw new IllegalArgumentException("a format is a name without '/' and a version ≥ 1, got " + name + "/"
          + version);
    }
  }

  /** Parses {@code name/version}. */
  public static ModelFormat parse(String text) throws BadInputException {
    int slash = text.lastIndexOf('/');
    try {
      return new ModelFormat(text.substring(0, slash), Integer.parseInt(text.substring(slash + 1)));
    } catch (RuntimeException e) {
      throw new BadInputException("'" + text + "' is not a format (want name/version, e.g. dermsynth-stylegan2/1)");
    }
  }

  /**
   * Checks a manifest's format field against this one; {@code found} null is a folder written before
   * formats were recorded, read as version 1.
   *
   * @param where the manifest, for the message
   */
  public void check(String found, String where) throws BadInputException {
    ModelFormat f = found == null ? new ModelFormat(name, 1) : parse(found);
    if (!f.name.equals(name)) {
      throw new BadInputException(where + " is a " + f + " folder, not " + this);
    }
    if (f.version > version) {
      throw new BadInputException(String.format(Locale.ROOT,
          "%s is %s, written by a newer dermsynth; this one reads %s up to version %d", where, f, name, version));
    }
  }

  @Override
  public String toString() {
    return name + "/" + version;
  }
}
