package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestReadDatasets {

  @TempDir Path dir;

  static byte[] jpeg() throws IOException {
    return BadInputCorpus.encode(BadInputCorpus.pattern(BufferedImage.TYPE_INT_RGB, 40, 30), "jpeg");
  }

  @Test
  void ham10000ListingRejectsEachRowProblemOnce() throws IOException {
    BadInputCorpus corpus = BadInputCorpus.write(dir);
    assertEquals(DatasetFormat.HAM10000, DatasetFormat.detect(dir));
    Manifest m = new Ham10000Reader().read(dir);
    Map<String, QuarantineReason> rejectedById = m.rejections().stream()
        .filter(r -> r.imageId() != null && r.reason() != QuarantineReason.DUPLICATE_IMAGE_ID)
        .collect(Collectors.toMap(Rejection::imageId, Rejection::reason));
    corpus.expected.forEach((id, reason) -> {
      boolean listingProblem = reason != null && reason.ordinal() < QuarantineReason.READ_ERROR.ordinal();
      if (listingProblem) {
        assertEquals(reason, rejectedById.get(id), id);
      } else {
        assertTrue(m.records().stream().anyMatch(r -> r.imageId().equals(id)), id + " should be listed");
      }
    });
    // The duplicate keeps its first entry (dx nv), and is reported once.
    assertEquals(Diagnosis.NV, m.records().stream().filter(r -> r.imageId().equals("ok_jpeg"))
        .findFirst().orElseThrow().dx());
    assertEquals(1, m.rejections().stream().filter(r -> r.reason() == QuarantineReason.DUPLICATE_IMAGE_ID).count());
    assertEquals(1, m.rejections().stream().filter(r -> r.reason() == QuarantineReason.MALFORMED_ROW).count());
    assertEquals(1, m.rejections().stream().filter(r -> r.reason() == QuarantineReason.MISSING_IMAGE_ID).count());
    // BOM stripped from the first header, quoted comma kept inside its field.
    SourceRecord quoted = m.records().stream().filter(r -> r.imageId().equals("ok_quoted_comma"))
        .findFirst().orElseThrow();
    assertEquals("upper extremity, left", quoted.localization());
    assertEquals("HAM_Q1", quoted.lesionId());
    assertEquals(45.0, quoted.age());
  }

  @Test
  void aWindows1252CsvIsReadAndALineNeitherCharsetDecodesIsSetApartWithFileAndLine() throws IOException {
    Files.write(dir.resolve("ISIC_1.jpg"), jpeg());
    Files.write(dir.resolve("ISIC_2.jpg"), jpeg());
    Files.write(dir.resolve("ISIC_3.jpg"), jpeg());
    // A spreadsheet export: "é" and "–" as Windows-1252 single bytes (0xE9, 0x96), one line with 0x81
    // (undefined in Windows-1252) in it as well.
    java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
    Charset cp1252 = Charset.forName("windows-1252");
    csv.writeBytes("lesion_id,image_id,dx,dx_type,age,sex,localization\r\n".getBytes(cp1252));
    csv.writeBytes("L1,ISIC_1,nv,histo,40,male,t\u00eate \u2013 face\r\n".getBytes(cp1252));
    csv.writeBytes("L2,ISIC_2,mel,histo,50,female,".getBytes(cp1252));
    csv.writeBytes(new byte[] {(byte) 0x81, 'x', '\r', '\n'});
    csv.writeBytes("L3,ISIC_3,bcc,histo,60,male,back\r\n".getBytes(cp1252));
    Path file = Files.write(dir.resolve("HAM10000_metadata.csv"), csv.toByteArray());
    assertEquals(DatasetFormat.HAM10000, DatasetFormat.detect(dir));
    Manifest m = new Ham10000Reader().read(dir);
    assertEquals(java.util.List.of("ISIC_1", "ISIC_3"), m.records().stream().map(SourceRecord::imageId).sorted().toList());
    assertEquals("t\u00eate \u2013 face", m.records().stream().filter(r -> r.imageId().equals("ISIC_1")).findFirst()
        .orElseThrow().localization());
    Rejection bad = m.rejections().stream().filter(r -> r.reason() == QuarantineReason.MALFORMED_ROW).findFirst()
        .orElseThrow(() -> new AssertionError(m.rejections().toString()));
    assertEquals(file + ":3", bad.source());
    assertTrue(bad.message().contains("neither UTF-8 nor Windows-1252"), bad.message());
    // UTF-8 with a byte-order mark reads as UTF-8 (its é is two bytes, not "Ã©").
    Files.write(file, ("\uFEFFlesion_id,image_id,dx,dx_type,age,sex,localization\nL1,ISIC_1,nv,histo,40,male,t\u00eate\n")
        .getBytes(StandardCharsets.UTF_8));
    assertEquals("t\u00eate", new Ham10000Reader().read(dir).records().get(0).localization());
  }

  @Test
  void isic2019OneHotWithMetadata() throws IOException {
    Files.write(dir.resolve("ISIC_0000001.jpg"), jpeg());
    Files.write(dir.resolve("ISIC_0000002.jpg"), jpeg());
    Files.write(dir.resolve("ISIC_0000003.jpg"), jpeg());
    Files.writeString(dir.resolve("ISIC_2019_Training_GroundTruth.csv"),
        "image,MEL,NV,BCC,AK,BKL,DF,VASC,SCC,UNK\n"
            + "ISIC_0000001,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0\n"
            + "ISIC_0000002,0.0,0.0,0.0,0.0,0.0,0.0,0.0,1.0,0.0\n"
            + "ISIC_0000003,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,1.0\n");
    Files.writeString(dir.resolve("ISIC_2019_Training_Metadata.csv"),
        "image,age_approx,anatom_site_general,lesion_id,sex\n"
            + "ISIC_0000001,55.0,anterior torso,BCN_0000001,male\n"
            + "ISIC_0000002,70.0,head/neck,BCN_0000002,female\n");
    assertEquals(DatasetFormat.ISIC, DatasetFormat.detect(dir));
    Manifest m = new IsicReader().read(dir);
    assertEquals(2, m.records().size());
    SourceRecord mel = m.records().get(0);
    assertEquals(Diagnosis.MEL, mel.dx());
    assertEquals("BCN_0000001", mel.lesionId());
    assertEquals(55.0, mel.age());
    assertEquals("anterior torso", mel.localization());
    assertEquals(Diagnosis.AKIEC, m.records().get(1).dx());
    assertEquals(1, m.rejections().size());
    assertEquals(QuarantineReason.UNKNOWN_LABEL, m.rejections().get(0).reason());  // UNK
  }

  @Test
  void isic2020DiagnosisColumn() throws IOException {
    Files.createDirectories(dir.resolve("train"));
    Files.write(dir.resolve("train/ISIC_2637011.jpg"), jpeg());
    Files.write(dir.resolve("train/ISIC_0015719.jpg"), jpeg());
    Files.writeString(dir.resolve("ISIC_2020_Training_GroundTruth.csv"),
        "image_name,patient_id,lesion_id,sex,age_approx,anatom_site_general_challenge,diagnosis,benign_malignant,target\n"
            + "ISIC_2637011,IP_7279968,IL_7972535,male,45.0,head/neck,unknown,benign,0\n"
            + "ISIC_0015719,IP_3075186,IL_4649854,female,45.0,upper extremity,melanoma,malignant,1\n");
    Manifest m = DatasetFormat.detect(dir).reader().read(dir);
    assertEquals(1, m.records().size());
    assertEquals(Diagnosis.MEL, m.records().get(0).dx());
    assertEquals("IL_4649854", m.records().get(0).lesionId());
    assertEquals("IP_3075186", m.records().get(0).extra().get("patient_id"));
    assertEquals(QuarantineReason.UNKNOWN_LABEL, m.rejections().get(0).reason());
  }

  @Test
  void folderPerClassUsesFolderNames() throws IOException {
    for (String cls : new String[] {"melanoma", "nv", "basal_cell_carcinoma", "other"}) {
      Files.createDirectories(dir.resolve(cls));
      Files.write(dir.resolve(cls).resolve("img_" + cls + ".png"),
          BadInputCorpus.encode(BadInputCorpus.pattern(BufferedImage.TYPE_INT_RGB, 40, 30), "png"));
    }
    assertEquals(DatasetFormat.FOLDERS, DatasetFormat.detect(dir));
    Manifest m = new FolderPerClassReader().read(dir);
    assertEquals(Map.of("img_melanoma", Diagnosis.MEL, "img_nv", Diagnosis.NV,
        "img_basal_cell_carcinoma", Diagnosis.BCC),
        m.records().stream().collect(Collectors.toMap(SourceRecord::imageId, SourceRecord::dx)));
    assertEquals(QuarantineReason.UNKNOWN_LABEL, m.rejections().get(0).reason());
    // No grouping known: each image is its own lesion.
    assertTrue(m.records().stream().allMatch(r -> r.lesionId().equals(r.imageId())));
  }

  @Test
  void labelsCsvWithGroupsAndTraversalRefused() throws IOException {
    Files.createDirectories(dir.resolve("imgs"));
    Files.write(dir.resolve("imgs/a.jpg"), jpeg());
    Files.write(dir.resolve("imgs/b.jpg"), jpeg());
    Files.writeString(dir.resolve("labels.csv"),
        "path,label,group\nimgs/a.jpg,Melanoma,L1\nimgs/b.jpg,common nevus,L1\n../etc/passwd,nv,\n",
        StandardCharsets.UTF_8);
    assertEquals(DatasetFormat.LABELS_CSV, DatasetFormat.detect(dir));
    Manifest m = new LabelsCsvReader().read(dir);
    assertEquals(2, m.records().size());
    assertTrue(m.records().stream().allMatch(r -> r.lesionId().equals("L1")));
    assertEquals(QuarantineReason.OUTSIDE_ROOT, m.rejections().get(0).reason());
    assertTrue(m.rejections().get(0).message().contains("outside"));
  }

  @Test
  void relativeDottedLinkedAndAbsoluteRootsListTheSameAndALinkOutOfTheRootIsRefused(@TempDir Path elsewhere)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.createDirectories(data.resolve("imgs"));
    Files.write(data.resolve("imgs/a.jpg"), jpeg());
    Files.write(data.resolve("imgs/b.jpg"), jpeg());
    // A listed file that is a link to a file outside the dataset folder, and an unlisted one.
    Files.write(elsewhere.resolve("secret.jpg"), jpeg());
    Files.createSymbolicLink(data.resolve("imgs/c.jpg"), elsewhere.resolve("secret.jpg"));
    Files.createSymbolicLink(data.resolve("imgs/d.jpg"), elsewhere.resolve("secret.jpg"));
    Files.writeString(data.resolve("labels.csv"), "path,label\nimgs/a.jpg,mel\n./imgs/b.jpg,nv\nimgs/c.jpg,nv\n",
        StandardCharsets.UTF_8);
    Path cwd = Path.of("").toAbsolutePath();
    Path link = Files.createSymbolicLink(dir.resolve("link"), data);
    List<Manifest> manifests = new java.util.ArrayList<>();
    for (Path root : List.of(data, cwd.relativize(data), Path.of(".").resolve(cwd.relativize(data)),
        data.resolve("imgs/.."), link)) {
      manifests.add(DatasetFormat.detect(root).reader().read(root));
    }
    Manifest m = manifests.get(0);
    assertEquals(List.of("a", "b"), m.records().stream().map(SourceRecord::imageId).toList());
    // c is refused as a link out of the folder (not read), d as unlisted; nothing else (no UNLISTED a/b).
    assertEquals(List.of(QuarantineReason.OUTSIDE_ROOT, QuarantineReason.OUTSIDE_ROOT),
        m.rejections().stream().map(Rejection::reason).sorted().toList(), m.rejections().toString());
    for (Manifest other : manifests) {
      assertEquals(m, other);
    }
  }

  @Test
  void unknownLayoutSaysWhatWasExpected() throws IOException {
    Files.writeString(dir.resolve("notes.txt"), "hello");
    IOException e = assertThrows(IOException.class, () -> DatasetFormat.detect(dir));
    assertTrue(e.getMessage().contains("--format"), e.getMessage());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> DatasetFormat.parse("hamm"));
    assertTrue(bad.getMessage().contains("ham10000, isic, folders, labels-csv"), bad.getMessage());
  }
}
