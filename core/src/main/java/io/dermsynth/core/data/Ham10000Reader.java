package io.dermsynth.core.data;

import io.dermsynth.core.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * HAM10000 as published: a metadata csv ({@code lesion_id,image_id,dx,dx_type,age,sex,localization},
 * sometimes more columns) and one or more image folders ({@code HAM10000_images_part_1}, ...) anywhere
 * below the root, files named {@code <image_id>.jpg}.
 */
public final class Ham10000Reader implements DatasetReader {

  static final Set<String> REQUIRED = Set.of("lesion_id", "image_id", "dx");
  private static final Set<String> KNOWN =
      Set.of("lesion_id", "image_id", "dx", "dx_type", "age", "sex", "localization");

  @Override
  public Manifest read(Path root) throws IOException {
    Path csv = DatasetFormat.findCsv(root, REQUIRED)
        .orElseThrow(() -> new BadInputException("no HAM10000 metadata csv (with columns " + REQUIRED
            + ") in " + root));
    CsvTable table = CsvTable.read(csv);
    ImageFiles files = ImageFiles.under(root);
    ListingBuilder listing = new ListingBuilder("ham10000", root);
    listing.rejectAll(table.malformed());
    for (CsvTable.Row row : table.rows()) {
      String imageId = row.get("image_id");
      Map<String, String> extra = new LinkedHashMap<>();
      row.values().forEach((k, v) -> {
        if (!KNOWN.contains(k) && !k.isEmpty() && v != null && !v.isBlank()) {
          extra.put(k, v.trim());
        }
      });
      listing.add(new ListingBuilder.Entry(table.source(row), imageId, row.get("lesion_id"),
          row.get("dx"), row.get("dx_type"), ListingBuilder.parseAge(row.get("age")),
          row.get("sex"), row.get("localization"), extra,
          imageId == null ? null : files.find(imageId)));
    }
    listing.rejectUnlisted(files);
    return listing.build();
  }
}
