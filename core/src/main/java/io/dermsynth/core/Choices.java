package io.dermsynth.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Enum constants as settings and command lines name them: by their lower-case names. */
public final class Choices {

  private Choices() {}

  /** The constant's name as a user writes it. */
  public static String id(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  public static <E extends Enum<E>> List<String> ids(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Choices::id).toList();
  }

  /**
   * The constant of {@code type} called {@code name} (any case, spaces around ignored); otherwise an
   * IllegalArgumentException that says {@code what} was given and what is allowed.
   */
  public static <E extends Enum<E>> E parse(Class<E> type, String name, String what) {
    String n = name == null ? "" : name.trim();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(n)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(what + " '" + name + "'; allowed: " + ids(type));
  }
}
