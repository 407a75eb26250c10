package io.dermsynth.core.data;

import io.dermsynth.core.BadInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * A plain {@code labels.csv}: {@code path,label[,group]}, paths relative to the csv's folder. The
 * group, when given, is the lesion id (so a PH2-style set with several views per lesion splits
 * correctly); the file stem is the image id.
 */
public final class LabelsCsvReader implements DatasetReader {

  public static final String FILE_NAME = "labels.csv";
  static final Set<String> REQUIRED = Set.of("path", "label");

  @Override
  public Manifest read(Path root) throws IOException {
    Path csv = root.resolve(FILE_NAME);
    CsvTable table = CsvTable.read(csv);
    for (String col : REQUIRED) {
      if (!table.has(col)) {
        throw new BadInputException(csv + " has no column '" + col + "'; expected path,label[,group]");
      }
    }
    ImageFiles files = ImageFiles.under(root);
    ListingBuilder listing = new ListingBuilder("labels-csv", root);
    listing.rejectAll(table.malformed());
    for (CsvTable.Row row : table.rows()) {
      String rel = row.get("path");
      Path file = rel == null ? null : root.resolve(rel).normalize();
      if (file != null && !file.startsWith(root.normalize())) {
        listing.reject(new Rejection(table.source(row), null, QuarantineReason.OUTSIDE_ROOT,
            "path '" + rel + "' points outside " + root));
        continue;
      }
      listing.add(new ListingBuilder.Entry(table.source(row),
          file == null ? null : ImageFiles.stem(file), row.get("group"), row.get("label"), null,
          null, null, null, Map.of(), file));
    }
    listing.rejectUnlisted(files);
    return listing.build();
  }
}
