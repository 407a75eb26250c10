package io.dermsynth.jobs.review;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A decision as the page posts it, checked field by field. Every problem is reported at once, in words a
 * reviewer can act on; nothing is written unless all fields hold.
 *
 * @param alphaMin with alphaMax, the range augment may use; null for a rejection
 */
public record ReviewForm(String decision, String name, Double alphaMin, Double alphaMax, String note,
    String reviewer) {

  static final int MAX_NAME = 60;
  static final int MAX_REVIEWER = 80;
  static final int MAX_NOTE = 2000;
  /** Far beyond any useful edit (±3 w_std breaks small64 images); a larger number is a typo. */
  static final int MAX_ABS_ALPHA = 100;

  /** The form's fields failed these checks. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    Invalid(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  /** Parses and checks the posted fields (first value of each). */
  public static ReviewForm parse(Map<String, List<String>> fields) throws Invalid {
    List<String> problems = new ArrayList<>();
    String decision = field(fields, "decision");
    if (!DirectionReviews.DECISIONS.contains(decision)) {
      problems.add("decision must be one of " + DirectionReviews.DECISIONS + ", got '" + decision + "'");
    }
    boolean approve = DirectionReviews.APPROVED.equals(decision);
    String name = text(fields, "name", MAX_NAME, problems);
    if (approve && name.isEmpty()) {
      problems.add("an approved direction needs a name (what it changes, e.g. 'lesion size')");
    }
    String reviewer = text(fields, "reviewer", MAX_REVIEWER, problems);
    if (reviewer.isEmpty()) {
      problems.add("reviewer is required");
    }
    String note = text(fields, "note", MAX_NOTE, problems);
    Double min = null;
    Double max = null;
    if (approve) {
      min = alpha(fields, "alpha_min", problems);
      max = alpha(fields, "alpha_max", problems);
      if (min != null && max != null && !(min < max)) {
        problems.add("alpha_min (" + min + ") must be below alpha_max (" + max + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new Invalid(problems);
    }
    return new ReviewForm(decision, name.isEmpty() ? null : name, min, max, note.isEmpty() ? null : note, reviewer);
  }

  private static String field(Map<String, List<String>> fields, String key) {
    List<String> v = fields.get(key);
    return v == null || v.isEmpty() || v.get(0) == null ? "" : v.get(0).trim();
  }

  private static String text(Map<String, List<String>> fields, String key, int maxLength, List<String> problems) {
    String v = field(fields, key);
    if (v.length() > maxLength) {
      problems.add(key + " is " + v.length() + " characters; at most " + maxLength);
    }
    // Line breaks are fine in a note; other control characters are not text anyone typed.
    boolean multiLine = key.equals("note");
    if (v.chars().anyMatch(ch -> Character.isISOControl(ch) && !(multiLine && (ch == '\n' || ch == '\r' || ch == '\t')))) {
      problems.add(key + " contains control characters");
    }
    return v;
  }

  private static Double alpha(Map<String, List<String>> fields, String key, List<String> problems) {
    String v = field(fields, key);
    if (v.isEmpty()) {
      problems.add(key + " is required to approve (the range augment may use)");
      return null;
    }
    double a;
    try {
      a = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      problems.add(key + " must be a number, got '" + v + "'");
      return null;
    }
    if (!Double.isFinite(a) || Math.abs(a) > MAX_ABS_ALPHA) {
      problems.add(key + " = " + v + " must be a finite number in [-" + MAX_ABS_ALPHA + ", " + MAX_ABS_ALPHA + "]");
      return null;
    }
    return a;
  }
}
