package io.dermsynth.core.data;

import io.dermsynth.core.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ISIC challenge layouts.
 *
 * <ul>
 *   <li>2019: {@code ISIC_2019_Training_GroundTruth.csv} with {@code image} and one-hot columns
 *       {@code MEL,NV,BCC,AK,BKL,DF,VASC,SCC,UNK}; optional {@code ISIC_2019_Training_Metadata.csv}
 *       ({@code image,age_approx,anatom_site_general,lesion_id,sex}).</li>
 *   <li>2020: {@code ISIC_2020_Training_GroundTruth.csv} with {@code image_name,patient_id,lesion_id,
 *       sex,age_approx,anatom_site_general_challenge,diagnosis,benign_malignant,target}.</li>
 * </ul>
 * SCC maps to akiec (HAM10000's class for intraepithelial carcinoma); UNK and diagnoses outside the
 * seven classes are quarantined as unknown labels.
 */
public final class IsicReader implements DatasetReader {

  static final Set<String> GT_2019 = Set.of("image", "mel", "nv", "bcc", "bkl", "df", "vasc");
  static final Set<String> GT_2020 = Set.of("image_name", "diagnosis");
  private static final List<String> ONE_HOT = List.of("mel", "nv", "bcc", "ak", "bkl", "df", "vasc",
      "scc", "unk");

  @Override
  public Manifest read(Path root) throws IOException {
    ImageFiles files = ImageFiles.under(root);
    ListingBuilder listing = new ListingBuilder("isic", root);
    Optional<Path> gt2019 = DatasetFormat.findCsv(root, GT_2019);
    if (gt2019.isPresent()) {
      read2019(root, CsvTable.read(gt2019.get()), files, listing);
    } else {
      Path gt2020 = DatasetFormat.findCsv(root, GT_2020).orElseThrow(() -> new BadInputException(
          "no ISIC ground-truth csv (2019: " + GT_2019 + "; 2020: " + GT_2020 + ") in " + root));
      read2020(CsvTable.read(gt2020), files, listing);
    }
    listing.rejectUnlisted(files);
    return listing.build();
  }

  private static void read2019(Path root, CsvTable gt, ImageFiles files, ListingBuilder listing)
      throws IOException {
    Map<String, CsvTable.Row> meta = new HashMap<>();
    Optional<Path> metaCsv = DatasetFormat.findCsv(root, Set.of("image", "age_approx"));
    if (metaCsv.isPresent()) {
      CsvTable table = CsvTable.read(metaCsv.get());
      listing.rejectAll(table.malformed());
      table.rows().forEach(r -> meta.putIfAbsent(r.get("image"), r));
    }
    listing.rejectAll(gt.malformed());
    for (CsvTable.Row row : gt.rows()) {
      String imageId = row.get("image");
      String label = oneHotLabel(row);
      CsvTable.Row m = meta.getOrDefault(imageId, new CsvTable.Row(0, Map.of()));
      listing.add(new ListingBuilder.Entry(gt.source(row), imageId, m.get("lesion_id"),
          label, null, ListingBuilder.parseAge(m.get("age_approx")), m.get("sex"),
          m.get("anatom_site_general"), Map.of(), imageId == null ? null : files.find(imageId)));
    }
  }

  /** The column that holds 1 (as "1" or "1.0"); null when none or several do. */
  private static String oneHotLabel(CsvTable.Row row) {
    String found = null;
    for (String c : ONE_HOT) {
      String v = row.get(c);
      if (v != null && parsesToOne(v)) {
        if (found != null) {
          return null;
        }
        found = c;
      }
    }
    return found;
  }

  private static boolean parsesToOne(String v) {
    try {
      return Double.parseDouble(v) == 1.0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static void read2020(CsvTable gt, ImageFiles files, ListingBuilder listing) {
    listing.rejectAll(gt.malformed());
    for (CsvTable.Row row : gt.rows()) {
      String imageId = row.get("image_name");
      Map<String, String> extra = new LinkedHashMap<>();
      for (String k : List.of("patient_id", "benign_malignant", "target")) {
        if (row.get(k) != null) {
          extra.put(k, row.get(k));
        }
      }
      listing.add(new ListingBuilder.Entry(gt.source(row), imageId, row.get("lesion_id"),
          row.get("diagnosis"), null, ListingBuilder.parseAge(row.get("age_approx")),
          row.get("sex"), row.get("anatom_site_general_challenge"), extra,
          imageId == null ? null : files.find(imageId)));
    }
  }
}
