package io.dermsynth.jobs.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The one way stage options are read from the configuration: typed reads of one section's keys, each
 * checked, every message naming the full key ({@code gan.batch_size}) and what it allows. Stages hold
 * their key names as constants and build their typed options through it.
 */
public final class ConfigReader {

  /** The word that asks for a value by the NVlabs rule a preset names (e.g. γ = 0.0002·res²/batch). */
  public static final String AUTO = "auto";

  private final Config section;
  private final String name;

  public ConfigReader(Config root, String section) {
    this.section = root.getConfig(section);
    this.name = section;
  }

  public static ConfigReader of(Settings settings, String section) {
    return new ConfigReader(settings.config(), section);
  }

  /** The full key, for messages. */
  public String key(String key) {
    return name + "." + key;
  }

  public String string(String key) {
    return get(key, () -> section.getString(key));
  }

  public boolean bool(String key) {
    return get(key, () -> section.getBoolean(key));
  }

  public long longValue(String key) {
    return get(key, () -> section.getLong(key));
  }

  public double number(String key) {
    return get(key, () -> section.getDouble(key));
  }

  public List<String> strings(String key) {
    return get(key, () -> section.getStringList(key));
  }

  public List<Double> numbers(String key) {
    return get(key, () -> section.getDoubleList(key));
  }

  /** An integer ≥ {@code min}. */
  public int atLeast(String key, int min) {
    int v = get(key, () -> section.getInt(key));
    if (v < min) {
      throw new IllegalArgumentException(key(key) + " must be ≥ " + min + ", got " + v);
    }
    return v;
  }

  /** A finite number ≥ {@code min}. */
  public double atLeast(String key, double min) {
    double v = number(key);
    if (!(v >= min) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(key(key) + " must be a finite number ≥ " + min + ", got " + v);
    }
    return v;
  }

  /** A finite number > 0. */
  public double positive(String key) {
    double v = number(key);
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(key(key) + " must be a finite number > 0, got " + v);
    }
    return v;
  }

  /** A number in [0, 1]. */
  public double fraction(String key) {
    double v = number(key);
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(key(key) + " must be in [0, 1], got " + v);
    }
    return v;
  }

  /** One of {@code allowed} (compared as written). */
  public String oneOf(String key, List<String> allowed) {
    String v = string(key);
    if (!allowed.contains(v)) {
      throw new IllegalArgumentException(key(key) + " = '" + v + "'; allowed: " + allowed);
    }
    return v;
  }

  /** An enum constant by its lower-case name. */
  public <E extends Enum<E>> E choice(String key, Class<E> type) {
    return io.dermsynth.core.Choices.parse(type, string(key), key(key) + " =");
  }

  /** A number ≥ 0, or {@value #AUTO} for {@code rule}'s value. */
  public double autoOr(String key, DoubleSupplier rule) {
    if (section.getValue(key).valueType() == ConfigValueType.STRING) {
      String v = section.getString(key).trim();
      if (v.equals(AUTO)) {
        return rule.getAsDouble();
      }
      try {
        double d = Double.parseDouble(v);
        if (d >= 0 && !Double.isInfinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
      throw new IllegalArgumentException(key(key) + " must be " + AUTO + " or a number ≥ 0, got '" + v + "'");
    }
    return atLeast(key, 0.0);
  }

  /** An integer ≥ {@code min}, or empty for {@value #AUTO} (the consumer's rule). */
  public java.util.OptionalInt intOrAuto(String key, int min) {
    if (section.getValue(key).valueType() == ConfigValueType.STRING && section.getString(key).trim().equals(AUTO)) {
      return java.util.OptionalInt.empty();
    }
    try {
      return java.util.OptionalInt.of(atLeast(key, min));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (or " + AUTO + ")", e);
    }
  }

  /** An integer in [min, max], or empty for {@code word} (e.g. "off"). */
  public java.util.OptionalInt intOrWord(String key, String word, int min, int max) {
    if (section.getValue(key).valueType() == ConfigValueType.STRING && section.getString(key).trim().equals(word)) {
      return java.util.OptionalInt.empty();
    }
    int v;
    try {
      v = get(key, () -> section.getInt(key));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key(key) + " must be " + word + " or an integer in [" + min + ", " + max
          + "], got " + section.getValue(key).unwrapped(), e);
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(key(key) + " must be " + word + " or an integer in [" + min + ", " + max
          + "], got " + v);
    }
    return java.util.OptionalInt.of(v);
  }

  private <T> T get(String key, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException.Missing e) {
      throw new IllegalArgumentException(key(key) + " is not set", e);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key(key) + ": " + e.getMessage(), e);
    }
  }
}
