package io.dermsynth.bench;

import io.dermsynth.core.data.DatasetFormat;
import io.dermsynth.core.data.ImageNormalizer;
import io.dermsynth.core.data.Manifest;
import io.dermsynth.core.data.SourceRecord;
import io.dermsynth.jobs.ingest.IngestJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ingest throughput on real images, two ways:
 * <ol>
 *   <li>the per-image work alone (read bytes are in memory; decode, crop, resize, PNG encode) on one
 *       thread: images/s per core;</li>
 *   <li>the whole `ingest` job on local Spark (listing, splits, executors, Delta MERGE of images and
 *       quarantine, runs row) into a fresh warehouse each time: images/s end to end.</li>
 * </ol>
 * Warm-up first, then {@code runs} measured repetitions; prints median, min and max.
 *
 * <p>Usage: {@code IngestBench DATA_DIR N SIZE RUNS WORK_DIR}
 */
public final class IngestBench {

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    int size = Integer.parseInt(args[2]);
    int runs = Integer.parseInt(args[3]);
    Path work = Path.of(args[4]);

    Path subset = BenchData.subset(data, work.resolve("data"), n);
    Manifest manifest = DatasetFormat.detect(subset).reader().read(subset);
    if (manifest.records().size() != n) {
      throw new IllegalStateException("expected " + n + " usable images, the listing has "
          + manifest.records().size() + "; first problems: " + manifest.rejections().stream().limit(3).toList());
    }
    List<byte[]> files = new ArrayList<>();
    for (SourceRecord r : manifest.records()) {
      files.add(Files.readAllBytes(Path.of(r.sourcePath())));
    }
    System.out.printf(Locale.ROOT, "images: %d real JPEGs, working size %d, %d cores, Java %s%n",
        files.size(), size, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

    double[] perCore = new double[runs];
    try (ImageNormalizer normalizer = new ImageNormalizer(ImageNormalizer.Options.ofSize(size))) {
      for (byte[] f : files) {
        normalizer.normalize(f);  // warm-up
      }
      for (int r = 0; r < runs; r++) {
        long t0 = System.nanoTime();
        for (byte[] f : files) {
          if (!(normalizer.normalize(f) instanceof ImageNormalizer.Normalized)) {
            throw new IllegalStateException("a real image failed to normalise");
          }
        }
        perCore[r] = files.size() / ((System.nanoTime() - t0) / 1e9);
      }
    }
    print("normalise (1 thread)", perCore, "images/s/core");

    double[] job = new double[runs];
    double[] jobDecodeOnly = new double[runs];
    for (int r = -1; r < runs; r++) {  // r = -1: warm-up of the JVM and the session
      Path wh = work.resolve("wh" + (r + 1));
      JobContext ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", wh.toString(),
          "ingest.size", String.valueOf(size))));
      long t0 = System.nanoTime();
      IngestJob.Result res = IngestJob.run(ctx, subset, DatasetFormat.HAM10000);
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (res.imagesAdded() != files.size()) {
        throw new IllegalStateException("ingest added " + res.imagesAdded() + " of " + files.size());
      }
      if (r >= 0) {
        job[r] = files.size() / seconds;
        jobDecodeOnly[r] = job[r] / ctx.spark().sparkContext().defaultParallelism();
      }
    }
    print("ingest job end to end", job, "images/s");
    print("ingest job end to end, per core", jobDecodeOnly, "images/s/core");
  }

  static void print(String what, double[] values, String unit) {
    double[] v = values.clone();
    Arrays.sort(v);
    System.out.printf(Locale.ROOT, "%-34s median %8.1f %s  (min %.1f, max %.1f, n=%d)%n",
        what, v[v.length / 2], unit, v[0], v[v.length - 1], v.length);
  }
}
