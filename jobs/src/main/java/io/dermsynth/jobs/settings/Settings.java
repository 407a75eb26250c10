package io.dermsynth.jobs.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The resolved configuration of one run, in layers, each overriding the ones before:
 * {@code conf/application.conf} (inside the jar); the GAN preset file {@code conf/presets/gan/<gan.preset>.conf}
 * (or a HOCON file that {@code gan.preset} names by path); a command's layer ({@code conf/presets/demo.conf},
 * {@code pipeline-small64.conf}); {@code --config} files in order; {@code --set key=value}. The preset is the
 * one the layers above it choose, so {@code --set gan.preset=small64} brings small64's values and a
 * {@code --set gan.batch_size=8} beside it still wins. Keys that the defaults do not have are refused with
 * their name and the allowed keys; only {@code spark.conf} is free-form.
 */
public final class Settings {

  static final String DEFAULTS = "io/dermsynth/application.conf";
  /** The bundled GAN presets, files {@code io/dermsynth/presets/gan/<name>.conf} in the jar. */
  public static final List<String> GAN_PRESETS = List.of("tiny32", "small64", "stylegan2", "paper256", "paper512",
      "paper1024");
  /** The layer of `dermsynth demo`. */
  public static final String DEMO_LAYER = "io/dermsynth/presets/demo.conf";
  /** The layer of `dermsynth pipeline`. */
  public static final String PIPELINE_LAYER = "io/dermsynth/presets/pipeline-small64.conf";
  private static final String FREE_FORM = "spark.conf";

  private final Config config;

  private Settings(Config config) {
    this.config = config;
  }

  public static Settings defaults() {
    return load(List.of(), Map.of());
  }

  /**
   * @param files HOCON files, later ones overriding earlier ones
   * @param sets {@code key → value} overrides, strongest of all; values are typed like the default
   */
  public static Settings load(List<Path> files, Map<String, String> sets) {
    return load(files, sets, List.of());
  }

  /** As {@link #load(List, Map)}, with a command's layers (resources, weakest first) under the user's. */
  public static Settings load(List<Path> files, Map<String, String> sets, List<String> layers) {
    Config application = resource(DEFAULTS);
    // The default preset's keys belong to the defaults: every preset file sets the same keys.
    Config defaults = ganPreset(application.getString("gan.preset")).withFallback(application);
    Config layered = ConfigFactory.empty();
    for (String layer : layers) {
      Config l = resource(layer);
      checkKeys(defaults, l, l.withFallback(defaults).resolve());
      layered = l.withFallback(layered);
    }
    Config user = ConfigFactory.empty();
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("config file " + f + " does not exist");
      }
      user = ConfigFactory.parseFile(f.toFile()).withFallback(user);
    }
    for (Map.Entry<String, String> e : sets.entrySet()) {
      user = user.withValue(e.getKey(), typed(defaults, e.getKey(), e.getValue()));
    }
    Config above = user.withFallback(layered);
    Config preset = ganPreset(above.withFallback(defaults).resolve().getString("gan.preset"));
    checkKeys(defaults, preset, preset.withFallback(defaults).resolve());
    // Resolved first, so that a file may take values from the environment (warehouse = ${?DERMSYNTH_WAREHOUSE}).
    Config resolved = above.withFallback(preset).withFallback(defaults).resolve();
    checkKeys(defaults, user, resolved);
    return new Settings(withRootSeed(defaults, user, resolved));
  }

  /** A bundled preset by name, or a HOCON file by path. */
  private static Config ganPreset(String name) {
    if (GAN_PRESETS.contains(name)) {
      return resource("io/dermsynth/presets/gan/" + name + ".conf");
    }
    Path file = Path.of(name);
    if (name.endsWith(".conf") && Files.isRegularFile(file)) {
      return ConfigFactory.parseFile(file.toFile());
    }
    throw new IllegalArgumentException("gan.preset = '" + name + "'; allowed: " + GAN_PRESETS
        + " or the path of a preset file (.conf) like conf/presets/gan/tiny32.conf");
  }

  private static Config resource(String name) {
    Config c = ConfigFactory.parseResources(Settings.class.getClassLoader(), name);
    if (c.isEmpty()) {
      throw new IllegalStateException(name + " is missing from the classpath");
    }
    return c;
  }

  /**
   * The root seed: with {@code seed} ≥ 0, every stage seed (a key ending in ".seed") that the user did not
   * set is derived from it, {@code Hashing.seeded(seed, key)} in 31 bits, so one number reseeds a whole
   * chain and each stage still draws its own stream. With {@code off} (the default) the stage seeds are as
   * written.
   */
  static Config withRootSeed(Config defaults, Config user, Config resolved) {
    java.util.OptionalLong root = rootSeed(resolved);
    if (root.isEmpty()) {
      return resolved;
    }
    for (String key : allowedKeys(defaults)) {
      if (key.endsWith(".seed") && !user.hasPath(key)) {
        resolved = resolved.withValue(key,
            ConfigValueFactory.fromAnyRef(io.dermsynth.core.data.Hashing.seeded(root.getAsLong(), key) & 0x7fffffffL));
      }
    }
    return resolved;
  }

  /** {@code seed}: off, or a number ≥ 0. */
  private static java.util.OptionalLong rootSeed(Config c) {
    String text = String.valueOf(c.getValue("seed").unwrapped()).trim();
    if (text.equals("off")) {
      return java.util.OptionalLong.empty();
    }
    try {
      long n = c.getLong("seed");
      if (n >= 0) {
        return java.util.OptionalLong.of(n);
      }
    } catch (com.typesafe.config.ConfigException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("seed must be off or a number ≥ 0, got '" + text + "'");
  }

  /** The root seed (off, or the number) and every stage seed in effect, for the run's row. */
  public Map<String, String> seeds() {
    Map<String, String> out = new java.util.TreeMap<>();
    out.put("seed", config.getString("seed"));
    for (var e : config.entrySet()) {
      if (e.getKey().endsWith(".seed")) {
        out.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
      }
    }
    return out;
  }

  private static void checkKeys(Config defaults, Config user, Config resolved) {
    for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
      String key = e.getKey();
      if (key.startsWith(FREE_FORM + ".")) {
        continue;
      }
      if (!defaults.hasPath(key)) {
        throw new IllegalArgumentException("unknown config key '" + key + "'"
            + (e.getValue().origin().filename() == null ? "" : " in " + e.getValue().origin().filename())
            + ". Allowed keys: " + String.join(", ", allowedKeys(defaults)));
      }
      ConfigValueType want = defaults.getValue(key).valueType();
      ConfigValueType got = resolved.getValue(key).valueType();
      if (want != got && !(want == ConfigValueType.NUMBER && got == ConfigValueType.STRING)
          && !(want == ConfigValueType.STRING && got != ConfigValueType.OBJECT && got != ConfigValueType.LIST)) {
        throw new IllegalArgumentException("config key '" + key + "' must be of type "
            + want.name().toLowerCase() + ", got " + got.name().toLowerCase() + " "
            + (isSecret(key) ? REDACTED : resolved.getValue(key).render(ConfigRenderOptions.concise())));
      }
    }
  }

  static TreeSet<String> allowedKeys(Config defaults) {
    TreeSet<String> keys = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : defaults.entrySet()) {
      keys.add(e.getKey().startsWith(FREE_FORM + ".") ? FREE_FORM + ".<any spark key>" : e.getKey());
    }
    return keys;
  }

  /** A command-line value as the type its default has; strings are taken literally (s3a://...). */
  private static ConfigValue typed(Config defaults, String key, String raw) {
    if (defaults.hasPath(key)) {
      switch (defaults.getValue(key).valueType()) {
        case NUMBER -> {
          try {
            return ConfigValueFactory.fromAnyRef(raw.contains(".") || raw.contains("e")
                ? (Object) Double.parseDouble(raw) : (Object) Long.parseLong(raw));
          } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("config key '" + key + "' must be a number, got '" + raw + "'");
          }
        }
        case BOOLEAN -> {
          if (!raw.equals("true") && !raw.equals("false")) {
            throw new IllegalArgumentException("config key '" + key + "' must be true or false, got '" + raw + "'");
          }
          return ConfigValueFactory.fromAnyRef(Boolean.parseBoolean(raw));
        }
        case LIST -> {
          return ConfigFactory.parseString("v = " + raw).getValue("v");
        }
        default -> { }
      }
    }
    return ConfigValueFactory.fromAnyRef(raw);
  }

  public Config config() {
    return config;
  }

  public String warehouse() {
    return config.getString("warehouse");
  }

  /**
   * This configuration with one key changed (not {@code gan.preset}, whose file is layered at
   * {@link #load}).
   */
  public Settings with(String key, String value) {
    if (key.equals("gan.preset")) {
      throw new IllegalArgumentException("gan.preset selects a layer of files: set it when loading the settings");
    }
    return new Settings(config.withValue(key, typed(config, key, value)));
  }

  /** The resolved configuration as HOCON, as written next to every run's outputs; secrets as {@value #REDACTED}. */
  public String render() {
    return redacted().root().render(ConfigRenderOptions.defaults().setOriginComments(false)
        .setJson(false));
  }

  /** The resolved configuration as one-line JSON, for the {@code runs} table; secrets as {@value #REDACTED}. */
  public String renderJson() {
    return redacted().root().render(ConfigRenderOptions.concise());
  }

  /**
   * Whether a key (a HOCON path; spark.conf keys are its quoted last element) holds a credential: its name
   * says secret, password, token, credential, or it is an s3a key (fs.s3a.access.key, fs.s3a.secret.key,
   * per-bucket and encryption keys) or another cloud account/API/private key. s3a's credentials.provider
   * names classes, not a credential, and stays readable.
   */
  static boolean isSecret(String path) {
    String k = path.toLowerCase(java.util.Locale.ROOT);
    return SECRET.matcher(k).find() && !k.endsWith("credentials.provider\"") && !k.endsWith("credentials.provider");
  }

  static final String REDACTED = "***";
  private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile(
      "secret|passw(or)?d|token|credential|fs\\.s3a\\..*key|(api|account|private|access)[._-]?key");

  /** This configuration with every secret's value replaced by {@value #REDACTED}: what may be written or shown. */
  Config redacted() {
    Config out = config;
    for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
      if (isSecret(e.getKey())) {
        out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(REDACTED));
      }
    }
    return out;
  }
}
