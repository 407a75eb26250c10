package io.dermsynth.core.metrics;

import ai.djl.ndarray.NDArray;

/**
 * A fixed network whose features measure images: generator FID/KID compare distributions of its
 * {@link #embedding}, sample diversity is LPIPS over its {@link #lpipsBackbone}. Two kinds exist: a trained
 * lesion classifier (always at hand) and Inception-v3 (when a user brings its weights).
 */
public interface FeatureNetwork extends AutoCloseable {

  /** Side length S of the square images {@link #embedding} takes. */
  long inputSize();

  /** [N, 3, S, S] images in [0, 1] → [N, C] features. */
  NDArray embedding(NDArray images01);

  /** Feature maps for LPIPS, of NCHW images in [0, 1]. */
  Lpips.Backbone lpipsBackbone();

  /** What the features are, for run rows and plots (e.g. "classifier", "inception-fid"). */
  String featuresName();

  @Override
  void close();
}
