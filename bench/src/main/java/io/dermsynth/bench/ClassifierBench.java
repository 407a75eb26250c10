package io.dermsynth.bench;

import ai.djl.Device;
import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.core.classify.ClassifierTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * DenseNet training throughput, as bench/peer/densenet_peer.py measures it: one epoch = N training
 * images in minibatches (forward, weighted cross-entropy, backward, Adam with weight decay), then a
 * forward pass over the validation images; no augmentation (that is JVM-side image work, not the
 * network). Each timed run is one epoch. Args: preset size batch trainImages valImages warmup iters
 * [profile.json] — with a file, one more epoch runs under libtorch's profiler (bench/peer/optable.py).
 */
public final class ClassifierBench {

  public static void main(String[] args) throws Exception {
    io.dermsynth.core.Libtorch.load();  // this CPU's convolutions checked, as every job does
    String preset = args.length > 0 ? args[0] : "small";
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int nTrain = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    int nVal = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    int iters = args.length > 6 ? Integer.parseInt(args[6]) : 5;
    List<String> classes = List.of("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc");
    ClassifierTrainer.Data train = data(nTrain, size, classes.size(), 1);
    ClassifierTrainer.Data val = data(nVal, size, classes.size(), 2);
    ClassifierModel model = ClassifierModel.create(
        new ClassifierModel.Manifest(preset, classes, size, 0, Double.NaN, "bench"), Device.cpu());
    // One training run of warmup + iters epochs; each epoch's time is the trainer's own clock (the
    // epoch's steps and validation, not the run's set-up or its checkpoint writes).
    List<Double> seconds = new ArrayList<>();
    ClassifierTrainer trainer = new ClassifierTrainer(ClassifierTrainer.Options.builder()
        .epochs(warmup + iters).batchSize(batch).augment(false).seed(1).build(), e -> seconds.add(e.seconds()), false);
    trainer.train(model, train, val);
    Timing.report("densenet_epoch", preset + "@" + size + "px/" + nTrain + "img", batch, nTrain + nVal,
        seconds.subList(warmup, seconds.size()).stream().mapToDouble(Double::doubleValue).toArray());
    if (args.length > 7) {
      ClassifierTrainer one = new ClassifierTrainer(ClassifierTrainer.Options.builder().epochs(1)
          .batchSize(batch).augment(false).seed(2).build(), e -> { }, false);
      ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
      one.train(model, train, val);
      ai.djl.pytorch.jni.JniUtils.stopProfile(args[7]);
    }
  }

  private static ClassifierTrainer.Data data(int n, int size, int classes, long seed) {
    Random r = new Random(seed);
    List<float[]> images = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      float[] img = new float[3 * size * size];
      for (int j = 0; j < img.length; j++) {
        img[j] = r.nextFloat();
      }
      images.add(img);
      labels[i] = i % classes;
    }
    return new ClassifierTrainer.Data(images, labels);
  }
}
