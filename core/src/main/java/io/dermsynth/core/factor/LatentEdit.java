package io.dermsynth.core.factor;

/**
 * SeFa's edit: W+ rows of the chosen layers moved by alpha × direction, every other row left alone
 * (genforce/sefa {@code code[:, layers] += direction * distance}). The image's HyperStyle weight offsets
 * are not touched, so that alpha = 0 gives back the inverted image exactly.
 */
public final class LatentEdit {

  private LatentEdit() {}

  /**
   * @param wPlus one image's W+ [numWs · wDim], row-major
   * @param direction unit vector [wDim]
   * @param wIndices the W+ rows to move (each layer's {@link StyleLayer#wIndex()}, repeats allowed)
   * @return a new array; {@code wPlus} is not changed
   */
  public static float[] apply(float[] wPlus, int wDim, float[] direction, float alpha, int[] wIndices) {
    if (direction.length != wDim || wPlus.length % wDim != 0) {
      throw new IllegalArgumentException("W+ [" + wPlus.length + "] must be numWs × " + wDim
          + " and the direction [" + direction.length + "] must be [" + wDim + "]");
    }
    int numWs = wPlus.length / wDim;
    float[] out = wPlus.clone();
    boolean[] moved = new boolean[numWs];
    for (int w : wIndices) {
      if (w < 0 || w >= numWs) {
        throw new IllegalArgumentException("W+ row " + w + " outside [0, " + numWs + ")");
      }
      if (moved[w]) {
        continue;  // a conv and a ToRGB sharing a row move it once
      }
      moved[w] = true;
      for (int c = 0; c < wDim; c++) {
        out[w * wDim + c] += alpha * direction[c];
      }
    }
    return out;
  }
}
