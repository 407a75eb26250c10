package io.dermsynth.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.BadInputException;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of what ingest reads from users: valid JPEG, PNG, BMP and GIF files through the
 * image normaliser, and a HAM10000 metadata csv through its reader, each mutated (bytes flipped, cut,
 * overwritten, inserted, repeated, formats spliced). Every image input must end as an image or a
 * quarantine reason; every csv as records and rejections, or an error the user can act on
 * ({@link BadInputException} or IllegalArgumentException naming the file). Nothing else may escape.
 * {@code -Dfuzz.inputs=N} sets the number of inputs of each kind (1,000 here; bench/fuzz.sh runs 100,000).
 */
class TestFuzzInputs {

  static final int INPUTS = Integer.getInteger("fuzz.inputs", 1000);
  static final long SEED = Long.getLong("fuzz.seed", 20261130L);

  @TempDir Path dir;

  @Test
  void everyMutatedImageEndsAsAnImageOrAQuarantineReason() throws Exception {
    BufferedImage pattern = BadInputCorpus.pattern(BufferedImage.TYPE_INT_RGB, 40, 30);
    List<byte[]> seeds = new ArrayList<>();
    for (String format : List.of("jpeg", "png", "bmp", "gif")) {
      seeds.add(BadInputCorpus.encode(pattern, format));
    }
    // Parsing is under test, not the size limits: 4 M pixels keeps a mutated header's allocation small.
    ImageNormalizer normalizer = new ImageNormalizer(new ImageNormalizer.Options(32, 4_000_000L, 16));
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> escaped = new ArrayList<>();
    for (int i = 0; i < INPUTS; i++) {
      SplittableRandom rnd = new SplittableRandom(SEED + i);
      byte[] input = mutate(seeds.get(i % seeds.size()), seeds, rnd);
      try {
        ImageNormalizer.Outcome o = normalizer.normalize(input);
        String key = o instanceof ImageNormalizer.Failed f ? f.reason().name() : "IMAGE";
        assertTrue(!(o instanceof ImageNormalizer.Failed f) || !f.message().isBlank(), "a reason without a message");
        outcomes.merge(key, 1, Integer::sum);
      } catch (Throwable t) {
        escaped.add("input " + i + " (seed " + (SEED + i) + "): " + t);
      }
    }
    System.out.println("fuzz images: " + INPUTS + " inputs → " + outcomes);
    assertEquals(List.of(), escaped.subList(0, Math.min(5, escaped.size())), escaped.size() + " escaped");
    assertTrue(outcomes.size() >= 3, "the mutations reach several outcomes: " + outcomes);
  }

  @Test
  void everyMutatedCsvEndsAsRecordsAndRejectionsOrANamedError() throws Exception {
    StringBuilder text = new StringBuilder("\uFEFFlesion_id,image_id,dx,dx_type,age,sex,localization\n");
    String[] dx = {"nv", "mel", "bkl", "bcc", "akiec", "vasc", "df"};
    for (int r = 0; r < 12; r++) {
      text.append("HAM_").append(r / 2).append(",ISIC_").append(r).append(',').append(dx[r % dx.length])
          .append(",histo,").append(30 + r).append(r % 2 == 0 ? ",male," : ",female,")
          .append(r % 3 == 0 ? "\"upper extremity, left\"" : "back").append('\n');
    }
    byte[] seed = text.toString().getBytes(StandardCharsets.UTF_8);
    Path data = Files.createDirectories(dir.resolve("data"));
    Path csv = data.resolve("HAM10000_metadata.csv");
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> escaped = new ArrayList<>();
    for (int i = 0; i < INPUTS; i++) {
      SplittableRandom rnd = new SplittableRandom(SEED + 7919L * i);
      Files.write(csv, mutate(seed, List.of(seed), rnd));
      try {
        Manifest m = DatasetFormat.HAM10000.reader().read(data);
        outcomes.merge(m.rejections().isEmpty() ? "read" : "read with rejections", 1, Integer::sum);
      } catch (BadInputException | IllegalArgumentException e) {
        if (e.getMessage() == null || !e.getMessage().contains(data.toRealPath().toString())) {
          escaped.add("input " + i + ": an error that does not name the file: " + e);
        }
        outcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      } catch (Throwable t) {
        escaped.add("input " + i + " (seed " + (SEED + 7919L * i) + "): " + t);
      }
    }
    System.out.println("fuzz csv: " + INPUTS + " inputs → " + outcomes);
    assertEquals(List.of(), escaped.subList(0, Math.min(5, escaped.size())), escaped.size() + " escaped");
  }

  /** What the 100,000-input run found escaping (commons-csv's CSVException, an IOException): named errors now. */
  @Test
  void aCharacterAfterAClosingQuoteOrAnUnterminatedQuoteIsANamedError() throws Exception {
    Path data = Files.createDirectories(dir.resolve("quotes"));
    Path csv = data.resolve("HAM10000_metadata.csv");
    for (String text : List.of("lesion_id,image_id,dx\n\"L1\"x,ISIC_1,nv\n", "lesion_id,image_id,dx\n\"L1,ISIC_1,nv\n",
        "\"lesion_id,image_id,dx\nL1,ISIC_1,nv\n")) {
      Files.writeString(csv, text);
      try {
        DatasetFormat.HAM10000.reader().read(data);
        throw new AssertionError("read: " + text);
      } catch (BadInputException | IllegalArgumentException e) {
        assertTrue(e.getMessage().contains(csv.toRealPath().toString()), e.getMessage());
      }
    }
  }

  /** One to three mutations of {@code seed}; {@code others} are spliced in by one kind. */
  static byte[] mutate(byte[] seed, List<byte[]> others, SplittableRandom rnd) {
    byte[] b = seed.clone();
    int n = 1 + rnd.nextInt(3);
    for (int k = 0; k < n && b.length > 0; k++) {
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(6)) {
        case 0 -> {  // flip bits in a few bytes
          for (int j = 0, flips = 1 + rnd.nextInt(8); j < flips; j++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        case 1 -> b = java.util.Arrays.copyOf(b, at);  // cut
        case 2 -> {  // overwrite up to 4 bytes with an extreme value (header fields: sizes, lengths)
          byte v = rnd.nextBoolean() ? (byte) 0xFF : (byte) rnd.nextInt(256);
          for (int j = at; j < Math.min(b.length, at + 1 + rnd.nextInt(4)); j++) {
            b[j] = v;
          }
        }
        case 3 -> {  // insert random bytes
          byte[] ins = new byte[1 + rnd.nextInt(16)];
          rnd.nextBytes(ins);
          b = concat(java.util.Arrays.copyOf(b, at), ins, java.util.Arrays.copyOfRange(b, at, b.length));
        }
        case 4 -> {  // repeat a slice
          int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
          b = concat(java.util.Arrays.copyOf(b, at + len), java.util.Arrays.copyOfRange(b, at, b.length));
        }
        default -> {  // this file's head, another's tail
          byte[] other = others.get(rnd.nextInt(others.size()));
          int cut = rnd.nextInt(other.length);
          b = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(other, cut, other.length));
        }
      }
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
