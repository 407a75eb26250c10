package io.dermsynth.jobs;

import io.dermsynth.jobs.cli.ClassSummary;
import io.dermsynth.jobs.gan.TrainGanJob;
import io.dermsynth.jobs.ingest.IngestJob;
import io.dermsynth.jobs.augment.AugmentJob;
import io.dermsynth.jobs.classify.EvaluateJob;
import io.dermsynth.jobs.classify.TrainClassifierJob;
import io.dermsynth.jobs.cli.DemoJob;
import io.dermsynth.jobs.cli.PipelineJob;
import io.dermsynth.jobs.cli.RunLines;
import io.dermsynth.jobs.cli.SqlJob;
import io.dermsynth.jobs.cli.TextTable;
import io.dermsynth.jobs.experiment.ExperimentJob;
import io.dermsynth.jobs.factor.FactorizeJob;
import io.dermsynth.jobs.gan.SampleJob;
import io.dermsynth.jobs.invert.InvertJob;
import io.dermsynth.jobs.invert.TrainInverterJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.PhantomDataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The `dermsynth` command line: one subcommand per stage. */
@Command(name = "dermsynth", mixinStandardHelpOptions = true, version = "dermsynth 0.1.0",
    description = "Labelled synthetic dermatoscopic images with StyleGAN2 + SeFa on Apache Spark "
        + "(arXiv 2410.05114).",
    subcommands = {Main.MakePhantoms.class, Main.Ingest.class, Main.TrainGan.class, Main.Sample.class,
        Main.TrainInverter.class, Main.Invert.class, Main.Factorize.class, Main.Review.class, Main.ReviewDecide.class,
        Main.Augment.class,
        Main.TrainClassifier.class,
        Main.Evaluate.class, Main.Experiment.class, Main.Export.class, Main.Sql.class, Main.RunsList.class, Main.Pipeline.class, Main.Demo.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    io.dermsynth.core.Libtorch.configure();
    if (System.getenv("MKL_CBWR") == null) {
      org.slf4j.LoggerFactory.getLogger(Main.class).warn("MKL_CBWR is not set: MKL may round differently in "
          + "another process, so a resumed run can end a few ulps from an uninterrupted one (bin/dermsynth and "
          + "deploy/ set MKL_CBWR=AUTO, see docs/OPERATIONS.md)");
    }
    int code = run(args);
    // A Databricks JAR task must return from main (System.exit there is undefined behaviour) and fails
    // the task by throwing; everywhere else the exit code is the answer. Waiting for a review is no failure.
    if (System.getenv("DATABRICKS_RUNTIME_VERSION") == null) {
      System.exit(code);
    } else if (code != EXIT_OK && code != EXIT_WAITING_FOR_REVIEW) {
      throw new IllegalStateException("dermsynth " + String.join(" ", args) + " failed with exit code " + code
          + " (see the output above)");
    }
  }

  /** Exit codes, for schedulers: done. */
  public static final int EXIT_OK = 0;
  /** Anything not the user's to fix: a storage or network error, a bug. A scheduler may retry. */
  public static final int EXIT_FAILED = 1;
  /** A mistake the user can fix (unknown key, bad path, bad SQL, missing table): retrying cannot help. */
  public static final int EXIT_USAGE = 2;
  /**
   * `pipeline` stopped before augment, or `augment` found no approved direction: waiting for a person to
   * review directions, not a failure.
   */
  public static final int EXIT_WAITING_FOR_REVIEW = 3;

  /** Runs a command line in this JVM and returns its exit code ({@link #EXIT_OK} … {@link #EXIT_WAITING_FOR_REVIEW}). */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      // Nothing approved to edit yet: a pause until a person reviews, not a failure.
      if (e instanceof io.dermsynth.jobs.review.WaitingForReview) {
        cmd.getErr().println("waiting for review: " + e.getMessage());
        return EXIT_WAITING_FOR_REVIEW;
      }
      // Mistakes a user can fix (bad key, bad path, bad SQL) get the message alone and exit code 2.
      if (isUsersToFix(e)) {
        cmd.getErr().println("error: " + e.getMessage());
        return EXIT_USAGE;
      }
      // Storage and network errors (s3a timeouts, a full disk) may pass: exit 1, which schedulers retry.
      cmd.getErr().println("error: " + e + (e instanceof java.io.IOException
          ? " (a storage or network error: running the command again may succeed; finished work is kept)" : ""));
      e.printStackTrace(cmd.getErr());
      return EXIT_FAILED;
    });
    int code = cli.execute(args);
    // print() on an autoflush PrintWriter does not flush, and main() ends in System.exit.
    out.flush();
    err.flush();
    return code;
  }

  /** What a command run by {@link #runInSession} returned and printed (stdout, then stderr). */
  public record Outcome(int code, String output) {}

  /**
   * Runs a command line in this JVM's Spark session (the one a notebook holds) and returns its exit code
   * and output: for callers through PySpark's JVM gateway (py4j turns a Python list into this List), whose
   * notebooks show what is returned, not what the driver prints.
   */
  public static Outcome runInSession(java.util.List<String> args) {
    io.dermsynth.core.Libtorch.configure();
    java.io.StringWriter text = new java.io.StringWriter();
    PrintWriter both = new PrintWriter(text, true);
    int code = run(both, both, args.toArray(String[]::new));
    return new Outcome(code, text.toString());
  }

  /** A bad argument, key, path, query or state the user set up: retrying the same command cannot help. */
  public static boolean isUsersToFix(Throwable e) {
    return e instanceof IllegalArgumentException || e instanceof IllegalStateException
        || e instanceof io.dermsynth.core.BadInputException
        || e instanceof java.io.FileNotFoundException || e instanceof java.nio.file.NoSuchFileException
        || e instanceof java.nio.file.NotDirectoryException || e instanceof org.apache.spark.sql.AnalysisException;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** --config and --set, on every command. */
  static final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
        description = "HOCON file overriding conf/application.conf; repeatable, later wins")
    List<Path> files = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "override one config key, e.g. --set warehouse=s3a://bucket/ds; repeatable")
    Map<String, String> sets = new LinkedHashMap<>();

    Settings settings() {
      return Settings.load(files, sets);
    }
  }

  /** A command: --config and --set, and the run's summary printed as `run ID: summary`. */
  abstract static class StageCommand implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** A stage run on the configured context. */
    interface Stage {
      io.dermsynth.jobs.runtime.JobResult run(JobContext ctx) throws Exception;
    }

    /** Runs the stage and prints its result; the exit code. */
    Integer printed(Stage stage) throws Exception {
      RunLines.printRun(spec.commandLine().getOut(), stage.run(JobContext.of(config.settings())));
      return EXIT_OK;
    }
  }

  @Command(name = "make-phantoms", mixinStandardHelpOptions = true,
      description = "Write a synthetic dataset in HAM10000 layout (7 classes at HAM10000's ratios).")
  static final class MakePhantoms extends StageCommand {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write")
    Path out;

    @Option(names = "--n", paramLabel = "N", description = "number of images (default: phantoms.n)")
    Integer n;

    @Override
    public Integer call() throws Exception {
      var c = config.settings().config().getConfig("phantoms");
      var summary = PhantomDataset.write(out, new PhantomDataset.Options(n != null ? n : c.getInt("n"),
          c.getInt("width"), c.getInt("height"), c.getLong("seed")));
      PrintWriter w = spec.commandLine().getOut();
      w.printf("wrote %d lesions to %s%n", summary.lesions(), out);
      summary.imagesPerClass().forEach((dx, k) -> w.printf("  %-6s %5d images%n", dx.code, k));
      return 0;
    }
  }

  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = "Read a dataset into Delta `images` (+ `quarantine` for what cannot be used).")
  static final class Ingest extends StageCommand {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "dataset folder")
    Path data;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "ham10000, isic, folders or labels-csv (default: detected)")
    String format;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = JobContext.of(config.settings());
      var r = IngestJob.run(ctx, data, format == null ? null : DatasetFormat.parse(format));
      PrintWriter w = spec.commandLine().getOut();
      RunLines.printRun(w, r);
      w.print(ClassSummary.render(ctx.tables()));
      return 0;
    }
  }

  @Command(name = "train-gan", mixinStandardHelpOptions = true,
      description = "Train StyleGAN2 on the train split of `images`, on the driver (gan.* settings).")
  static final class TrainGan extends StageCommand {

    @Option(names = "--resume", paramLabel = "RUN_DIR",
        description = "continue an interrupted run from the newest snapshot in its folder")
    String resume;

    @Override
    public Integer call() throws Exception {
      return printed(ctx -> TrainGanJob.run(ctx, resume));
    }
  }

  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = "Images from a trained StyleGAN2 (G_ema) for given seeds → a PNG grid and/or the "
          + "`gan_samples` table.")
  static final class Sample extends StageCommand {

    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "a train-gan run folder (newest snapshot), one snapshot, or an imported model")
    String model;

    @Option(names = "--seeds", defaultValue = "0-35", paramLabel = "SEEDS",
        description = "e.g. 0-35 or 1,5,9 (default: ${DEFAULT-VALUE})")
    String seeds;

    @Option(names = "--trunc", defaultValue = "1", paramLabel = "PSI",
        description = "truncation ψ: 1 none, 0 the average image (default: ${DEFAULT-VALUE})")
    float psi;

    @Option(names = "--noise", defaultValue = "const", paramLabel = "MODE",
        description = "const, random or none (default: ${DEFAULT-VALUE})")
    String noise;

    @Option(names = "--out", paramLabel = "FILE.png", description = "write a grid here (local or s3a://)")
    String out;

    @Option(names = "--table", description = "add one row per image to `gan_samples`")
    boolean table;

    @Override
    public Integer call() throws Exception {
      io.dermsynth.core.gan.NoiseMode mode;
      try {
        mode = io.dermsynth.core.gan.NoiseMode.valueOf(noise.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--noise must be const, random or none, got '" + noise + "'");
      }
      return printed(ctx -> SampleJob.run(ctx, model, SampleJob.parseSeeds(seeds), psi, mode, out, table));
    }
  }

  @Command(name = "train-inverter", mixinStandardHelpOptions = true,
      description = "Train the e4e encoder and the HyperStyle hypernetwork against a trained generator, on "
          + "the train split of `images`, on the driver (inverter.* settings).")
  static final class TrainInverter extends StageCommand {

    @Option(names = "--resume", paramLabel = "RUN_DIR",
        description = "continue an interrupted run from the newest snapshot in its folder")
    String resume;

    @Override
    public Integer call() throws Exception {
      return printed(ctx -> TrainInverterJob.run(ctx, resume));
    }
  }

  @Command(name = "invert", mixinStandardHelpOptions = true,
      description = "Invert every image of `images` not yet inverted by this inverter into `latents`, on "
          + "the executors (invert.* settings).")
  static final class Invert extends StageCommand {

    @Option(names = "--model", paramLabel = "DIR",
        description = "a train-inverter run folder (default: invert.model, else the newest run)")
    String model;

    @Override
    public Integer call() throws Exception {
      return printed(ctx -> InvertJob.run(ctx, model));
    }
  }

  @Command(name = "factorize", mixinStandardHelpOptions = true,
      description = "SeFa: semantic directions of the generator from its style weights, without labels, "
          + "into `directions` (factorize.* settings).")
  static final class Factorize extends StageCommand {

    @Option(names = "--model", paramLabel = "DIR",
        description = "a train-inverter or train-gan run folder (default: factorize.model, else the newest "
            + "train-inverter run)")
    String model;

    @Override
    public Integer call() throws Exception {
      return printed(ctx -> FactorizeJob.run(ctx, model));
    }
  }

  @Command(name = "review", mixinStandardHelpOptions = true,
      description = "The review page: a person approves, rejects and names directions, with edit strips and "
          + "LPIPS per alpha, into `direction_reviews` (review.* settings). Runs until stopped (Ctrl-C).")
  static final class Review extends StageCommand {

    @Option(names = "--model", paramLabel = "DIR",
        description = "the train-inverter run whose generator renders the edits (default: review.model, else the "
            + "newest)")
    String model;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to bind (default: review.host)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "port (default: review.port; 0 = any free one)")
    Integer port;

    @Option(names = "--allow-remote", description = "allow binding an address other machines can reach")
    boolean allowRemote;

    @Override
    public Integer call() throws Exception {
      Settings settings = config.settings();
      var review = io.dermsynth.jobs.review.ReviewSettings.of(settings, host, port, allowRemote);
      try (var server = io.dermsynth.jobs.review.page.ReviewJob.start(JobContext.of(settings), model, review)) {
        var out = spec.commandLine().getOut();
        out.println("review page: " + server.url());
        out.println("(the token in that address is the page's only lock; Ctrl-C stops the page)");
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitClose();
      }
      return 0;
    }
  }

  @Command(name = "review-decide", mixinStandardHelpOptions = true,
      description = "Record a decision on one direction without the page (Databricks, scheduled runs): the "
          + "page's checks and the same direction_reviews row.")
  static final class ReviewDecide extends StageCommand {
    @Option(names = "--direction", required = true, paramLabel = "ID", description = "directions.direction_id")
    String direction;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Verdict verdict;

    static final class Verdict {
      @Option(names = "--approve", required = true, description = "approve it (needs --name, --alpha-min, --alpha-max)")
      boolean approve;

      @Option(names = "--reject", required = true, description = "reject it")
      boolean reject;
    }

    @Option(names = "--name", description = "what it changes, e.g. 'lesion size'")
    String name;

    @Option(names = "--alpha-min", paramLabel = "A", description = "smallest alpha augment may use (augment.alpha_unit)")
    String alphaMin;

    @Option(names = "--alpha-max", paramLabel = "B", description = "largest alpha augment may use")
    String alphaMax;

    @Option(names = "--note", description = "the reviewer's note")
    String note;

    @Option(names = "--reviewer", paramLabel = "R", description = "who decides (default: review.reviewer, else the "
        + "user name)")
    String reviewer;

    @Override
    public Integer call() throws Exception {
      return printed(ctx -> io.dermsynth.jobs.review.ReviewDecision.run(ctx, direction,
          io.dermsynth.jobs.review.ReviewDecision.fields(verdict.approve ? "approved" : "rejected", name, alphaMin,
              alphaMax, note, reviewer != null ? reviewer
                  : io.dermsynth.jobs.review.ReviewSettings.defaultReviewer(ctx.settings()))));
    }
  }

  @Command(name = "augment", mixinStandardHelpOptions = true,
      description = "Edit train-split latents along directions into labelled synthetic images in `synthetic`, "
          + "on the executors (augment.* settings).")
  static final class Augment extends StageCommand {

    @Option(names = "--model", paramLabel = "DIR",
        description = "the train-inverter run whose latents are edited (default: augment.model, else the newest)")
    String model;

    @Override
    public Integer call() throws Exception {
      var r = AugmentJob.run(JobContext.of(config.settings()), model);
      var out = spec.commandLine().getOut();
      if (r.directionSource().equals("all_top_k")) {
        out.println("unattended: every top-k direction used, no human approval (augment.directions = all_top_k)");
      }
      RunLines.printRun(out, r);
      return 0;
    }
  }

  @Command(name = "train-classifier", mixinStandardHelpOptions = true,
      description = "Train a DenseNet on the train split of `images` (validated on val), on the driver.")
  static final class TrainClassifier extends StageCommand {

    @Option(names = "--resume", paramLabel = "MODEL_DIR",
        description = "continue an interrupted run from the checkpoint in its model folder")
    String resume;

    @Override
    public Integer call() throws Exception {
      return printed(ctx -> TrainClassifierJob.run(ctx, resume));
    }
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true,
      description = "Score a classifier on the test split (or --test-data) → `evaluations` + report.")
  static final class Evaluate extends StageCommand {

    @Option(names = "--model", paramLabel = "DIR",
        description = "model folder; repeat it to score several models in one run (default: the newest "
            + "train-classifier run's model)")
    List<String> models;

    @Option(names = "--test-data", paramLabel = "DIR",
        description = "a labelled folder in any supported layout instead of the test split")
    Path testData;

    @Override
    public Integer call() throws Exception {
      JobContext ctx = JobContext.of(config.settings());
      for (String model : models != null ? models : List.of(Runs.latestModelPath(ctx, "train-classifier"))) {
        RunLines.printRun(spec.commandLine().getOut(), EvaluateJob.run(ctx, model, testData));
      }
      return 0;
    }
  }

  @Command(name = "experiment", mixinStandardHelpOptions = true,
      description = "The paper's comparison: a classifier per arm (baseline, sa<N>, per-direction, lpips-sweep, "
          + "synthetic-only) and seed, on the same real test set → `evaluations` + report (experiment.* settings).")
  static final class Experiment extends StageCommand {

    @Override
    public Integer call() throws Exception {
      var r = ExperimentJob.run(JobContext.of(config.settings()));
      RunLines.printRun(spec.commandLine().getOut(), r);
      spec.commandLine().getOut().println("experiment_id: " + r.experimentId());
      return 0;
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write the real train split plus a synthetic pool as class folders or WebDataset shards, each "
          + "image with its label and lineage, for training outside Spark.")
  static final class Export extends StageCommand {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where (local, s3a://, dbfs:/)")
    String out;

    @Option(names = "--format", defaultValue = "imagefolder", description = "imagefolder | webdataset")
    String format;

    @Option(names = "--arm", paramLabel = "NAME", description = "the synthetic rows an experiment arm trains on "
        + "(e.g. sa2k), chosen as the experiment chooses them")
    String arm;

    @Option(names = "--pool", paramLabel = "SQL", description = "the synthetic rows this condition selects")
    String pool;

    @Option(names = "--shard-mb", defaultValue = "1024", description = "webdataset: MB per tar shard (~1 GB)")
    double shardMb;

    @Override
    public Integer call() throws Exception {
      return printed(ctx -> io.dermsynth.jobs.export.ExportJob.run(ctx, out,
          io.dermsynth.jobs.export.ExportFormat.parse(format), arm, pool, (long) (shardMb * (1 << 20))));
    }
  }

  @Command(name = "sql", mixinStandardHelpOptions = true,
      description = "Run a Spark SQL query over the tables (images, quarantine, runs, ...) and print it.")
  static final class Sql extends StageCommand {

    @Parameters(index = "0", paramLabel = "QUERY", description = "e.g. \"SELECT dx, count(*) FROM images GROUP BY dx\"")
    String query;

    @Option(names = "--max-rows", defaultValue = "100", description = "rows to print (default: ${DEFAULT-VALUE})")
    int maxRows;

    @Override
    public Integer call() {
      return printTable(config, spec, ctx -> SqlJob.run(ctx, query), maxRows);
    }
  }

  /** Prints the first {@code rows} rows of what {@code table} computes on the configured warehouse. */
  private static Integer printTable(ConfigOptions config, CommandLine.Model.CommandSpec spec,
      java.util.function.Function<JobContext, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> table,
      int rows) {
    spec.commandLine().getOut().print(TextTable.render(table.apply(JobContext.of(config.settings())), rows));
    return 0;
  }

  @Command(name = "runs", mixinStandardHelpOptions = true,
      description = "The newest runs: command, status (succeeded, failed, partial: stopped by a time budget, "
          + "running: started without an end — running now, or killed), start, duration, first figures, root seed "
          + "and the content hash of every table each wrote (equal hashes: equal rows, whichever run wrote them).")
  static final class RunsList extends StageCommand {

    @Option(names = "--last", defaultValue = "20", description = "runs to show, newest first (default: ${DEFAULT-VALUE})")
    int last;

    @Override
    public Integer call() {
      return printTable(config, spec, ctx -> {
        try {
          return Runs.listing(ctx, last);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }, last);
    }
  }

  @Command(name = "pipeline", mixinStandardHelpOptions = true,
      description = "The whole chain on a real dataset (pipeline.* presets, small64 by default): ingest → train-gan → "
          + "classifier → train-inverter → invert → factorize → augment (approved directions) → experiment. Run it "
          + "again to go on: finished training stages are reused.")
  static final class Pipeline extends StageCommand {

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "dataset folder")
    Path data;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "ham10000, isic, folders or labels-csv (default: detected)")
    String format;

    @Override
    public Integer call() throws Exception {
      Settings settings = Settings.load(config.files, config.sets, List.of(Settings.PIPELINE_LAYER));
      PipelineJob.Result r = PipelineJob.run(JobContext.of(settings), data,
          format == null ? null : DatasetFormat.parse(format), spec.commandLine().getOut());
      return r.waitingForReview() ? EXIT_WAITING_FOR_REVIEW : EXIT_OK;
    }
  }

  @Command(name = "demo", mixinStandardHelpOptions = true,
      description = "Run the whole pipeline on the embedded phantom dataset (minutes on a laptop CPU).")
  static final class Demo extends StageCommand {

    @Override
    public Integer call() throws Exception {
      DemoJob.run(JobContext.of(Settings.load(config.files, config.sets, List.of(Settings.DEMO_LAYER))),
          spec.commandLine().getOut());
      return 0;
    }
  }
}
