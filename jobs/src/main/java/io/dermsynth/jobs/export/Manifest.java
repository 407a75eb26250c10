package io.dermsynth.jobs.export;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An export's manifest.json: what it holds, per class, and where it came from. */
final class Manifest {

  private Manifest() {}

  static byte[] json(ExportFormat format, String warehouse, String arm, String pool, Map<String, long[]> byClass,
      int files, String runId) {
    JsonObject o = new JsonObject();
    o.addProperty("format", format.id());
    o.addProperty("warehouse", warehouse);
    o.addProperty("run_id", runId);
    o.addProperty("synthetic_from", arm != null ? "arm " + arm : pool != null ? "pool " + pool : "none");
    JsonObject classes = new JsonObject();
    long real = 0;
    long synthetic = 0;
    for (var e : byClass.entrySet()) {
      JsonObject c = new JsonObject();
      c.addProperty("real", e.getValue()[0]);
      c.addProperty("synthetic", e.getValue()[1]);
      classes.add(e.getKey(), c);
      real += e.getValue()[0];
      synthetic += e.getValue()[1];
    }
    o.addProperty("real", real);
    o.addProperty("synthetic", synthetic);
    o.addProperty("files", files);
    o.add("classes", classes);
    return new GsonBuilder().setPrettyPrinting().create().toJson(o).getBytes(StandardCharsets.UTF_8);
  }
}
