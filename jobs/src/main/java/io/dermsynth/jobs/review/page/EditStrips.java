package io.dermsynth.jobs.review.page;

import io.dermsynth.jobs.review.ReviewSample;
import io.dermsynth.jobs.review.ReviewDirection;
import io.dermsynth.jobs.review.ReviewSettings;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.SampleGrid;
import io.dermsynth.core.invert.Inverter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Renders each direction's edit strip on the samples through the inverter's generator, once, on demand,
 * and keeps it. One render thread owns the model (libtorch modules are not shared between threads
 * here); requests for a strip that is being or will be rendered wait for that one result.
 */
public final class EditStrips implements AutoCloseable {

  private final Inverter inverter;
  private final List<ReviewSample> samples;
  private final GanImages sources;
  private final ReviewSettings settings;
  private final Map<String, CompletableFuture<EditStrip>> strips = new ConcurrentHashMap<>();
  private final ExecutorService renderer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(() -> {
      // libtorch's grad mode is per thread and on in a new one: inference must not record graphs.
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
      r.run();
    }, "review-render");
    t.setDaemon(true);
    return t;
  });

  EditStrips(Inverter inverter, List<ReviewSample> samples, ReviewSettings settings) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no samples to render strips on");
    }
    this.inverter = inverter;
    this.samples = List.copyOf(samples);
    // The generator render is compared with its source at the generator's resolution, the residual render
    // is made and compared at the stored image's size.
    int side = settings.render() == EditRenderer.Render.RESIDUAL ? GanImages.squareSide(samples.get(0).png())
        : inverter.generator().architecture().resolution();
    this.sources = new GanImages(side, samples.stream().map(s -> GanImages.decodeOne(s.png(), side)).toList());
    this.settings = settings;
  }

  List<ReviewSample> samples() {
    return samples;
  }

  /**
   * The strip of {@code d}, rendered now or earlier. A render that failed is not kept: the next request
   * (a page reload) renders it again.
   */
  CompletableFuture<EditStrip> strip(ReviewDirection d) {
    CompletableFuture<EditStrip> f = strips.get(d.id());
    if (f != null && f.isCompletedExceptionally()) {
      strips.remove(d.id(), f);
    }
    return strips.computeIfAbsent(d.id(), k -> CompletableFuture.supplyAsync(() -> render(d), renderer));
  }

  /** The strip when it is rendered already, else null (without starting it). */
  EditStrip ifReady(String directionId) {
    CompletableFuture<EditStrip> f = strips.get(directionId);
    return f != null && f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
  }

  /** Why the last render of this direction failed, or null when it did not (or has not ended). */
  String failure(String directionId) {
    CompletableFuture<EditStrip> f = strips.get(directionId);
    if (f == null || !f.isCompletedExceptionally()) {
      return null;
    }
    try {
      f.join();
      return null;
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return String.valueOf(cause);
    }
  }

  /**
   * Renders the directions one after the other in the background, so that the list's LPIPS charts fill
   * in; a page asking for another direction meanwhile gets its turn after the strip in hand.
   */
  void renderAllInBackground(List<ReviewDirection> directions) {
    Thread t = new Thread(() -> directions.forEach(d -> strip(d).exceptionally(e -> null).join()),
        "review-prerender");
    t.setDaemon(true);
    t.start();
  }

  private EditStrip render(ReviewDirection d) {
    List<Double> alphas = settings.alphas();
    int n = samples.size() * alphas.size();
    byte[][][] png = new byte[samples.size()][alphas.size()][];
    double[][] lpips = new double[samples.size()][alphas.size()];
    for (int from = 0; from < n; from += settings.batchSize()) {
      int to = Math.min(n, from + settings.batchSize());
      List<EditRenderer.Edit> edits = new ArrayList<>();
      int[] sourceIndex = new int[to - from];
      for (int k = from; k < to; k++) {
        ReviewSample s = samples.get(k / alphas.size());
        edits.add(new EditRenderer.Edit(s.wPlus(), s.offsets(), d.vector(), d.wIndices(),
            d.step(alphas.get(k % alphas.size()), settings.alphaUnit())));
        sourceIndex[k - from] = k / alphas.size();
      }
      try (NDScope scope = new NDScope()) {
        NDArray src = sources.batch(sourceIndex, inverter.manager());
        NDArray img = EditRenderer.render(inverter, edits, settings.render(), src).images();
        double[] lp = Inverter.toDoubles(inverter.losses(img, src).get(1));
        for (int k = from; k < to; k++) {
          png[k / alphas.size()][k % alphas.size()] = SampleGrid.png(img.get(k - from).expandDims(0), 1);
          lpips[k / alphas.size()][k % alphas.size()] = lp[k - from];
        }
      }
    }
    return new EditStrip(png, lpips);
  }

  /** Stops rendering and closes the inverter, which this owns. */
  @Override
  public void close() {
    renderer.shutdownNow();
    try {
      renderer.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    inverter.close();
  }
}
