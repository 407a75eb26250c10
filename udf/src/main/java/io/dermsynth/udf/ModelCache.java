package io.dermsynth.udf;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model per executor JVM, keyed by model URI and device: the first task that needs a model
 * loads it, every later task (of any stage, on any thread) reuses it; models are closed when the JVM
 * exits. This is the pattern of DJL's Spark extension, written here because that extension is not
 * available from Maven Central.
 */
public final class ModelCache {

  /** Loads a model; runs at most once per key and JVM. */
  @FunctionalInterface
  public interface Loader<M> {
    M load() throws Exception;
  }

  private static final Map<String, Object> MODELS = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();
  private static final Map<String, AtomicInteger> LOADS_BY_KEY = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::closeAll, "dermsynth-model-cache"));
  }

  private ModelCache() {}

  @SuppressWarnings("unchecked")
  public static <M extends AutoCloseable> M get(String uri, String device, Loader<M> loader) {
    return (M) MODELS.computeIfAbsent(uri + "@" + device, k -> {
      try {
        LOADS.incrementAndGet();
        LOADS_BY_KEY.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
        return loader.load();
      } catch (Exception e) {
        throw new IllegalStateException("cannot load model " + uri + " on " + device + ": " + e.getMessage(), e);
      }
    });
  }

  /** How many models this JVM has loaded (for tests and logs). */
  public static int loads() {
    return LOADS.get();
  }

  /** How many times this JVM has loaded one model (1 once it is cached; 0 before). */
  public static int loads(String uri, String device) {
    AtomicInteger n = LOADS_BY_KEY.get(uri + "@" + device);
    return n == null ? 0 : n.get();
  }

  static void closeAll() {
    for (Object m : MODELS.values()) {
      try {
        ((AutoCloseable) m).close();
      } catch (Exception e) {
        // The JVM is exiting; nothing left to tell.
      }
    }
    MODELS.clear();
  }
}
