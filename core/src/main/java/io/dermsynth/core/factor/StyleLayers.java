package io.dermsynth.core.factor;

import io.dermsynth.core.gan.GanArchitecture;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which style layers SeFa factorises and an edit moves. A selection is a group or a comma-separated
 * list of layer names: {@code all}; the StyleGAN paper's {@code coarse} (4²–8²), {@code middle}
 * (16²–32²) and {@code fine} (64² and up) by block resolution; or names such as
 * {@code b8.conv0,b8.conv1}. Groups leave ToRGB layers out (genforce/sefa factorises the convs' styles);
 * {@code includeToRgb} or naming them ({@code b16.torgb}) brings them in.
 */
public final class StyleLayers {

  public static final List<String> GROUPS = List.of("all", "coarse", "middle", "fine");

  private StyleLayers() {}

  /** Every modulated layer of a generator, in W+ order (convs and ToRGBs). */
  public static List<StyleLayer> of(GanArchitecture arch) {
    List<StyleLayer> out = new ArrayList<>();
    int w = 0;
    for (int res : arch.blockResolutions()) {
      if (res > 4) {
        out.add(new StyleLayer("b" + res + ".conv0", res, w++, false));
      }
      out.add(new StyleLayer("b" + res + ".conv1", res, w++, false));
      out.add(new StyleLayer("b" + res + ".torgb", res, w, true));
    }
    if (w + 1 != arch.numWs()) {
      throw new IllegalStateException("layer walk gave " + (w + 1) + " W+ rows, architecture has " + arch.numWs());
    }
    return out;
  }

  /**
   * The layers a selection names, in W+ order.
   *
   * @param spec a group ({@link #GROUPS}) or comma-separated layer names
   * @param includeToRgb whether a group also takes its blocks' ToRGB layers
   */
  public static List<StyleLayer> select(GanArchitecture arch, String spec, boolean includeToRgb) {
    Map<String, StyleLayer> byName = new LinkedHashMap<>();
    of(arch).forEach(l -> byName.put(l.name(), l));
    String s = spec.trim().toLowerCase(Locale.ROOT);
    List<StyleLayer> out = new ArrayList<>();
    if (GROUPS.contains(s)) {
      for (StyleLayer l : byName.values()) {
        if ((includeToRgb || !l.toRgb()) && inGroup(s, l.resolution())) {
          out.add(l);
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("layer group '" + s + "' is empty at resolution " + arch.resolution()
            + " (coarse 4–8, middle 16–32, fine ≥ 64); layers: " + byName.keySet());
      }
      return out;
    }
    for (String name : s.split(",")) {
      StyleLayer l = byName.get(name.trim());
      if (l == null) {
        throw new IllegalArgumentException("no style layer '" + name.trim() + "'; use one of " + GROUPS
            + " or names from " + byName.keySet());
      }
      if (!out.contains(l)) {
        out.add(l);
      }
    }
    List<StyleLayer> order = List.copyOf(byName.values());
    out.sort(Comparator.comparingInt(order::indexOf));
    return out;
  }

  private static boolean inGroup(String group, int res) {
    return switch (group) {
      case "coarse" -> res <= 8;
      case "middle" -> res >= 16 && res <= 32;
      case "fine" -> res >= 64;
      default -> true;
    };
  }
}
