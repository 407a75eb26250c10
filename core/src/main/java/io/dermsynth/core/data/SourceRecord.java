package io.dermsynth.core.data;

import java.util.Map;
import java.util.Objects;

/**
 * One usable listing entry: an image file and what the dataset says about it, before decoding.
 *
 * @param imageId unique id within the dataset (HAM10000 {@code image_id}, ISIC {@code image}, file stem)
 * @param lesionId the lesion the image shows; images of one lesion always share a split
 * @param dataset which dataset layout it came from ({@code ham10000}, {@code isic}, ...)
 * @param dx the diagnosis
 * @param dxType how the diagnosis was confirmed (histo, follow_up, ...), or null
 * @param age patient age in years, or null
 * @param sex patient sex as written by the dataset, or null
 * @param localization anatomical site, or null
 * @param extra any other metadata columns, by their original names
 * @param sourcePath absolute path of the image file
 */
public record SourceRecord(
    String imageId,
    String lesionId,
    String dataset,
    Diagnosis dx,
    String dxType,
    Double age,
    String sex,
    String localization,
    Map<String, String> extra,
    String sourcePath) {

  public SourceRecord {
    Objects.requireNonNull(imageId, "imageId");
    Objects.requireNonNull(lesionId, "lesionId");
    Objects.requireNonNull(dx, "dx");
    Objects.requireNonNull(sourcePath, "sourcePath");
    extra = Map.copyOf(extra);
  }

  /** This record placed by another lesion id (a split group that holds copies of its content). */
  public SourceRecord withLesionId(String lesion) {
    return new SourceRecord(imageId, lesion, dataset, dx, dxType, age, sex, localization, extra, sourcePath);
  }
}
