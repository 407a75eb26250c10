package io.dermsynth.jobs;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a Python notebook of notebooks/ in python3 against this JVM's Spark session: the JVM half of
 * notebook_host.py, answering what PySpark's gateway would — SQL with named parameters through {@code
 * spark.sql}, {@code spark.catalog.tableExists}, static calls through {@code spark._jvm} (a Python list becomes a java.util.List, as py4j's
 * auto_convert does; the session handle becomes this session), and records what the notebook displays.
 * Real PySpark is not installable here (no PyPI); everything the notebook asks runs for real in Spark.
 */
public final class PythonNotebook {

  /** What a run displayed: each displayHTML's HTML, each display's row count, and the cells that ran. */
  public record Result(List<String> html, List<Integer> displayed, List<Integer> cells, String log) {}

  private PythonNotebook() {}

  public static Result run(SparkSession spark, String notebook, Map<String, String> widgets, Path work)
      throws Exception {
    Path host = work.resolve("notebook_host.py");
    try (InputStream in = PythonNotebook.class.getResourceAsStream("notebook_host.py")) {
      Files.copy(in, host, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Path log = work.resolve(notebook + ".log");
    Process p = new ProcessBuilder("python3", host.toString(), Notebooks.DIR.resolve(notebook).toString(),
        new Gson().toJson(widgets)).redirectError(log.toFile()).start();
    List<String> html = new ArrayList<>();
    List<Integer> displayed = new ArrayList<>();
    List<Integer> cells = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonObject m = JsonParser.parseString(line).getAsJsonObject();
        String op = m.get("op").getAsString();
        if (op.equals("done")) {
          break;
        }
        if (op.equals("failed")) {
          throw new AssertionError(notebook + " cell " + m.get("cell") + " failed:\n" + m.get("error").getAsString()
              + "\n--- output:\n" + Files.readString(log));
        }
        JsonObject reply = new JsonObject();
        try {
          switch (op) {
            case "sql" -> reply.add("value", rows(spark.sql(m.get("query").getAsString(),
                args(m.getAsJsonObject("args"))).collectAsList()));
            case "jvm" -> reply.add("value", json(invoke(spark, m.get("path").getAsString(),
                m.getAsJsonArray("args"))));
            case "tableExists" -> reply.addProperty("value", spark.catalog().tableExists(m.get("name").getAsString()));
            case "display" -> displayed.add(m.get("rows").getAsInt());
            case "displayHTML" -> html.add(m.get("html").getAsString());
            case "cell" -> cells.add(m.get("cell").getAsInt());
            default -> throw new IllegalStateException("unknown request " + op);
          }
        } catch (Exception e) {
          Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
          reply.addProperty("error", cause.toString());
        }
        out.write(reply + "\n");
        out.flush();
      }
    }
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(notebook + " ended badly:\n" + Files.readString(log));
    }
    return new Result(html, displayed, cells, Files.readString(log));
  }

  private static Map<String, Object> args(JsonObject a) {
    Map<String, Object> out = new HashMap<>();
    a.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsString()));
    return out;
  }

  /** A public static method by its dotted path, called with the JSON arguments converted to its types. */
  private static Object invoke(SparkSession spark, String path, JsonArray args) throws Exception {
    int dot = path.lastIndexOf('.');
    Class<?> type = Class.forName(path.substring(0, dot));
    for (Method method : type.getMethods()) {
      if (method.getName().equals(path.substring(dot + 1)) && Modifier.isStatic(method.getModifiers())
          && method.getParameterCount() == args.size()) {
        Object[] values = new Object[args.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = convert(spark, args.get(i), method.getParameterTypes()[i]);
        }
        return method.invoke(null, values);
      }
    }
    throw new NoSuchMethodException("no public static " + path + " taking " + args.size() + " arguments");
  }

  private static Object convert(SparkSession spark, JsonElement v, Class<?> to) {
    if (v.isJsonObject() && v.getAsJsonObject().has("$session")) {
      return spark;
    }
    if (v.isJsonArray() && List.class.isAssignableFrom(to)) {
      List<Object> list = new ArrayList<>();
      v.getAsJsonArray().forEach(x -> list.add(x.getAsString()));
      return list;
    }
    if (to == int.class || to == Integer.class) {
      return v.getAsInt();
    }
    if (to == long.class || to == Long.class) {
      return v.getAsLong();
    }
    if (to == double.class || to == Double.class) {
      return v.getAsDouble();
    }
    return v.isJsonNull() ? null : v.getAsString();
  }

  private static JsonArray rows(List<Row> rows) {
    JsonArray out = new JsonArray();
    rows.forEach(r -> out.add(json(r)));
    return out;
  }

  private static JsonElement json(Object v) {
    if (v == null) {
      return JsonNull.INSTANCE;
    }
    if (v instanceof byte[] b) {
      JsonObject o = new JsonObject();
      o.addProperty("$binary", Base64.getEncoder().encodeToString(b));
      return o;
    }
    if (v instanceof Row r) {
      JsonArray fields = new JsonArray();
      for (int i = 0; i < r.length(); i++) {
        JsonArray kv = new JsonArray();
        kv.add(r.schema().fields()[i].name());
        kv.add(json(r.get(i)));
        fields.add(kv);
      }
      JsonObject o = new JsonObject();
      o.add("$row", fields);
      return o;
    }
    if (v instanceof Record rec) {
      JsonObject fields = new JsonObject();
      for (RecordComponent c : rec.getClass().getRecordComponents()) {
        try {
          fields.add(c.getName(), json(c.getAccessor().invoke(rec)));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      JsonObject o = new JsonObject();
      o.add("$object", fields);
      return o;
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      JsonObject o = new JsonObject();
      scala.jdk.javaapi.CollectionConverters.asJava(m).forEach((k, x) -> o.add(String.valueOf(k), json(x)));
      return o;
    }
    if (v instanceof scala.collection.Seq<?> s) {
      JsonArray a = new JsonArray();
      scala.jdk.javaapi.CollectionConverters.asJava(s).forEach(x -> a.add(json(x)));
      return a;
    }
    if (v instanceof Number n) {
      return new JsonPrimitive(n);
    }
    if (v instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    return new JsonPrimitive(String.valueOf(v));
  }
}
