package io.dermsynth.core.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dermsynth.core.classify.SyntheticAllocation;
import io.dermsynth.core.factor.EditRenderer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestExperimentArm {

  private static final ExperimentArm.Policy DEFAULTS = new ExperimentArm.Policy(EditRenderer.Render.RESIDUAL, true,
      SyntheticAllocation.Policy.PROPORTIONAL);

  private static List<ExperimentArm> expand(String... specs) {
    return ExperimentArm.expand(List.of(specs), 300, 0.2, List.of(0.1, 0.3), DEFAULTS,
        () -> List.of(new ExperimentArm.Direction("d-a", 0, "Hair / Ruler"), new ExperimentArm.Direction("d-b", 3, null)));
  }

  @Test
  void specsExpandIntoArmsWithTheBaselineFirst() {
    List<ExperimentArm> arms = expand("sa2k:generator:ungated", " Baseline ", "recon100", "per-direction",
        "lpips-sweep", "synthetic-only", "sa300:hyperstyle:inverse_frequency");
    assertEquals(List.of("baseline", "sa2k:generator:ungated", "recon100", "dir0-hair-ruler", "dir3", "lpips0.10",
        "lpips0.30", "synthetic-only", "sa300:hyperstyle:inverse_frequency"), arms.stream().map(ExperimentArm::name)
        .toList());
    ExperimentArm base = arms.get(0);
    assertEquals(0, base.synthetic());
    assertEquals("real train split only", base.describe());
    ExperimentArm sa2k = arms.get(1);
    assertEquals(2000, sa2k.synthetic());
    assertEquals("render=generator gate=none allocation=proportional sources=finest", sa2k.policy().describe());
    ExperimentArm recon = arms.get(2);
    assertTrue(recon.reconOnly());
    assertEquals(100, recon.synthetic());
    assertEquals("α = 0 renders, LPIPS ≤ 0.20, render=residual gate=label allocation=proportional sources=finest",
        recon.describe());
    assertEquals("d-a", arms.get(3).directionId());
    assertEquals(300, arms.get(3).synthetic());
    assertNull(arms.get(5).directionId());
    assertEquals(0.3, arms.get(6).lpipsMax(), 0);
    assertFalse(arms.get(7).withReal());
    assertTrue(arms.get(7).describe().endsWith(", no real images"));
    assertEquals("render=residual gate=label allocation=inverse_frequency sources=hyperstyle",
        arms.get(8).policy().describe());
  }

  @Test
  void aBadSpecNamesItselfAndWhatIsAllowed() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> expand("sa100")).getMessage()
        .contains("must include baseline"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> expand("baseline", "sa0")).getMessage()
        .contains("'sa0' adds no synthetic images"));
    String unknown = assertThrows(IllegalArgumentException.class, () -> expand("baseline", "more")).getMessage();
    assertTrue(unknown.contains("unknown arm 'more'") && unknown.contains(ExperimentArm.GRAMMAR), unknown);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> expand("baseline", "sa10:blurry")).getMessage()
        .contains("policy word 'blurry'"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> expand("baseline", "sa10", "SA10")).getMessage()
        .contains("names an arm twice"));
    assertTrue(assertThrows(IllegalStateException.class, () -> ExperimentArm.expand(List.of("baseline",
        "per-direction"), 10, 0.2, List.of(), DEFAULTS, List::of)).getMessage().contains("no images"));
  }
}
