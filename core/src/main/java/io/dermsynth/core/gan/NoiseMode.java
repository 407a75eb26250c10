package io.dermsynth.core.gan;

/** Per-pixel noise in the synthesis layers, as NVlabs' noise_mode. */
public enum NoiseMode {
  /** Fresh N(0, 1) noise each call: training and varied sampling. */
  RANDOM,
  /** Each layer's stored {@code noise_const}: reproducible images from one w. */
  CONST,
  /** No noise. */
  NONE
}
