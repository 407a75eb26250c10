package io.dermsynth.core.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The seven HAM10000 diagnostic classes, with the other names the supported datasets use for them.
 *
 * <p>{@link #hamCount} is the number of images per class in the published HAM10000 release (10,015 in
 * all); the phantom generator uses it so the demo has the same imbalance as the real data.
 */
public enum Diagnosis {
  AKIEC("akiec", 327, "actinic keratosis", "actinic keratoses", "ak", "bowen's disease", "scc",
      "squamous cell carcinoma", "intraepithelial carcinoma"),
  BCC("bcc", 514, "basal cell carcinoma"),
  BKL("bkl", 1099, "benign keratosis", "benign keratosis-like lesions", "seborrheic keratosis",
      "solar lentigo", "lentigo nos", "lichenoid keratosis", "lplk"),
  DF("df", 115, "dermatofibroma"),
  MEL("mel", 1113, "melanoma"),
  NV("nv", 6705, "nevus", "nevi", "melanocytic nevus", "melanocytic nevi", "common nevus",
      "atypical nevus"),
  VASC("vasc", 142, "vascular lesion", "vascular lesions", "angioma", "angiokeratoma",
      "pyogenic granuloma", "hemorrhage");

  /** The code HAM10000 writes in its {@code dx} column; also what the tables store. */
  public final String code;

  public final int hamCount;
  private final String[] aliases;

  private static final Map<String, Diagnosis> BY_NAME = buildIndex();

  Diagnosis(String code, int hamCount, String... aliases) {
    this.code = code;
    this.hamCount = hamCount;
    this.aliases = aliases;
  }

  /** The class for a code or an alias (case and surrounding blanks ignored), if there is one. */
  public static Optional<Diagnosis> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(BY_NAME.get(name.trim().toLowerCase(Locale.ROOT)));
  }

  public static int hamTotal() {
    return Arrays.stream(values()).mapToInt(d -> d.hamCount).sum();
  }

  public static String allowedNames() {
    return String.join(", ", Arrays.stream(values()).map(d -> d.code).toList());
  }

  private static Map<String, Diagnosis> buildIndex() {
    var index = new java.util.HashMap<String, Diagnosis>();
    for (Diagnosis d : values()) {
      index.put(d.code, d);
      for (String alias : d.aliases) {
        index.put(alias, d);
      }
    }
    return Map.copyOf(index);
  }
}
