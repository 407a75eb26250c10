package io.dermsynth.jobs.classify;

import static org.apache.spark.sql.functions.col;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import io.dermsynth.core.classify.ClassifierTrainer;
import io.dermsynth.core.classify.ImageTensors;
import io.dermsynth.core.data.Diagnosis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

/**
 * Rows of `images` brought to the driver as decoded tensors, for the driver-side trainer and evaluator:
 * ids, lesions (for bootstrap by lesion), class indices in {@link Diagnosis} order, CHW pixels.
 */
public record LabelledImages(List<String> imageIds, List<String> lesionIds, int[] labels,
    List<float[]> pixels) {

  public static List<String> classNames() {
    return java.util.Arrays.stream(Diagnosis.values()).map(d -> d.code).toList();
  }

  public static LabelledImages fromImages(JobContext ctx, Column where, int size) {
    List<Row> rows = ctx.tables().read(Tables.IMAGES).where(where)
        .select("image_id", "lesion_id", "dx", "png").orderBy(col("image_id")).collectAsList();
    return of(rows, size);
  }

  /** Rows of (image_id, lesion_id, dx, png). */
  static LabelledImages of(List<Row> rows, int size) {
    int[] labels = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      String dx = rows.get(i).getString(2);
      labels[i] = Diagnosis.parse(dx).orElseThrow(() -> new IllegalStateException(
          "images has dx '" + dx + "'; known: " + Diagnosis.allowedNames())).ordinal();
    }
    // Decoding is per image and independent: use every core of the driver.
    List<float[]> pixels = IntStream.range(0, rows.size()).parallel().mapToObj(i -> {
      try {
        return ImageTensors.decode((byte[]) rows.get(i).get(3), size);
      } catch (IOException e) {
        throw new UncheckedIOException("image " + rows.get(i).getString(0), e);
      }
    }).toList();
    return new LabelledImages(rows.stream().map(r -> r.getString(0)).toList(),
        rows.stream().map(r -> r.getString(1)).toList(), labels, pixels);
  }

  /** These images followed by {@code more}'s. */
  public LabelledImages plus(LabelledImages more) {
    int[] l = java.util.Arrays.copyOf(labels, labels.length + more.labels.length);
    System.arraycopy(more.labels, 0, l, labels.length, more.labels.length);
    return new LabelledImages(concat(imageIds, more.imageIds), concat(lesionIds, more.lesionIds), l,
        concat(pixels, more.pixels));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  public ClassifierTrainer.Data data() {
    return new ClassifierTrainer.Data(pixels, labels);
  }

  public int size() {
    return labels.length;
  }
}
