package io.dermsynth.bench;

import io.dermsynth.core.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The process's RSS sampled every 2 s while some work runs, summarised as the executor-memory benchmarks
 * report it: medians of the first and last fifth of the samples (RSS oscillates with the allocator, so
 * single samples mislead), their growth, and the peak.
 */
final class RssTrace {

  private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
  final long seconds;

  private RssTrace(long seconds) {
    this.seconds = seconds;
  }

  /** Runs {@code work} with the sampler on; returns the trace and stores what work returned in {@code out[0]}. */
  static <T> RssTrace during(Callable<T> work, Object[] out) throws Exception {
    List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    long start = System.nanoTime();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        samples.add(new long[] {(System.nanoTime() - start) / 1_000_000, ProcessMemory.rssMiB()});
        try {
          Thread.sleep(2000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    sampler.start();
    try {
      out[0] = work.call();
    } finally {
      sampler.interrupt();
      sampler.join();
    }
    RssTrace t = new RssTrace((System.nanoTime() - start) / 1_000_000_000);
    t.samples.addAll(samples);
    return t;
  }

  private long[] rss() {
    return samples.stream().mapToLong(s -> s[1]).toArray();
  }

  long firstFifthMedian() {
    long[] rss = rss();
    return median(Arrays.copyOfRange(rss, 0, Math.max(1, rss.length / 5)));
  }

  long lastFifthMedian() {
    long[] rss = rss();
    return median(Arrays.copyOfRange(rss, rss.length - Math.max(1, rss.length / 5), rss.length));
  }

  double growthPct() {
    return 100.0 * (lastFifthMedian() - firstFifthMedian()) / firstFifthMedian();
  }

  long peak() {
    return Arrays.stream(rss()).max().orElseThrow();
  }

  long last() {
    long[] rss = rss();
    return rss[rss.length - 1];
  }

  void write(Path csv) throws IOException {
    StringBuilder trace = new StringBuilder("t_ms,rss_mib\n");
    samples.forEach(s -> trace.append(s[0]).append(',').append(s[1]).append('\n'));
    Files.writeString(csv, trace);
  }

  private static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
