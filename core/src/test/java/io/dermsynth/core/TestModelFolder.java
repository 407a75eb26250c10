package io.dermsynth.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestModelFolder {

  record Progress(long step, double loss, List<String> names) {}

  static final ModelFormat FORMAT = new ModelFormat("dermsynth-test", 2);

  @Test
  void aSnapshotExistsOnlyOnceItsManifestIsWritten(@TempDir Path dir) throws Exception {
    ModelFolder folder = new ModelFolder(CheckpointStore.directory(dir), FORMAT);
    folder.snapshot(3).write("w.bin", new byte[] {1, 2}).commit(new Progress(3, 0.5, List.of("a")));
    ModelFolder.Commit killed = folder.snapshot(7);
    killed.write("w.bin", new byte[] {9});  // a process killed before the manifest
    assertEquals(List.of("snapshot-000000003"), folder.snapshots());
    assertEquals(new Progress(3, 0.5, List.of("a")), folder.manifest("snapshot-000000003", Progress.class));
    assertArrayEquals(new byte[] {1, 2}, folder.read("snapshot-000000003", "w.bin"));
    String json = Files.readString(dir.resolve("snapshot-000000003/manifest.json"));
    assertTrue(json.stripLeading().startsWith("{\n  \"format\": \"dermsynth-test/2\""), json);
    killed.commit(new Progress(7, 0.25, List.of()));
    assertEquals("snapshot-000000007", folder.newestSnapshot().orElseThrow());
    assertThrows(IllegalStateException.class, () -> killed.write("late.bin", new byte[1]));
  }

  @Test
  void keepsTheNewestAndTheProtectedOne(@TempDir Path dir) throws Exception {
    ModelFolder folder = new ModelFolder(CheckpointStore.directory(dir), FORMAT);
    for (long step = 1; step <= 5; step++) {
      folder.snapshot(step).write("w.bin", new byte[] {(byte) step}).commit(new Progress(step, 0, List.of()));
      folder.keepNewest(2, ModelFolder.snapshotName(2));
    }
    assertEquals(List.of("snapshot-000000002", "snapshot-000000004", "snapshot-000000005"), folder.snapshots());
    assertFalse(Files.exists(dir.resolve("snapshot-000000003")));
  }

  @Test
  void refusesAnotherKindAndANewerVersionAndReadsAFolderWithoutFormatAsVersionOne(@TempDir Path dir)
      throws Exception {
    CheckpointStore store = CheckpointStore.directory(dir);
    new ModelFolder(store, new ModelFormat("dermsynth-classifier", 1)).model().write("weights", new byte[1])
        .commit(new Progress(1, 0, List.of()));
    var other = assertThrows(BadInputException.class, () -> new ModelFolder(store, FORMAT).modelManifest(Progress.class));
    assertEquals("manifest.json is a dermsynth-classifier/1 folder, not dermsynth-test/2", other.getMessage());

    new ModelFolder(store, new ModelFormat("dermsynth-test", 3)).model().commit(new Progress(1, 0, List.of()));
    var newer = assertThrows(BadInputException.class, () -> new ModelFolder(store, FORMAT).modelManifest(Progress.class));
    assertTrue(newer.getMessage().contains("written by a newer dermsynth; this one reads dermsynth-test up to version 2"),
        newer.getMessage());

    store.write("manifest.json", "{\"step\": 4, \"loss\": 1.5, \"names\": []}".getBytes(StandardCharsets.UTF_8));
    assertEquals(new Progress(4, 1.5, List.of()), new ModelFolder(store, FORMAT).modelManifest(Progress.class));
    assertTrue(ModelFolder.formatName(store).isEmpty());
  }

  @Test
  void aSubFolderIsAStoreOfItsOwn(@TempDir Path dir) throws Exception {
    CheckpointStore lpips = CheckpointStore.directory(dir).under("lpips");
    ModelFolder folder = new ModelFolder(lpips, FORMAT);
    folder.model().write("weights", new byte[] {5}).commit(new Progress(0, 0, List.of()));
    assertTrue(Files.exists(dir.resolve("lpips/manifest.json")));
    assertEquals(List.of("manifest.json", "weights"), lpips.list());
    assertEquals(List.of("lpips"), CheckpointStore.directory(dir).list());
    assertEquals("dermsynth-test", ModelFolder.formatName(lpips).orElseThrow());
    // Streams: the file's bytes through the sub-folder, a missing file named.
    try (java.io.InputStream in = lpips.open("weights")) {
      assertArrayEquals(new byte[] {5}, in.readAllBytes());
    }
    String missing = org.junit.jupiter.api.Assertions.assertThrows(BadInputException.class,
        () -> lpips.open("nothing")).getMessage();
    assertTrue(missing.endsWith("lpips/nothing does not exist"), missing);
  }

  @Test
  void aStreamedFileAppearsWholeOrNotAtAll(@TempDir Path dir) throws Exception {
    CheckpointStore store = CheckpointStore.directory(dir);
    try (CheckpointStore.Staged out = store.create("a/shard.tar")) {
      out.write(new byte[] {1, 2, 3});
      assertFalse(Files.exists(dir.resolve("a/shard.tar")), "not there while written");
    }
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("a/shard.tar")));
    try (CheckpointStore.Staged out = store.create("a/shard.tar")) {
      out.write(new byte[] {9});
      out.discard();  // the writer failed
    }
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("a/shard.tar")), "the old file stays");
    assertEquals(List.of("shard.tar"), store.list("a"), "nothing left beside it");
  }

  @Test
  void aFormatIsANameAndAVersion() throws Exception {
    assertEquals(new ModelFormat("dermsynth-stylegan2", 1), ModelFormat.parse("dermsynth-stylegan2/1"));
    assertThrows(BadInputException.class, () -> ModelFormat.parse("stylegan2"));
    assertThrows(IllegalArgumentException.class, () -> new ModelFormat("x", 0));
  }
}
