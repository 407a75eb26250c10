package io.dermsynth.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.ProcessMemory;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.core.gan.GanPreset;
import io.dermsynth.core.gan.GanTrainer;
import io.dermsynth.core.gan.NoiseMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * StyleGAN2 throughput at a preset: G forward (no grad) and one training step (Gmain + Dmain, Adam,
 * style mixing, no augmentation, R1 only at step 0 — in training it is 1 step in 16). The PyTorch peer
 * bench/peer/stylegan2_peer.py measures the same two things. Args: preset batch warmup iters.
 */
public final class GanBench {

  public static void main(String[] args) throws Exception {
    GanPreset preset = GanPreset.parse(args.length > 0 ? args[0] : "small64");
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int iters = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    GanOptions d = GanOptions.defaults(preset, 1);
    GanOptions o = new GanOptions(d.preset(), batch, d.kimg(), d.lrG(), d.lrD(), d.r1Gamma(), 1_000_000, 0f,
        d.plInterval(), 0.9f, d.emaKimg(), d.emaRampup(), false, d.adaTarget(), d.adaInterval(), d.adaKimg(),
        0f, d.tickKimg(), d.snapshotTicks(), d.keepSnapshots(), d.gridImages(), 1);
    int res = preset.architecture.resolution();
    Random r = new Random(0);
    List<byte[]> px = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] b = new byte[3 * res * res];
      r.nextBytes(b);
      px.add(b);
    }
    GanImages data = new GanImages(res, px);
    try (GanTrainer t = new GanTrainer(o, Device.cpu()); NDManager m = NDManager.newBaseManager()) {
      Runnable forward = () -> {
        try (NDScope scope = new NDScope()) {
          t.generatorEma().forward(m.randomNormal(new Shape(batch, 512)), 1f, NoiseMode.RANDOM).toFloatArray();
        }
      };
      Runnable step = () -> t.step(data);
      for (Object[] job : new Object[][] {{"g_forward", forward}, {"train_step", step}}) {
        Runnable fn = (Runnable) job[1];
        for (int i = 0; i < warmup; i++) {
          fn.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) {
          fn.run();
        }
        double dt = (System.nanoTime() - t0) / 1e9 / iters;
        System.out.printf(Locale.ROOT, "%s preset=%s batch=%d sec_per_batch=%.3f img_per_s=%.2f rss_mib=%d%n",
            job[0], preset.id(), batch, dt, batch / dt, ProcessMemory.rssMiB());
      }
    }
  }
}
