package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Map;

/** NVlabs {@code Generator}: {@code mapping} (z → ws) and {@code synthesis} (ws → image in [−1, 1]). */
public final class Generator extends GanBlock {

  private final GanArchitecture arch;
  private final MappingNetwork mapping;
  private final SynthesisNetwork synthesis;

  public Generator(GanArchitecture arch) {
    this.arch = arch;
    mapping = addChildBlock("mapping", new MappingNetwork(arch.zDim(), arch.wDim(), arch.numWs(),
        arch.mappingLayers(), 0.01f, 0.995f));
    synthesis = addChildBlock("synthesis", new SynthesisNetwork(arch));
  }

  /** A generator with freshly initialised weights on {@code manager}'s device. */
  public static Generator create(GanArchitecture arch, NDManager manager) {
    Generator g = new Generator(arch);
    g.initialize(manager, DataType.FLOAT32, new Shape(1, arch.zDim()));
    return g;
  }

  /** z [N, zDim] → image [N, 3, R, R], with the truncation trick (ψ = 1 means none). */
  public NDArray forward(NDArray z, float psi, NoiseMode noise) {
    NDArray ws = mapping.forward(z);
    return synthesis.forward(psi == 1f ? ws : mapping.truncate(ws, psi), noise);
  }

  public MappingNetwork mapping() {
    return mapping;
  }

  public SynthesisNetwork synthesis() {
    return synthesis;
  }

  public GanArchitecture architecture() {
    return arch;
  }

  /** Every parameter and buffer by its NVlabs checkpoint key ({@code mapping.fc0.weight}, …). */
  public Map<String, Parameter> namedParameters() {
    return named(this, "");
  }
}
