package io.dermsynth.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.core.gan.GanTrainer;
import io.dermsynth.core.gan.NoiseMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * StyleGAN2 throughput at a preset, the same three things bench/peer/stylegan2_peer.py measures:
 * G forward (no grad); the training step without R1 (Gmain + Dmain, Adam, style mixing, G_ema,
 * no augmentation); the step with R1 (Dreg after Dmain, as on every 16th step of lazy R1); and, which the
 * peer does not run, the training step with ADA's bgc pipeline at a fixed p = 0.5 (train_step_ada).
 * Args: preset batch warmup iters [profile.json | forward-only] — with a file, two more training steps
 * run under libtorch's profiler and its Chrome trace goes there (bench/peer/optable.py sums it by op).
 */
public final class GanBench {

  public static void main(String[] args) throws Exception {
    io.dermsynth.core.Libtorch.load();  // this CPU's convolutions checked, as every job does
    GanOptions preset = BenchPresets.gan(args.length > 0 ? args[0] : "small64");
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int iters = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    boolean forwardOnly = args.length > 4 && args[4].equals("forward-only");
    String profile = args.length > 4 && !forwardOnly ? args[4] : null;
    int res = preset.architecture().resolution();
    Random r = new Random(0);
    List<byte[]> px = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] b = new byte[3 * res * res];
      r.nextBytes(b);
      px.add(b);
    }
    GanImages data = new GanImages(res, px);
    // R1 never (the interval is beyond the run; step 0 is a warm-up) or on every step.
    try (GanTrainer plain = new GanTrainer(options(preset, batch, 1_000_000), Device.cpu());
        GanTrainer withR1 = new GanTrainer(options(preset, batch, 1), Device.cpu());
        GanTrainer withAda = new GanTrainer(options(preset, batch, 1_000_000).toBuilder().augmentP(0.5f).build(),
            Device.cpu());
        NDManager m = NDManager.newBaseManager()) {
      Timing.report("g_forward", preset.preset(), batch, batch, warmup, iters, () -> {
        try (NDScope scope = new NDScope()) {
          plain.generatorEma().forward(m.randomNormal(new Shape(batch, 512)), 1f, NoiseMode.RANDOM).toFloatArray();
        }
      });
      if (forwardOnly) {
        return;
      }
      Timing.report("train_step", preset.preset(), batch, batch, warmup, iters, () -> plain.step(data));
      Timing.report("train_step_r1", preset.preset(), batch, batch, warmup, iters, () -> withR1.step(data));
      Timing.report("train_step_ada", preset.preset(), batch, batch, warmup, iters, () -> withAda.step(data));
      if (profile != null) {
        JniUtils.startProfile(false, true, false);
        for (int i = 0; i < 2; i++) {
          plain.step(data);
        }
        JniUtils.stopProfile(profile);
      }
    }
  }

  /** The preset's options at {@code batch}, without ADA, path length, or augmentation. */
  private static GanOptions options(GanOptions preset, int batch, int r1Interval) {
    return preset.toBuilder().batch(batch).r1Interval(r1Interval).plWeight(0f).styleMixing(0.9f).ada(false)
        .augmentP(0f).seed(1).build();
  }
}
