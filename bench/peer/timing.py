"""The peers' harness: warm-up, then each run timed on its own; prints the line format of
io.dermsynth.bench.Timing (median, min, max, threads, peak RSS), so the bench scripts can pair them."""
import resource
import statistics
import time

import torch


def sync():
    """Waits for queued GPU work, so that a run's time is its work's (a no-op on the CPU)."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def report(name, label, batch, items, fn, warmup, iters):
    """Times fn (which processes `items` images per call) and prints one harness line."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iters):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{name} preset={label} batch={batch} threads={torch.get_num_threads()} runs={iters} "
          f"median_s={med:.3f} min_s={min(times):.3f} max_s={max(times):.3f} img_per_s={items / med:.2f} "
          f"peak_rss_mib={peak}{gpu_peak()} torch={torch.__version__}", flush=True)


def gpu_peak():
    """ gpu_peak_mib=… (the most GPU memory tensors held so far) on a GPU run, else nothing."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        return f" gpu_peak_mib={torch.cuda.max_memory_allocated() // 2**20}"
    return ""
