package io.dermsynth.jobs.review;

import java.util.Map;

/**
 * A train image the strips are rendered on: its inversion (W+, HyperStyle offsets by layer) and its stored
 * PNG, the reference LPIPS is measured against.
 */
public record ReviewSample(String imageId, String dx, float[] wPlus, Map<String, float[]> offsets, byte[] png) {}
