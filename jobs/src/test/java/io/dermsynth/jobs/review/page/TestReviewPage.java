package io.dermsynth.jobs.review.page;

import static io.dermsynth.jobs.cli.TestCommandLine.cli;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.jobs.Notebooks;
import io.dermsynth.jobs.PythonNotebook;
import io.dermsynth.jobs.S3Server;
import io.dermsynth.jobs.SparkTest;
import io.dermsynth.jobs.augment.AugmentFixture;
import io.dermsynth.jobs.review.ReviewSettings;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.jobs.cli.TestCommandLine.Outcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page on a warehouse of inverted phantoms with 3 SeFa directions (tiny32): its locks over
 * plain HTTP, then a person's path through it in Debian's Chromium driven by Selenium, then augment
 * using exactly what was approved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestReviewPage {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private static final Pattern BASIS = Pattern.compile("name=\"basis\" value=\"([0-9]*)\"");
  /** Where the screenshots land; docs/ keeps copies for the README. */
  private static final Path SHOTS = Path.of("target", "review-screenshots");

  private Path base;
  private Path wh;
  private JobContext ctx;
  private ReviewServer server;
  private List<String> ids;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  void startPage(@TempDir Path tmp) throws Exception {
    base = tmp;
    wh = tmp.resolve("wh");
    AugmentFixture.sixteenTrainLatents(tmp, wh);
    ctx = SparkTest.context(wh, Map.of("review.token", "a-test-token-of-enough-length"));
    ids = ctx.tables().read(Tables.DIRECTIONS).orderBy("rank").select("direction_id").collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    assertEquals(3, ids.size());
    server = ReviewJob.start(ctx, null, ReviewSettings.of(ctx.settings(), null, 0, false));
    server.awaitStrips(300);
  }

  @AfterAll
  void stopPage() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void everyRequestNeedsTheTokenPostsTheCsrfTokenAndImagesAreIdsNotPaths() throws Exception {
    for (String path : List.of("/", "/directions/" + ids.get(0), "/img/" + ids.get(0) + "/0/0", "/src/0",
        "/nothing")) {
      assertEquals(401, get(path, null).statusCode(), path);
    }
    // Paths Jetty refuses before any route (above the root, encoded separators) name nothing: 404.
    assertEquals(404, get("/img/../../etc/passwd", null).statusCode());
    assertEquals(401, get("/?token=wrong-token", null).statusCode());
    HttpResponse<String> first = get("/?token=" + server.token(), null);
    assertEquals(302, first.statusCode(), "the token is traded for a cookie, and dropped from the address");
    String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.startsWith("dermsynth_review=" + server.token()) && cookie.contains("HttpOnly")
        && cookie.contains("SameSite=Strict"), cookie);
    assertEquals(200, send(HttpRequest.newBuilder(uri("/")).header("Cookie", cookie.split(";")[0])).statusCode());

    String bearer = "Bearer " + server.token();
    assertEquals(200, get("/img/" + ids.get(0) + "/3/6", bearer).statusCode());
    for (String path : List.of("/img/../../etc/passwd", "/img/..%2F..%2Fetc%2Fpasswd", "/src/..%2F..%2Fetc%2Fpasswd",
        "/img/%2e%2e/%2e%2e/etc/passwd", "/img/" + ids.get(0) + "/0/..%2F..%2F..%2Fetc%2Fpasswd",
        "/img/" + ids.get(0) + "/4/0", "/img/" + ids.get(0) + "/0/7", "/img/" + ids.get(0) + "/-1/0",
        "/img/not-a-direction/0/0", "/src/4", "/src/etc", "/directions/..%2F..%2Fetc")) {
      HttpResponse<String> r = get(path, bearer);
      assertEquals(404, r.statusCode(), path + " → " + r.body());
      assertFalse(r.body().contains("root:"), path);
    }

    String page = get("/directions/" + ids.get(0), bearer).body();
    Matcher m = CSRF.matcher(page);
    assertTrue(m.find(), page);
    String csrf = m.group(1);
    String good = "decision=approved&name=size&alpha_min=-1&alpha_max=1&reviewer=t";
    assertEquals(403, post(ids.get(0), good + "&csrf=wrong", bearer).statusCode());
    assertEquals(403, post(ids.get(0), good, bearer).statusCode());
    assertEquals(401, post(ids.get(0), good + "&csrf=" + csrf, null).statusCode());
    Map<String, String> invalid = Map.of(
        "decision=approved&name=size&alpha_min=2&alpha_max=-1&reviewer=t", "alpha_min (2.0) must be below alpha_max (-1.0)",
        "decision=approved&name=size&alpha_min=1&alpha_max=1&reviewer=t", "must be below alpha_max",
        "decision=approved&name=size&alpha_min=abc&alpha_max=1&reviewer=t", "alpha_min must be a number, got 'abc'",
        "decision=approved&name=size&alpha_min=NaN&alpha_max=1&reviewer=t", "alpha_min = NaN must be a finite number in [-100, 100]",
        "decision=approved&name=size&alpha_max=1&reviewer=t", "alpha_min is required to approve",
        "decision=approved&name=&alpha_min=-1&alpha_max=1&reviewer=t", "an approved direction needs a name",
        "decision=approved&name=" + "n".repeat(61) + "&alpha_min=-1&alpha_max=1&reviewer=t",
        "name is 61 characters; at most 60",
        "decision=maybe&reviewer=t", "decision must be one of [approved, rejected], got 'maybe'",
        "decision=rejected&reviewer=", "reviewer is required");
    for (var e : invalid.entrySet()) {
      HttpResponse<String> r = post(ids.get(0), e.getKey() + "&csrf=" + csrf, bearer);
      assertEquals(400, r.statusCode(), e.getKey());
      String text = r.body().replace("&#39;", "'").replace("&quot;", "\"").replace("&#61;", "=").replace("&amp;", "&");
      assertTrue(text.contains(e.getValue()), e.getKey() + " → " + r.body());
    }
    assertFalse(ctx.tables().exists(Tables.DIRECTION_REVIEWS), "nothing written by refused requests");

    Outcome remote = cli("review", "--set", "warehouse=" + wh, "--host", "0.0.0.0");
    assertEquals(2, remote.code());
    assertTrue(remote.err().contains("not a loopback address") && remote.err().contains("--allow-remote"),
        remote.err());
  }

  @Test
  @Order(2)
  void aReviewerApprovesADirectionInTheBrowserAndAugmentUsesExactlyTheApprovedSet() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (ci && !browser) {
      throw new AssertionError("CI needs Debian's chromium and chromium-driver (.ci/run installs them)");
    }
    Assumptions.assumeTrue(browser, "apt-get install chromium chromium-driver to run the browser test");
    Files.createDirectories(SHOTS);
    WebDriver driver = chromium();
    try {
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(120));
      driver.get(server.url());
      assertEquals("/", URI.create(driver.getCurrentUrl()).getPath());
      assertFalse(driver.getCurrentUrl().contains("token="), driver.getCurrentUrl());
      List<WebElement> rows = driver.findElements(By.cssSelector("tr.direction"));
      assertEquals(3, rows.size());
      assertEquals(3, driver.findElements(By.cssSelector("svg.lpips-chart")).size(), "an LPIPS chart per direction");

      // The second direction, so that the approved set is not simply the top one.
      driver.findElement(By.cssSelector("tr.direction[data-direction='" + ids.get(1) + "'] a")).click();
      wait.until(d -> allImagesLoaded(d, 4 * 7 + 4));
      assertEquals(28, driver.findElements(By.cssSelector("img.edit")).size());
      assertEquals("not reviewed", driver.findElement(By.id("current-decision")).getText());

      driver.findElement(By.id("approve")).click();
      type(driver, "name", "pigment");
      type(driver, "alpha_min", "-1");
      type(driver, "alpha_max", "2");
      type(driver, "reviewer", "dr. review");
      type(driver, "note", "darker pigment, same outline");
      driver.findElement(By.id("save")).click();
      wait.until(ExpectedConditions.textToBe(By.id("current-decision"), "approved"));
      driver.navigate().refresh();
      wait.until(d -> allImagesLoaded(d, 32));
      assertEquals("approved", driver.findElement(By.id("current-decision")).getText());
      assertTrue(driver.findElement(By.tagName("h1")).getText().contains("pigment"));
      List<WebElement> history = driver.findElements(By.cssSelector("#history tr.review"));
      assertEquals(1, history.size());
      assertTrue(history.get(0).getText().contains("-1 … 2") && history.get(0).getText().contains("dr. review"),
          history.get(0).getText());
      shot(driver, "review-direction.png");
      driver.get("http://127.0.0.1:" + server.port() + "/");
      assertTrue(driver.findElement(By.cssSelector("tr.direction[data-direction='" + ids.get(1) + "']")).getText()
          .contains("approved"));
      shot(driver, "review-list.png");
    } finally {
      driver.quit();
    }

    List<Row> reviews = ctx.tables().read(Tables.DIRECTION_REVIEWS).collectAsList();
    assertEquals(1, reviews.size());
    Row r = reviews.get(0);
    assertEquals(ids.get(1), r.getAs("direction_id"));
    assertEquals("approved", r.getAs("decision"));
    assertEquals("pigment", r.getAs("name"));
    assertEquals(-1.0, (double) r.getAs("alpha_min"));
    assertEquals(2.0, (double) r.getAs("alpha_max"));
    assertEquals("dr. review", r.getAs("reviewer"));
    assertEquals("darker pigment, same outline", r.getAs("note"));

    // A later decision replaces an earlier one: the third direction approved, then rejected, is not used.
    String bearer = "Bearer " + server.token();
    String opened = get("/directions/" + ids.get(2), bearer).body();
    Matcher m = CSRF.matcher(opened);
    assertTrue(m.find());
    Matcher basis = BASIS.matcher(opened);
    assertTrue(basis.find() && basis.group(1).isEmpty(), "a page without a decision has an empty basis");
    assertEquals(302, post(ids.get(2), "decision=approved&name=size&alpha_min=-2&alpha_max=2&reviewer=t&csrf="
        + m.group(1) + "&basis=", bearer).statusCode());
    // The same page, submitted again after that approval: its form was made against no decision, so the
    // save answers 409, shows the newer decision and keeps what was typed; saved again from there, it holds.
    String reject = "decision=rejected&reviewer=t&note=changes+the+background&csrf=" + m.group(1) + "&basis=";
    HttpResponse<String> stale = post(ids.get(2), reject, bearer);
    assertEquals(409, stale.statusCode(), stale.body());
    String staleText = stale.body().replace("&#39;", "'").replace("&amp;", "&");
    assertTrue(staleText.contains("another decision was saved after this page was opened: approved, α -2 … 2 by t")
        && staleText.contains(">changes the background</textarea>"), staleText);
    assertEquals(2, ctx.tables().read(Tables.DIRECTION_REVIEWS).count(), "nothing written by the stale form");
    Matcher fresh = BASIS.matcher(stale.body());
    assertTrue(fresh.find() && !fresh.group(1).isEmpty(), stale.body());
    assertEquals(302, post(ids.get(2), reject.replace("&basis=", "&basis=" + fresh.group(1)), bearer).statusCode());
    assertEquals(3, ctx.tables().read(Tables.DIRECTION_REVIEWS).count(), "append-only");

    String[] augment = AugmentFixture.augment(wh, 100);
    augment[4] = "augment.directions=approved";
    Outcome a = cli(augment);
    assertEquals(0, a.code(), a.err());
    assertFalse(a.out().contains("unattended"), a.out());
    var synth = ctx.tables().read(Tables.SYNTHETIC);
    // 16 latents × the one approved direction × the fixture's alphas inside [-1, 2]: -1, 0, 1, 2.
    assertEquals(64, synth.count());
    assertEquals(List.of(ids.get(1)), synth.select("direction_id").distinct().collectAsList().stream()
        .map(x -> x.getString(0)).toList());
    assertEquals(List.of(-1.0, 0.0, 1.0, 2.0), synth.select("alpha").distinct().orderBy("alpha").collectAsList()
        .stream().map(x -> x.getDouble(0)).toList());
    assertEquals(0, synth.where("direction_source <> 'approved'").count());
  }

  @Test
  @Order(3)
  void theNotebooksRunOnTheWarehouseAndTheirChecksHold() throws Exception {
    int cells = 0;
    Map<String, String> widgets = Notebooks.registerByName(ctx.spark(), wh);
    for (String notebook : List.of("01_explore_images.sql", "02_directions_and_synthetic.sql")) {
      for (Notebooks.Cell c : Notebooks.sqlCells(notebook, widgets)) {
        List<Row> rows = c.run(ctx.spark());
        if (c.mustBeEmpty()) {
          assertEquals(List.of(), rows, notebook + ": " + c.sql());
        }
        cells++;
      }
    }
    assertEquals(13, cells);
    List<Row> decisions = Notebooks.sqlCells("02_directions_and_synthetic.sql", widgets).stream()
        .filter(c -> c.sql().contains("direction_reviews")).findFirst().orElseThrow().run(ctx.spark());
    assertEquals(3, decisions.size());
    assertEquals("approved", decisions.get(1).getAs("decision"));
    assertEquals(64L, (long) decisions.get(1).getAs("synthetic_images"));
    assertEquals("rejected", decisions.get(2).getAs("decision"), "the latest of approve-then-reject");
    assertTrue(decisions.get(0).isNullAt(decisions.get(0).fieldIndex("decision")), "never reviewed");
  }

  @Test
  @Order(4)
  void thePageWorksWithTablesAndModelsOnS3a() throws Exception {
    try (S3Server s3 = new S3Server(base.resolve("s3"), "lesions")) {
      org.apache.hadoop.conf.Configuration conf = ctx.spark().sparkContext().hadoopConfiguration();
      s3.configure(conf);
      org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path("s3a://lesions/dermsynth");
      org.apache.hadoop.fs.FileUtil.copy(new java.io.File(wh.toString()), remote.getFileSystem(conf), remote, false,
          conf);
      JobContext s3ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", remote.toString(),
          "review.token", "a-test-token-of-enough-length")));
      String model = Runs.latestModelPath(ctx, "train-inverter").replace(wh.toString(), remote.toString());
      assertTrue(model.startsWith("s3a://lesions/dermsynth/models/"), model);
      long before = s3ctx.tables().read(Tables.DIRECTION_REVIEWS).count();
      try (ReviewServer page = ReviewJob.start(s3ctx, model, ReviewSettings.of(s3ctx.settings(), null, 0, false))) {
        String bearer = "Bearer " + page.token();
        HttpResponse<String> list = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port() + "/"))
            .header("Authorization", bearer));
        assertEquals(200, list.statusCode());
        assertTrue(list.body().contains("pigment"), "the decision made on the local copy is read back from S3");
        HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port()
            + "/img/" + ids.get(0) + "/0/6")).header("Authorization", bearer).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, img.statusCode());
        assertEquals(32 * 32 * 3, io.dermsynth.core.gan.GanImages.decodeOne(img.body(), 32).length);
        String opened = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port()
            + "/directions/" + ids.get(0))).header("Authorization", bearer)).body();
        Matcher m = CSRF.matcher(opened);
        Matcher basis = BASIS.matcher(opened);
        assertTrue(m.find() && basis.find());
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + page.port()
            + "/directions/" + ids.get(0) + "/reviews")).header("Authorization", bearer)
            .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
                "decision=rejected&reviewer=s3&csrf=" + m.group(1) + "&basis=" + basis.group(1))));
        assertEquals(302, r.statusCode());
      }
      List<Row> s3rows = s3ctx.tables().read(Tables.DIRECTION_REVIEWS).where("reviewer = 's3'").collectAsList();
      assertEquals(before + 1, s3ctx.tables().read(Tables.DIRECTION_REVIEWS).count());
      assertEquals(1, s3rows.size());
      assertEquals(ids.get(0), s3rows.get(0).getAs("direction_id"));
      assertTrue(s3ctx.tables().path(Tables.DIRECTION_REVIEWS).startsWith("s3a://"));
    }
  }

  /**
   * The Python notebook in python3, its Spark and JVM calls answered by this session: a strip per direction
   * with a PNG per image and strength, and a decision recorded through review-decide (and one refused).
   */
  @Test
  @Order(5)
  void thePythonNotebookShowsEachStripAndRecordsDecisionsThroughReviewDecide() throws Exception {
    Map<String, String> widgets = new java.util.HashMap<>(Notebooks.registerByName(ctx.spark(), wh));
    widgets.putAll(Map.of("kind", "external", "warehouse", wh.toString(), "images", "2", "alphas", "-2,0,2",
        "direction", ids.get(2), "decision", "approve", "name", "from python", "alpha_min", "-1.5",
        "alpha_max", "1", "reviewer", "notebook"));
    long before = ctx.tables().read(Tables.DIRECTION_REVIEWS).count();
    PythonNotebook.Result r = PythonNotebook.run(ctx.spark(), "05_review_directions.py", widgets, base);

    // The three directions, each 2 images × 3 strengths; at α 0 the render is the unedited one (LPIPS 0).
    // The direction broken above shows why it cannot render, as on the page, and the others still show.
    String page = String.join("", r.html());
    Matcher img = Pattern.compile("data:image/png;base64,([A-Za-z0-9+/=]+)").matcher(page);
    int pictures = 0;
    while (img.find()) {
      byte[] png = java.util.Base64.getDecoder().decode(img.group(1));
      assertEquals(32 * 32 * 3, io.dermsynth.core.gan.GanImages.decodeOne(png, 32).length);
      pictures++;
    }
    assertEquals(3 * 2 * 3, pictures, r.log());
    assertEquals(3 * 2, page.split("&alpha; \\+0\\.0<br/>LPIPS 0\\.000", -1).length - 1, page.length() + " chars");
    for (String id : ids) {
      assertTrue(page.contains("direction " + id), id);
    }
    assertTrue(page.matches("(?s).*direction d-broken</h3><p>cannot render this strip: .*must be \\[512].*"), page
        .replaceAll("base64,[^\"]+", "base64,…"));
    // The decision: one row more, the latest for that direction, as review-decide writes it.
    assertEquals(before + 1, ctx.tables().read(Tables.DIRECTION_REVIEWS).count());
    Row row = ctx.tables().read(Tables.DIRECTION_REVIEWS).where(col("reviewer").equalTo("notebook")).first();
    assertEquals(ids.get(2), row.getAs("direction_id"));
    assertEquals("approved", row.getAs("decision"));
    assertEquals("from python", row.getAs("name"));
    assertEquals(-1.5, row.<Double>getAs("alpha_min"));
    assertEquals(1.0, row.<Double>getAs("alpha_max"));
    assertEquals(1, ctx.tables().read(Tables.RUNS).where("command = 'review-decide'")
        .where(col("run_id").equalTo(row.<String>getAs("run_id"))).count());
    // What was displayed: the directions, every commit of direction_reviews, and its directions then and now.
    assertEquals(List.of(4, (int) ctx.tables().delta(Tables.DIRECTION_REVIEWS).history().count(),
        (int) ctx.tables().read(Tables.DIRECTION_REVIEWS).select("direction_id").distinct().count()),
        r.displayed(), r.log());

    // What the page refuses, the notebook refuses: an approval without its name and range.
    widgets.putAll(Map.of("name", "", "alpha_min", "", "alpha_max", ""));
    AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> PythonNotebook.run(ctx.spark(), "05_review_directions.py", widgets, base));
    assertTrue(refused.getMessage().contains("review-decide refused (exit 2)"), refused.getMessage());
    assertEquals(before + 1, ctx.tables().read(Tables.DIRECTION_REVIEWS).count());
  }

  private static WebDriver chromium() {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    // Flags for a headless root run on a machine without outside network (env notes).
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1100");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    return new ChromeDriver(service, o);
  }

  private static boolean allImagesLoaded(WebDriver d, int expected) {
    Object ok = ((JavascriptExecutor) d).executeScript("const im = Array.from(document.images);"
        + "return im.length === arguments[0] && im.every(i => i.complete && i.naturalWidth > 0);", expected);
    return Boolean.TRUE.equals(ok);
  }

  private static void type(WebDriver d, String id, String text) {
    WebElement e = d.findElement(By.id(id));
    e.clear();
    e.sendKeys(text);
  }

  private static void shot(WebDriver d, String name) throws IOException {
    Files.write(SHOTS.resolve(name), ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES));
  }

  @Test
  @Order(4)
  void aStripThatCannotRenderSaysWhyAndAWriteThatFailsKeepsTheForm() throws Exception {
    // A direction whose vector has the wrong length: its strip cannot be rendered.
    Row good = ctx.tables().read(Tables.DIRECTIONS).where(col("direction_id").equalTo(ids.get(0))).first();
    ctx.tables().append(Tables.DIRECTIONS, ctx.tables().read(Tables.DIRECTIONS).where(col("direction_id")
        .equalTo(ids.get(0))).withColumn("direction_id", lit("d-broken")).withColumn("rank", lit(99))
        .withColumn("vector", org.apache.spark.sql.functions.array(lit(1f), lit(0f), lit(0f))));
    assertTrue(good.getList(good.fieldIndex("vector")).size() > 3);
    try (ReviewServer page = ReviewJob.start(ctx, null, ReviewSettings.of(ctx.settings(), null, 0, false))) {
      String bearer = "Bearer " + page.token();
      String root = "http://127.0.0.1:" + page.port();
      HttpResponse<String> broken = send(HttpRequest.newBuilder(URI.create(root + "/directions/d-broken"))
          .header("Authorization", bearer));
      assertEquals(200, broken.statusCode(), broken.body());
      assertTrue(broken.body().contains("id=\"render-failed\"") && broken.body().contains("could not be rendered"),
          broken.body());
      String list = send(HttpRequest.newBuilder(URI.create(root + "/")).header("Authorization", bearer)).body();
      assertTrue(list.contains("render failed: "), list);
      Matcher csrf = CSRF.matcher(broken.body());
      Matcher basis = BASIS.matcher(broken.body());
      assertTrue(csrf.find() && basis.find());
      HttpResponse<String> rejected = send(HttpRequest.newBuilder(URI.create(root + "/directions/d-broken/reviews"))
          .header("Authorization", bearer).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("decision=rejected&reviewer=t&note=does+not+render&csrf="
              + csrf.group(1) + "&basis=" + basis.group(1))));
      assertEquals(302, rejected.statusCode(), rejected.body());
      assertEquals("rejected", ctx.tables().read(Tables.DIRECTION_REVIEWS).where(col("direction_id")
          .equalTo("d-broken")).first().getAs("decision"));

      // The table can be read but not written: a commit adds a writer feature this Delta does not know, as a
      // newer writer or a locked-down table would. 503, the typed values are on the page, and nothing is lost.
      Path log = wh.resolve(Tables.DIRECTION_REVIEWS).resolve("_delta_log");
      long version = latestCommit(log);
      String protocol = latestProtocol(log, version);
      long reviewsBefore = ctx.tables().read(Tables.DIRECTION_REVIEWS).count();
      Files.writeString(log.resolve(String.format("%020d.json", version + 1)), "{\"protocol\":{\"minReaderVersion\":1,"
          + "\"minWriterVersion\":7,\"writerFeatures\":[\"dermsynthTestReadOnly\"]}}\n");
      try {
        String opened = send(HttpRequest.newBuilder(URI.create(root + "/directions/d-broken"))
            .header("Authorization", bearer)).body();
        Matcher b = BASIS.matcher(opened);
        assertTrue(b.find(), opened);
        HttpResponse<String> failed = post(root, bearer, "d-broken", "decision=approved&reviewer=t&note=kept+text"
            + "&alpha_min=-2&alpha_max=3&name=kept-name&csrf=" + csrf.group(1) + "&basis=" + b.group(1));
        assertEquals(503, failed.statusCode(), failed.body());
        assertTrue(failed.body().contains("could not be written to direction_reviews"), failed.body());
        assertTrue(failed.body().contains(">kept text</textarea>") && failed.body().contains("value=\"kept-name\"")
            && failed.body().contains("value=\"-2\"") && failed.body().contains("value=\"3\""), failed.body());
        assertEquals(reviewsBefore, ctx.tables().read(Tables.DIRECTION_REVIEWS).count(), "reads still work");
      } finally {
        // A later commit restores the table's own protocol (the log only moves forward).
        Files.writeString(log.resolve(String.format("%020d.json", version + 2)), protocol + "\n");
      }

      assertEquals(reviewsBefore, ctx.tables().read(Tables.DIRECTION_REVIEWS).count());
      // The table is writable again: the same page saves.
      String reopened = send(HttpRequest.newBuilder(URI.create(root + "/directions/d-broken"))
          .header("Authorization", bearer)).body();
      Matcher b = BASIS.matcher(reopened);
      assertTrue(b.find(), reopened);
      assertEquals(302, post(root, bearer, "d-broken", "decision=rejected&reviewer=t&note=saved&csrf=" + csrf.group(1)
          + "&basis=" + b.group(1)).statusCode());
      assertEquals(reviewsBefore + 1, ctx.tables().read(Tables.DIRECTION_REVIEWS).count());
    }
  }

  private HttpResponse<String> post(String root, String bearer, String direction, String form) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(root + "/directions/" + direction + "/reviews"))
        .header("Authorization", bearer).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  private static long latestCommit(Path log) throws IOException {
    try (var files = Files.list(log)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d{20}\\.json"))
          .mapToLong(n -> Long.parseLong(n.substring(0, 20))).max().orElseThrow();
    }
  }

  /** The table's current protocol action, as its log line. */
  private static String latestProtocol(Path log, long latest) throws IOException {
    for (long v = latest; v >= 0; v--) {
      Path commit = log.resolve(String.format("%020d.json", v));
      if (Files.exists(commit)) {
        for (String line : Files.readAllLines(commit)) {
          if (line.startsWith("{\"protocol\"")) {
            return line;
          }
        }
      }
    }
    throw new IllegalStateException("no protocol action under " + log);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b);
  }

  private HttpResponse<String> post(String direction, String form, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri("/directions/" + direction + "/reviews"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
