package io.dermsynth.jobs.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.dermsynth.core.gan.AugmentPipe;
import io.dermsynth.core.gan.GanArchitecture;
import io.dermsynth.core.gan.GanOptions;
import io.dermsynth.jobs.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestGanSettings {

  private static GanOptions gan(Map<String, String> sets) {
    return GanSettings.of(Settings.load(List.of(), sets)).training();
  }

  @Test
  void theDefaultIsTiny32WithNvlabsAutoRules() {
    GanOptions o = gan(Map.of());
    assertEquals("tiny32", o.preset());
    assertEquals(GanArchitecture.of(32, 4096, 64, 4), o.architecture());
    assertEquals(16, o.batch());
    assertEquals(0.0025f, o.lrG());
    assertEquals(0.0002f * 32 * 32 / 16, o.r1Gamma());  // auto: 0.0002·res²/batch
    assertEquals(5f, o.emaKimg());                      // auto: batch·10/32
    assertEquals(0.05f, o.emaRampup());
    assertEquals(0f, o.plWeight());
    assertEquals(10, o.kimg());
    assertEquals(AugmentPipe.BGC, o.augmentPipe());  // NVlabs' --augpipe default
    assertEquals(AugmentPipe.BG, gan(Map.of("gan.augpipe", "bg")).augmentPipe());
  }

  @Test
  void aPresetIsAFileLayeredUnderTheUsersKeys() {
    GanOptions small = gan(Map.of("gan.preset", "small64", "gan.batch_size", "8"));
    assertEquals(GanArchitecture.of(64, 8192, 128, 4), small.architecture());
    assertEquals(8, small.batch(), "the user's key wins over the preset file");
    assertEquals(0.0002f * 64 * 64 / 8, small.r1Gamma(), "auto follows the batch the user chose");

    GanOptions paper = gan(Map.of("gan.preset", "paper256"));
    assertEquals(GanArchitecture.of(256, 16384, 512, 8), paper.architecture());
    assertEquals(64, paper.batch());
    assertEquals(1f, paper.r1Gamma());
    assertEquals(20f, paper.emaKimg());
    assertEquals(2f, paper.plWeight());
    assertEquals(25000, paper.kimg());
    assertEquals(10f, gan(Map.of("gan.preset", "paper256", "gan.r1_gamma", "10")).r1Gamma());
  }

  /**
   * NVlabs stylegan2-ada-pytorch {@code train.py}, {@code cfg_specs}, transcribed row by row (ref_gpus
   * left out: the batch is the global one): kimg, mb, mbstd, fmaps, lrate, gamma, ema, ramp (None = 0), map.
   * channel_base = fmaps × 32768 and channel_max = 512 as train.py sets them; pl_weight 2 and style mixing
   * 0.9 for every cfg but cifar; the resolution is the dataset's there, the one each name says here
   * (config F at 256 px for stylegan2).
   */
  private static final Object[][] CFG_SPECS = {
      // name,     res,  kimg,  mb, mbstd, fmaps, lrate,  gamma, ema, ramp, map
      {"stylegan2", 256, 25000, 32, 4, 1.0, 0.002f, 10f, 10f, 0f, 8},
      {"paper256", 256, 25000, 64, 8, 0.5, 0.0025f, 1f, 20f, 0f, 8},
      {"paper512", 512, 25000, 64, 8, 1.0, 0.0025f, 0.5f, 20f, 0f, 8},
      {"paper1024", 1024, 25000, 32, 4, 1.0, 0.002f, 2f, 10f, 0f, 8},
  };

  @Test
  void theGpuPresetsEqualNvlabsCfgSpecsValueForValue() {
    for (Object[] row : CFG_SPECS) {
      String name = (String) row[0];
      GanOptions o = gan(Map.of("gan.preset", name));
      GanArchitecture a = o.architecture();
      assertEquals((int) row[1], a.resolution(), name + " resolution");
      assertEquals(25000.0, ((Integer) row[2]).doubleValue(), o.kimg(), name + " kimg");
      assertEquals((int) row[3], o.batch(), name + " mb");
      assertEquals((int) row[4], a.mbstdGroup(), name + " mbstd");
      assertEquals((int) Math.round((double) row[5] * 32768), a.channelBase(), name + " fmaps × 32768");
      assertEquals(512, a.channelMax(), name + " channel_max");
      assertEquals((float) row[6], o.lrG(), name + " lrate (G)");
      assertEquals((float) row[6], o.lrD(), name + " lrate (D)");
      assertEquals((float) row[7], o.r1Gamma(), name + " gamma");
      assertEquals((float) row[8], o.emaKimg(), name + " ema");
      assertEquals((float) row[9], o.emaRampup(), name + " ramp");
      assertEquals((int) row[10], a.mappingLayers(), name + " map");
      assertEquals(512, a.wDim(), name + " w_dim");
      assertEquals(2f, o.plWeight(), name + " pl_weight");
      assertEquals(0.9f, o.styleMixing(), name + " style_mixing_prob");
      assertEquals(16, o.r1Interval(), name + " D_reg_interval");
      assertEquals(4, o.plInterval(), name + " G_reg_interval");
    }
  }

  @Test
  void theDemoAndPipelineLayersSitBetweenThePresetAndTheUser() {
    GanOptions pipeline = GanSettings.of(Settings.load(List.of(), Map.of(), List.of(Settings.PIPELINE_LAYER)))
        .training();
    assertEquals("small64", pipeline.preset());
    assertEquals(100, pipeline.kimg(), "the layer's gan.kimg over the preset's");
    Settings demo = Settings.load(List.of(), Map.of("gan.kimg", "0.5"), List.of(Settings.DEMO_LAYER));
    assertEquals(0.5, GanSettings.of(demo).training().kimg(), "the user's over the layer's");
    assertEquals(List.of("baseline", "sa300"), demo.config().getStringList("experiment.arms"));
    assertEquals(8, demo.config().getInt("factorize.top_k"));
  }

  @Test
  void everyPresetFileSetsTheSameKeysAndSaysWhatItMirrors() throws Exception {
    Set<String> first = null;
    for (String name : Settings.GAN_PRESETS) {
      String resource = "io/dermsynth/presets/gan/" + name + ".conf";
      var config = ConfigFactory.parseResources(getClass().getClassLoader(), resource);
      Set<String> keys = new TreeSet<>(config.getConfig("gan").root().keySet());
      if (first == null) {
        first = keys;
      }
      assertEquals(first, keys, resource);
      String text = new String(getClass().getClassLoader().getResourceAsStream(resource).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(text.contains("NVlabs stylegan2-ada-pytorch train.py cfg_specs"), resource + " names its source");
      GanSettings.of(Settings.load(List.of(), Map.of("gan.preset", name)));  // every one resolves
    }
    try (var files = Files.list(Path.of("../conf/presets/gan"))) {
      assertEquals(new TreeSet<>(Settings.GAN_PRESETS), new TreeSet<>(files.map(p -> p.getFileName().toString()
          .replace(".conf", "")).toList()), "GAN_PRESETS lists conf/presets/gan");
    }
  }

  @Test
  void aPresetCanBeAFileOfTheUsers(@TempDir Path dir) throws Exception {
    Path mine = dir.resolve("wide32.conf");
    Files.writeString(mine, new String(getClass().getClassLoader()
        .getResourceAsStream("io/dermsynth/presets/gan/tiny32.conf").readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8).replace("channel_max = 64", "channel_max = 128"));
    assertEquals(128, gan(Map.of("gan.preset", mine.toString())).architecture().channelMax());
  }

  @Test
  void badValuesNameTheirKey() {
    String unknown = assertThrows(IllegalArgumentException.class, () -> gan(Map.of("gan.preset", "tiny16")))
        .getMessage();
    assertTrue(unknown.contains("gan.preset = 'tiny16'") && unknown.contains("small64"), unknown);
    assertEquals("gan.batch_size must be ≥ 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> gan(Map.of("gan.batch_size", "0"))).getMessage());
    assertEquals("gan.r1_gamma must be auto or a number ≥ 0, got 'big'",
        assertThrows(IllegalArgumentException.class, () -> gan(Map.of("gan.r1_gamma", "big"))).getMessage());
    assertEquals("gan.style_mixing must be in [0, 1], got 1.5",
        assertThrows(IllegalArgumentException.class, () -> gan(Map.of("gan.style_mixing", "1.5"))).getMessage());
    assertEquals("gan.augpipe = 'bgcfnc'; allowed: [blit, geom, color, bg, bgc]",
        assertThrows(IllegalArgumentException.class, () -> gan(Map.of("gan.augpipe", "bgcfnc"))).getMessage());
  }
}
