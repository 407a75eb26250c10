package io.dermsynth.core;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A model's folder in a {@link CheckpointStore}, in one {@link ModelFormat}: either one model (files and
 * a {@code manifest.json} at the top, e.g. a trained classifier) or a training run's snapshots
 * ({@code snapshot-NNNNNNNNN/} folders, each with its files and manifest). The manifest is written last
 * and is the commit: a folder without one is incomplete (a process killed while writing it) and is never
 * read or resumed from. Manifests are typed records serialised with the format as their first field; the
 * format is checked on every read.
 */
public final class ModelFolder {

  public static final String MANIFEST = "manifest.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
      .create();

  private final CheckpointStore store;
  private final ModelFormat format;

  public ModelFolder(CheckpointStore store, ModelFormat format) {
    this.store = store;
    this.format = format;
  }

  public CheckpointStore store() {
    return store;
  }

  public ModelFormat format() {
    return format;
  }

  /** The folder of the snapshot taken at {@code step}. */
  public static String snapshotName(long step) {
    return String.format(Locale.ROOT, "snapshot-%09d", step);
  }

  /** Files of one model or snapshot, committed by writing the manifest. */
  public final class Commit {
    private final String prefix;
    private boolean committed;

    private Commit(String prefix) {
      this.prefix = prefix;
    }

    public Commit write(String file, byte[] bytes) throws IOException {
      if (committed) {
        throw new IllegalStateException(prefix + file + ": the manifest is written, the folder is closed");
      }
      store.write(prefix + file, bytes);
      return this;
    }

    /** Writes the manifest (with the folder's format first): the files above become a complete model. */
    public void commit(Record manifest) throws IOException {
      store.write(prefix + MANIFEST, encode(manifest));
      committed = true;
    }
  }

  /** A model at the top of the folder. */
  public Commit model() {
    return new Commit("");
  }

  /** The snapshot taken at {@code step}, replacing an older one of that name. */
  public Commit snapshot(long step) {
    return new Commit(snapshotName(step) + "/");
  }

  /** Whether the top of the folder holds a complete model. */
  public boolean hasModel() throws IOException {
    return store.read(MANIFEST).isPresent();
  }

  /** The format name in the top manifest of {@code store}, when there is one that names it. */
  public static Optional<String> formatName(CheckpointStore store) throws IOException {
    Optional<byte[]> m = store.read(MANIFEST);
    if (m.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonElement f = JsonParser.parseString(new String(m.get(), StandardCharsets.UTF_8)).getAsJsonObject().get("format");
      return f == null ? Optional.empty() : Optional.of(ModelFormat.parse(f.getAsString()).name());
    } catch (RuntimeException e) {
      throw new BadInputException(MANIFEST + " is not a manifest: " + e.getMessage());
    }
  }

  /** The top model's manifest. */
  public <M extends Record> M modelManifest(Class<M> type) throws IOException {
    return decode(store.read(MANIFEST).orElseThrow(() -> new BadInputException(
        "no " + format.name() + " model here: " + MANIFEST + " is missing")), type, MANIFEST);
  }

  /** A snapshot's manifest, format checked. */
  public <M extends Record> M manifest(String snapshot, Class<M> type) throws IOException {
    String name = snapshot + "/" + MANIFEST;
    return decode(store.readRequired(name), type, name);
  }

  /** A file of the top model ({@code dir} "") or of a snapshot; missing is an error naming it. */
  public byte[] read(String dir, String file) throws IOException {
    return store.readRequired(dir.isEmpty() ? file : dir + "/" + file);
  }

  /** Complete snapshot folders, oldest first. */
  public List<String> snapshots() throws IOException {
    List<String> out = new ArrayList<>();
    for (String name : store.list()) {
      if (name.startsWith("snapshot-") && store.read(name + "/" + MANIFEST).isPresent()) {
        out.add(name);
      }
    }
    return out;
  }

  public Optional<String> newestSnapshot() throws IOException {
    List<String> s = snapshots();
    return s.isEmpty() ? Optional.empty() : Optional.of(s.get(s.size() - 1));
  }

  /** Deletes all but the newest {@code keep} complete snapshots, never {@code protect} (may be null). */
  public void keepNewest(int keep, String protect) throws IOException {
    List<String> snapshots = snapshots();
    for (int i = 0; i < snapshots.size() - keep; i++) {
      if (!snapshots.get(i).equals(protect)) {
        store.delete(snapshots.get(i));
      }
    }
  }

  private byte[] encode(Record manifest) {
    JsonObject out = new JsonObject();
    out.addProperty("format", format.toString());
    for (Map.Entry<String, JsonElement> e : GSON.toJsonTree(manifest).getAsJsonObject().entrySet()) {
      if (!e.getKey().equals("format")) {
        out.add(e.getKey(), e.getValue());
      }
    }
    return GSON.toJson(out).getBytes(StandardCharsets.UTF_8);
  }

  /** Parses a manifest in this folder's format that lives under another name (e.g. import.json). */
  public <M extends Record> M decode(byte[] json, Class<M> type, String where) throws IOException {
    JsonObject o;
    try {
      o = JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new BadInputException(where + " is not a JSON object: " + e.getMessage());
    }
    format.check(o.has("format") ? o.get("format").getAsString() : null, where);
    return GSON.fromJson(o, type);
  }
}
