package io.dermsynth.jobs;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * Runs the Scala cells of a Databricks source-format notebook ({@code // COMMAND ----------} between
 * cells) in the Scala interpreter, one cell after another as a notebook does, with what a Databricks
 * notebook provides: {@code spark} and its implicits, {@code display}, and {@code dbutils.widgets}
 * (values given here, else the widget's default).
 */
public final class ScalaNotebook implements AutoCloseable {

  private final IMain repl;
  private final StringWriter output = new StringWriter();

  ScalaNotebook(SparkSession spark, Map<String, String> widgets) {
    Settings settings = new Settings();
    // Surefire/failsafe start the test JVM from a manifest-only jar; the real classpath is here.
    settings.classpath().value_$eq(System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")));
    settings.embeddedDefaults(ScalaNotebook.class.getClassLoader());
    repl = new IMain(settings, new ReplReporterImpl(settings, new PrintWriter(output, true)));
    bind("spark", "org.apache.spark.sql.SparkSession", spark);
    bind("widgetValues", "java.util.Map[String, String]", widgets);
    run("prelude", String.join("\n",
        "import spark.implicits._",
        "object dbutils { object widgets {",
        "  private val defaults = scala.collection.mutable.Map[String, String]()",
        "  def text(name: String, default: String): Unit = defaults(name) = default",
        "  def get(name: String): String = Option(widgetValues.get(name)).getOrElse(defaults(name))",
        "} }",
        "def display(df: org.apache.spark.sql.DataFrame): Unit = df.show(20, 60)"));
  }

  /** The Scala cells of {@code notebook} (markdown cells left out). */
  public static List<String> cells(String notebook) throws IOException {
    List<String> cells = new ArrayList<>();
    for (String cell : Files.readString(Notebooks.DIR.resolve(notebook)).split("(?m)^// COMMAND -+\\s*$")) {
      String body = cell.replace("// Databricks notebook source", "").strip();
      if (!body.isEmpty() && !body.startsWith("// MAGIC")) {
        cells.add(body);
      }
    }
    return cells;
  }

  /** Interprets one cell; fails with the interpreter's output when it does not compile or throws. */
  void run(String name, String code) {
    Results.Result r = repl.interpret(code);
    if (r != Results.Success$.MODULE$) {
      throw new AssertionError(name + " failed (" + r + "):\n" + code + "\n---\n" + output);
    }
  }

  /** The value a cell left in {@code term}. */
  Object value(String term) {
    return repl.valueOfTerm(term).getOrElse(() -> {
      throw new AssertionError("no value " + term);
    });
  }

  private void bind(String name, String type, Object value) {
    Results.Result r = repl.bind(name, type, value, scala.collection.immutable.List$.MODULE$.<String>empty());
    if (r != Results.Success$.MODULE$) {
      throw new AssertionError("cannot bind " + name + ":\n" + output);
    }
  }

  @Override
  public void close() {
    repl.close();
  }
}
