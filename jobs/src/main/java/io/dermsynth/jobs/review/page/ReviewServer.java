package io.dermsynth.jobs.review.page;

import io.dermsynth.jobs.review.ReviewSample;
import io.dermsynth.jobs.review.ReviewDirection;
import io.dermsynth.jobs.review.ReviewSettings;
import io.dermsynth.jobs.review.ReviewForm;
import io.dermsynth.jobs.review.DirectionReviews;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.MustacheFactory;
import io.dermsynth.jobs.review.DirectionReviews.Review;
import io.dermsynth.jobs.runtime.JobContext;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.StringWriter;
import org.eclipse.jetty.server.ServerConnector;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The review page: a list of directions with their LPIPS per alpha step and current decision, a page per
 * direction with its edit strips, a decision form and the history. Routes take ids and indices, never
 * paths: an image is looked up by (direction id, sample index, step index) in memory, so no request can
 * name a file.
 */
public final class ReviewServer implements AutoCloseable {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);
  /** How long an image request waits for its strip (a paper256 strip on a CPU takes a while). */
  private static final long RENDER_WAIT_S = 600;

  private final JobContext ctx;
  private final ReviewSettings settings;
  private final String model;
  private final String generatorVersion;
  private final String runId;
  private final Map<String, ReviewDirection> directions;
  private final EditStrips strips;
  private final AccessGuard guard;
  private final MustacheFactory templates = new DefaultMustacheFactory("io/dermsynth/review");
  private final Javalin app;
  private final CountDownLatch stopped = new CountDownLatch(1);

  ReviewServer(JobContext ctx, ReviewSettings settings, String model, String generatorVersion, String runId,
      List<ReviewDirection> directions, EditStrips strips) {
    this.ctx = ctx;
    this.settings = settings;
    this.model = model;
    this.generatorVersion = generatorVersion;
    this.runId = runId;
    this.directions = directions.stream().collect(Collectors.toMap(ReviewDirection::id, Function.identity(),
        (a, b) -> a, LinkedHashMap::new));
    this.strips = strips;
    this.guard = new AccessGuard(settings.token());
    this.app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jetty.addConnector((server, http) -> {
        ServerConnector c = new ServerConnector(server, new NotFoundOnBadPath(http));
        c.setHost(settings.host());
        c.setPort(settings.port());
        return c;
      });
    });
    app.before(guard::check);
    app.before(c -> {
      c.header("X-Content-Type-Options", "nosniff");
      c.header("X-Frame-Options", "DENY");
      c.header("Referrer-Policy", "no-referrer");
      c.header("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; img-src 'self'; "
          + "form-action 'self'; frame-ancestors 'none'");
    });
    app.get("/", this::list);
    app.get("/directions/{id}", c -> c.html(directionPage(direction(c), List.of(), null)));
    app.post("/directions/{id}/reviews", this::decide);
    app.get("/img/{id}/{sample}/{step}", this::edit);
    app.get("/src/{sample}", this::source);
  }

  /** Starts serving; returns this. */
  ReviewServer start() {
    app.start();
    return this;
  }

  String model() {
    return model;
  }

  String generatorVersion() {
    return generatorVersion;
  }

  int directionCount() {
    return directions.size();
  }

  int sampleCount() {
    return strips.samples().size();
  }

  public int port() {
    return app.port();
  }

  public String token() {
    return guard.token();
  }

  /** The address to open, with the token (the first visit trades it for a cookie). */
  public String url() {
    return "http://" + (settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host()) + ":" + port()
        + "/?token=" + guard.token();
  }

  /** Blocks until {@link #close()}. */
  public void awaitClose() throws InterruptedException {
    stopped.await();
  }

  /** Waits up to {@code seconds} for every direction's strip (tests, screenshots). */
  public void awaitStrips(long seconds) throws Exception {
    for (ReviewDirection d : directions.values()) {
      strips.strip(d).get(seconds, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    app.stop();
    strips.close();
    stopped.countDown();
  }

  private ReviewDirection direction(Context c) {
    ReviewDirection d = directions.get(c.pathParam("id"));
    if (d == null) {
      throw new NotFoundResponse("no direction with that id for generator " + generatorVersion);
    }
    return d;
  }

  private void list(Context c) {
    Map<String, Review> current = current();
    List<Map<String, Object>> rows = new ArrayList<>();
    int pending = 0;
    for (ReviewDirection d : directions.values()) {
      Map<String, Object> row = directionScope(d, current.get(d.id()));
      EditStrip s = strips.ifReady(d.id());
      String failed = strips.failure(d.id());
      if (s != null) {
        row.put("chart", LpipsChart.svg(settings.alphas(), s.meanLpips(), settings.lpipsThreshold(), 140, 36));
        row.put("flagged", flagged(s));
      } else if (failed != null) {
        row.put("renderFailed", "render failed: " + failed);
      } else {
        pending++;
      }
      rows.add(row);
    }
    Map<String, Object> scope = common("Directions");
    scope.put("directions", rows);
    scope.put("samples", strips.samples().size());
    scope.put("alphaText", settings.alphas().stream().map(ReviewServer::num).collect(Collectors.joining(", ")));
    scope.put("pendingText", pending == 0 ? "" : pending + " of " + rows.size() + " strips still rendering: reload "
        + "for their charts.");
    c.html(render("list.mustache", scope));
  }

  private void decide(Context c) {
    ReviewDirection d = direction(c);
    ReviewForm form;
    try {
      form = ReviewForm.parse(c.formParamMap());
    } catch (ReviewForm.Invalid e) {
      c.status(400).html(directionPage(d, e.problems(), c.formParamMap()));
      return;
    }
    // The form carries the decision it was made against: a newer one in between (another reviewer, another
    // tab) is shown beside the posted values instead of being overwritten silently.
    Review current;
    try {
      current = current().get(d.id());
    } catch (Exception e) {
      // Spark's AnalysisException (a missing or unreadable table) is a checked exception thrown unchecked.
      c.status(503).html(directionPage(d, List.of("direction_reviews could not be read (" + e + "). Your values are "
          + "below; save again when the storage is back."), c.formParamMap()));
      return;
    }
    String basis = current == null ? "" : String.valueOf(current.decidedAt().toEpochMilli());
    String posted = c.formParam("basis") == null ? "" : c.formParam("basis");
    if (!posted.equals(basis)) {
      String newer = current == null ? "the decision this page showed is no longer the latest"
          : "another decision was saved after this page was opened: " + current.decision()
          + (current.alphaMin() == null ? "" : ", α " + num(current.alphaMin()) + " … " + num(current.alphaMax()))
          + " by " + current.reviewer() + " at " + TIME.format(current.decidedAt()) + " (the current decision above)";
      c.status(409).html(directionPage(d, List.of(newer + ". Your values are below; save again to replace it."),
          c.formParamMap()));
      return;
    }
    try {
      DirectionReviews.record(ctx, d.id(), generatorVersion, form, runId, settings.alphaUnit());
    } catch (Exception e) {
      c.status(503).html(directionPage(d, List.of("the decision could not be written to direction_reviews (" + e
          + "). Your values are below; save again when the storage is back."), c.formParamMap()));
      return;
    }
    c.redirect("/directions/" + d.id());
  }

  private void edit(Context c) throws Exception {
    ReviewDirection d = direction(c);
    int sample = index(c.pathParam("sample"), strips.samples().size());
    int step = index(c.pathParam("step"), settings.alphas().size());
    EditStrip s = strips.strip(d).get(RENDER_WAIT_S, TimeUnit.SECONDS);
    png(c, s.png()[sample][step]);
  }

  private void source(Context c) {
    png(c, strips.samples().get(index(c.pathParam("sample"), strips.samples().size())).png());
  }

  private static void png(Context c, byte[] bytes) {
    c.header("Cache-Control", "private, max-age=3600").contentType("image/png").result(bytes);
  }

  /** A path segment that must be an index below {@code n}; anything else is a 404. */
  private static int index(String segment, int n) {
    if (!segment.matches("[0-9]{1,3}") || Integer.parseInt(segment) >= n) {
      throw new NotFoundResponse("no such image");
    }
    return Integer.parseInt(segment);
  }

  private String directionPage(ReviewDirection d, List<String> errors, Map<String, List<String>> posted) {
    List<Review> history;
    try {
      history = DirectionReviews.history(ctx, generatorVersion).stream()
          .filter(r -> r.directionId().equals(d.id())).toList();
    } catch (Exception e) {
      // Storage out: the page still shows the strip and keeps the form; saving will say the same.
      history = List.of();
      errors = new ArrayList<>(errors);
      errors.add("the decisions so far could not be read (" + e + ")");
    }
    Review current = history.isEmpty() ? null : history.get(0);
    Map<String, Object> scope = directionScope(d, current);
    scope.putAll(common(d.label(current)));
    scope.put("current", current == null ? null : reviewScope(current));
    scope.put("basis", current == null ? "" : String.valueOf(current.decidedAt().toEpochMilli()));
    scope.put("alphas", settings.alphas().stream().map(ReviewServer::num).toList());
    scope.put("errors", errors);
    scope.put("hasErrors", !errors.isEmpty());
    scope.put("history", history.stream().map(this::reviewScope).toList());
    scope.put("hasHistory", !history.isEmpty());
    EditStrip s;
    try {
      s = strips.strip(d).join();
    } catch (java.util.concurrent.CompletionException e) {
      // The strip could not be rendered: say why; the decision form (to reject it) still works.
      scope.put("renderFailed", String.valueOf(e.getCause() == null ? e : e.getCause()));
      scope.put("form", formScope(current, null, posted));
      return render("direction.mustache", scope);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < strips.samples().size(); i++) {
      ReviewSample sample = strips.samples().get(i);
      List<Map<String, Object>> cells = new ArrayList<>();
      for (int j = 0; j < settings.alphas().size(); j++) {
        cells.add(Map.of("id", d.id(), "sample", i, "step", j, "alpha", num(settings.alphas().get(j)),
            "lpips", String.format(Locale.ROOT, "%.3f", s.lpips()[i][j]),
            "over", s.lpips()[i][j] > settings.lpipsThreshold()));
      }
      rows.add(Map.of("index", i, "imageId", sample.imageId(), "dx", sample.dx(), "cells", cells));
    }
    scope.put("rows", rows);
    double[] mean = s.meanLpips();
    List<Map<String, Object>> means = new ArrayList<>();
    for (double m : mean) {
      means.add(Map.of("value", String.format(Locale.ROOT, "%.3f", m), "over", m > settings.lpipsThreshold()));
    }
    scope.put("mean", means);
    scope.put("chart", LpipsChart.svg(settings.alphas(), mean, settings.lpipsThreshold(), 280, 72));
    scope.put("flagged", flagged(s));
    double[] suggested = s.suggestedRange(settings.alphas(), settings.lpipsThreshold());
    scope.put("suggested", suggested == null ? null : "α " + num(suggested[0]) + " … " + num(suggested[1]));
    scope.put("form", formScope(current, suggested, posted));
    return render("direction.mustache", scope);
  }

  /** The form's values: what was just posted (after an error), else the current decision, else suggestions. */
  private Map<String, Object> formScope(Review current, double[] suggested, Map<String, List<String>> posted) {
    Map<String, Object> f = new HashMap<>();
    if (posted != null) {
      posted.forEach((k, v) -> f.put(camel(k), v.isEmpty() ? "" : v.get(0)));
      f.put("approved", DirectionReviews.APPROVED.equals(f.get("decision")));
      f.put("rejected", DirectionReviews.REJECTED.equals(f.get("decision")));
      return f;
    }
    f.put("reviewer", settings.reviewer());
    if (current != null) {
      f.put("approved", current.decision().equals(DirectionReviews.APPROVED));
      f.put("rejected", current.decision().equals(DirectionReviews.REJECTED));
      f.put("name", current.name());
      f.put("note", current.note());
    }
    Double min = current != null && current.alphaMin() != null ? current.alphaMin()
        : suggested != null ? suggested[0] : null;
    Double max = current != null && current.alphaMax() != null ? current.alphaMax()
        : suggested != null ? suggested[1] : null;
    f.put("alphaMin", min == null ? "" : num(min));
    f.put("alphaMax", max == null ? "" : num(max));
    return f;
  }

  private static String camel(String key) {
    return switch (key) {
      case "alpha_min" -> "alphaMin";
      case "alpha_max" -> "alphaMax";
      default -> key;
    };
  }

  private Map<String, Object> directionScope(ReviewDirection d, Review current) {
    Map<String, Object> m = new HashMap<>();
    m.put("id", d.id());
    m.put("rank", d.rank());
    m.put("label", d.label(current));
    m.put("eigenvalue", String.format(Locale.ROOT, "%.3f", d.eigenvalue()));
    m.put("wStd", String.format(Locale.ROOT, "%.3f", d.wStd()));
    m.put("layers", d.layerSelection() + " (" + d.layers().size() + " layers)");
    m.put("decision", current == null ? null : reviewScope(current));
    return m;
  }

  private Map<String, Object> reviewScope(Review r) {
    Map<String, Object> m = new HashMap<>();
    m.put("decision", r.decision());
    m.put("name", r.name());
    m.put("range", r.alphaMin() == null ? null : num(r.alphaMin()) + " … " + num(r.alphaMax()));
    m.put("reviewer", r.reviewer());
    m.put("note", r.note());
    m.put("decidedAt", TIME.format(r.decidedAt()));
    return m;
  }

  private Map<String, Object> common(String title) {
    Map<String, Object> m = new HashMap<>();
    m.put("title", title);
    m.put("generatorVersion", generatorVersion);
    m.put("model", model);
    m.put("alphaUnit", settings.alphaUnit());
    m.put("threshold", num(settings.lpipsThreshold()));
    m.put("csrf", guard.csrf());
    return m;
  }

  /** The latest decision per direction of this generator. */
  private Map<String, Review> current() {
    Map<String, Review> latest = new HashMap<>();
    DirectionReviews.history(ctx, generatorVersion).forEach(r -> latest.putIfAbsent(r.directionId(), r));
    return latest;
  }

  private String flagged(EditStrip s) {
    List<Double> over = s.flaggedAlphas(settings.alphas(), settings.lpipsThreshold());
    return over.isEmpty() ? null : over.stream().map(ReviewServer::num).collect(Collectors.joining(", "));
  }

  private String render(String template, Map<String, Object> scope) {
    StringWriter w = new StringWriter();
    templates.compile(template).execute(w, scope);
    return w.toString();
  }

  /** 1.0 → "1", 1.5 → "1.5", −0.25 → "-0.25". */
  static String num(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
