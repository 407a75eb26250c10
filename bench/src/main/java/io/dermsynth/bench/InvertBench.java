package io.dermsynth.bench;

import static org.apache.spark.sql.functions.col;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import io.dermsynth.core.CheckpointStore;
import io.dermsynth.core.ProcessMemory;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.SampleGrid;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.settings.Settings;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.udf.LatentInverter;
import io.dermsynth.udf.ModelCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Inversion on real images, three measurements, each a mode:
 * <ul>
 *   <li>{@code quality INVERTER WAREHOUSE N OUT.png}: the first N val-split images; mean reconstruction
 *       L2 and LPIPS for encoder only, encoder + HyperStyle, encoder + optimisation; a PNG with one row
 *       per image (8) and columns real | encoder | HyperStyle | optimised.</li>
 *   <li>{@code throughput INVERTER WAREHOUSE N BATCH METHOD}: images/s of the bare DJL batch loop (decode
 *       + invert) against the same rows through {@link LatentInverter} in local Spark (1 task at a time,
 *       as one executor core), 5 alternating rounds on the same loaded model, and the median ratio.</li>
 *   <li>{@code rss INVERTER WAREHOUSE N BATCH METHOD TOTAL [WARMUP]}: after WARMUP unmeasured ones, TOTAL inversions (the first TOTAL rows of
 *       the images table, read from Delta as the invert job does) through the Transformer in one
 *       executor (local mode: this JVM), RSS sampled every 2 s; growth from the median of the first
 *       fifth to the median of the last; live arrays of the model; the JVM's own share (NMT).</li>
 * </ul>
 */
public final class InvertBench {

  public static void main(String[] args) throws Exception {
    io.dermsynth.core.Libtorch.load();  // this CPU's convolutions checked, as every job does
    String mode = args[0];
    Path inverterDir = Path.of(args[1]);
    String warehouse = args[2];
    int n = Integer.parseInt(args[3]);
    JobContext ctx = JobContext.of(Settings.load(List.of(), Map.of("warehouse", warehouse,
        "spark.master", "local[1]")));
    List<byte[]> pngs = ctx.tables().read(Tables.IMAGES).where(col("split").equalTo("val"))
        .orderBy(col("image_id")).select("png").limit(n).collectAsList().stream()
        .map(r -> (byte[]) r.get(0)).toList();
    switch (mode) {
      case "quality" -> quality(inverterDir, pngs, Path.of(args[4]));
      case "throughput" -> throughput(ctx, inverterDir, pngs, Integer.parseInt(args[4]), args[5]);
      case "rss" -> rss(ctx, inverterDir, Integer.parseInt(args[6]), args.length > 7 ? Integer.parseInt(args[7]) : 0,
          Integer.parseInt(args[4]), args[5]);
      default -> throw new IllegalArgumentException("mode must be quality, throughput or rss; got " + mode);
    }
  }

  static void quality(Path dir, List<byte[]> pngs, Path out) throws Exception {
    try (Inverter inv = Inverter.load(CheckpointStore.directory(dir), Device.cpu())) {
      int res = inv.generator().architecture().resolution();
      GanImages images = GanImages.decode(pngs, res);
      Inverter.Method[] methods = Inverter.Method.values();
      double[][] l2 = new double[methods.length][];
      double[][] lp = new double[methods.length][];
      List<NDArray> gridRows = new ArrayList<>();
      int batch = 25;
      for (int m = 0; m < methods.length; m++) {
        long t0 = System.nanoTime();
        List<Double> l2s = new ArrayList<>();
        List<Double> lps = new ArrayList<>();
        for (int s = 0; s < images.size(); s += batch) {
          int[] idx = IntStream.range(s, Math.min(images.size(), s + batch)).toArray();
          try (NDScope scope = new NDScope()) {
            NDArray real = images.batch(idx, inv.manager());
            Inverter.Inversion r = inv.invert(real, methods[m]);
            for (int i = 0; i < idx.length; i++) {
              l2s.add(r.l2()[i]);
              lps.add(r.lpips()[i]);
            }
            if (s == 0) {
              if (m == 0) {
                keep(gridRows, real.get("0:8"));
              }
              keep(gridRows, r.reconstruction().get("0:8"));
            }
          }
        }
        l2[m] = l2s.stream().mapToDouble(Double::doubleValue).toArray();
        lp[m] = lps.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.printf(Locale.ROOT, "quality method=%s images=%d mean_l2=%.5f mean_lpips=%.4f sec=%.0f%n",
            methods[m].name().toLowerCase(Locale.ROOT), images.size(), mean(l2[m]), mean(lp[m]),
            (System.nanoTime() - t0) / 1e9);
      }
      int better = 0;
      for (int i = 0; i < l2[0].length; i++) {
        better += l2[1][i] < l2[0][i] && lp[1][i] < lp[0][i] ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "hyperstyle_better_on_both images=%d of %d%n", better, l2[0].length);
      // 8 rows (images) × 4 columns (real, encoder, HyperStyle, optimised).
      NDArray cols = NDArrays.stack(new NDList(gridRows), 1);  // [8, 4, 3, R, R]
      long r = cols.getShape().get(4);
      Files.write(out, SampleGrid.png(cols.reshape(-1, 3, r, r), gridRows.size()));
      cols.close();
      gridRows.forEach(NDArray::close);
    }
  }

  private static void keep(List<NDArray> rows, NDArray a) {
    NDArray copy = a.duplicate();
    NDScope.unregister(copy);
    rows.add(copy);
  }

  static void throughput(JobContext ctx, Path dir, List<byte[]> pngs, int batch, String method) throws Exception {
    Inverter.Method m = Inverter.Method.valueOf(method.toUpperCase(Locale.ROOT));
    Dataset<Row> rows = rowsOf(ctx, pngs, 4).persist(org.apache.spark.storage.StorageLevel.MEMORY_ONLY());
    rows.count();
    LatentInverter t = new LatentInverter().setModelPath(dir.toString()).setMethod(method).setBatchSize(batch);
    // The Transformer's executor model (loaded by the warm-up) is the bare loop's model too, so both
    // sides run the same weights in the same libtorch state; rounds alternate so that load from other
    // processes falls on both alike, and the median ratio is reported.
    t.transform(rowsOf(ctx, pngs.subList(0, Math.min(pngs.size(), 2 * batch)), 1)).count();
    Inverter inv = ModelCache.get(dir.toString(), Device.cpu().toString(), () -> {
      throw new IllegalStateException("the warm-up did not cache the inverter");
    });
    int res = inv.generator().architecture().resolution();
    bareLoop(inv, pngs.subList(0, Math.min(pngs.size(), 2 * batch)), res, batch, m);
    SideBySide.Summary sum = SideBySide.run(5, "img", () -> {
      bareLoop(inv, pngs, res, batch, m);
      return pngs.size();
    }, () -> t.transform(rows).count());
    System.out.printf(Locale.ROOT, "throughput method=%s images=%d batch=%d rounds=%d bare_img_per_s=%.2f "
        + "transformer_img_per_s=%.2f median_ratio=%.3f min=%.3f max=%.3f threads=%d rss_mib=%d peak_rss_mib=%d%n",
        method, pngs.size(), batch, sum.rounds(), sum.bare(), sum.transformer(), sum.medianRatio(), sum.min(),
        sum.max(), ai.djl.pytorch.jni.JniUtils.getNumThreads(), ProcessMemory.rssMiB(), ProcessMemory.peakRssMiB());
  }

  private static void bareLoop(Inverter inv, List<byte[]> pngs, int res, int batch, Inverter.Method m) {
    for (int s = 0; s < pngs.size(); s += batch) {
      List<byte[]> px = new ArrayList<>();
      for (byte[] png : pngs.subList(s, Math.min(pngs.size(), s + batch))) {
        px.add(GanImages.decodeOne(png, res));
      }
      try (NDScope scope = new NDScope()) {
        Inverter.Inversion r = inv.invert(new GanImages(res, px)
            .batch(IntStream.range(0, px.size()).toArray(), inv.manager()), m);
        r.wPlus().toFloatArray();
        r.deltas().values().forEach(NDArray::toFloatArray);
      }
    }
  }

  private static Dataset<Row> rowsOf(JobContext ctx, List<byte[]> pngs, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < pngs.size(); i++) {
      rows.add(org.apache.spark.sql.RowFactory.create("img" + i, pngs.get(i)));
    }
    return ctx.spark().createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add("image_id", "string").add("png", "binary")).repartition(partitions);
  }

  static void rss(JobContext ctx, Path dir, int n, int warmup, int batch, String method) throws Exception {
    LatentInverter t = new LatentInverter().setModelPath(dir.toString()).setMethod(method).setBatchSize(batch);
    // Warm-up outside the measurement: the model load, libtorch's first-call allocations, JIT, and
    // (with WARMUP) the allocator's working set reaching its plateau.
    t.transform(ctx.tables().read(Tables.IMAGES).select("png").orderBy(col("image_id").desc())
        .limit(Math.max(4 * batch, warmup)).repartition(Math.max(1, warmup / 250))).count();
    Inverter model = ModelCache.get(dir.toString(), Device.cpu().toString(), () -> {
      throw new IllegalStateException("the warm-up did not cache the inverter");
    });
    int arraysBefore = model.manager().getManagedArrays().size();
    long jvmBefore = jvmCommittedMiB();
    // The rows come from the Delta table, as in the invert job (not a driver-side local relation, whose
    // copies in the heap would be measured instead of the executor's work).
    // Staged (read, shuffled, cached) before sampling starts, so that the trace is the inversions alone.
    Dataset<Row> rows = ctx.tables().read(Tables.IMAGES).select("image_id", "png").orderBy("image_id")
        .limit(n).repartition(20).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    rows.count();
    Object[] counted = new Object[1];
    RssTrace trace = RssTrace.during(() -> t.transform(rows).count(), counted);
    int arraysAfter = model.manager().getManagedArrays().size();
    long jvmAfter = jvmCommittedMiB();
    System.out.printf(Locale.ROOT, "rss method=%s inversions=%d seconds=%d median_first_fifth_mib=%d "
        + "median_last_fifth_mib=%d peak_mib=%d growth_pct=%.1f live_model_arrays_before=%d after=%d%n", method,
        (Long) counted[0], trace.seconds, trace.firstFifthMedian(), trace.lastFifthMedian(), trace.peak(),
        trace.growthPct(), arraysBefore, arraysAfter);
    // What the JVM itself committed (heap, metaspace, threads, code, GC, NIO buffers) against the
    // process: the rest is libtorch and other native libraries.
    System.out.printf(Locale.ROOT, "rss_split jvm_committed_mib_before=%d after=%d rss_end_mib=%d%n", jvmBefore,
        jvmAfter, trace.last());
    trace.write(Path.of("invert-rss-trace.csv"));
  }

  /** The JVM's own committed memory from Native Memory Tracking (-1 without -XX:NativeMemoryTracking). */
  private static long jvmCommittedMiB() {
    try {
      String out = (String) java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
          new Object[] {new String[] {"summary", "scale=MB"}}, new String[] {String[].class.getName()});
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("Total: reserved=\\d+MB, committed=(\\d+)MB")
          .matcher(out);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (javax.management.JMException e) {
      return -1;
    }
  }

  private static double mean(double[] v) {
    return java.util.Arrays.stream(v).average().orElse(Double.NaN);
  }
}
