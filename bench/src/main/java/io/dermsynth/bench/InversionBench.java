package io.dermsynth.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.Generator;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.InverterOptions;
import io.dermsynth.core.invert.InverterTrainer;
import java.util.List;

/**
 * e4e + HyperStyle inversion of a batch, as bench/peer/inversion_peer.py times it: encode, render,
 * then {@code refine} rounds of offsets and a render each, constant noise, no gradients; no L2/LPIPS
 * (the invert job's quality columns). Weights are untrained: the time does not depend on them.
 * Args: preset batch refine warmup iters.
 */
public final class InversionBench {

  public static void main(String[] args) throws Exception {
    io.dermsynth.core.Libtorch.load();  // this CPU's convolutions checked, as every job does
    String preset = args.length > 0 ? args[0] : "small64";
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int refine = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int iters = args.length > 4 ? Integer.parseInt(args[4]) : 7;
    GanArchitecture arch = BenchPresets.gan(preset).architecture();
    int res = arch.resolution();
    NDManager gm = NDManager.newBaseManager(Device.cpu());
    JniUtils.setGradMode(false);
    Generator g = Generator.create(arch, gm);
    ClassifierModel lpips = ClassifierModel.create(new ClassifierModel.Manifest("small",
        List.of("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"), res, 0, Double.NaN, "bench"), Device.cpu());
    InverterOptions o = InverterOptions.builder(1, 1).batch(batch).progressiveStart(0).progressiveStep(1)
        .refinementIterations(refine).tickSteps(1).build(arch.numWs());
    try (InverterTrainer t = new InverterTrainer(o, g, gm, "bench", lpips, "bench")) {
      Inverter inv = t.model();
      // The networks' sizes, to check the peer builds the same ones (it prints its own).
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("inversion-bench");
      String snap = t.save(io.dermsynth.core.CheckpointStore.directory(dir));
      System.out.printf("params encoder=%d hyper=%d%n", parameters(dir.resolve(snap + "/E.safetensors")),
          parameters(dir.resolve(snap + "/H.safetensors")));
      NDArray real = gm.randomUniform(-1, 1, new Shape(batch, 3, res, res));
      Timing.report("inversion_hyperstyle", preset, batch, batch, warmup, iters, () -> {
        try (NDScope scope = new NDScope()) {
          inv.refine(real, inv.encode(real)).reconstruction().toFloatArray();
        }
      });
    }
  }

  /** Float32 elements in a safetensors file: its size less the 8-byte length and the JSON header. */
  private static long parameters(java.nio.file.Path f) throws java.io.IOException {
    byte[] b = java.nio.file.Files.readAllBytes(f);
    long header = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    return (b.length - 8 - header) / 4;
  }
}
