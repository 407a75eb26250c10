package io.dermsynth.core.invert;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How latents are stored in tables: float32 little-endian bytes (numpy's {@code '<f4'}, so a notebook
 * reads a W+ with {@code np.frombuffer(b, '<f4').reshape(num_ws, w_dim)}).
 */
public final class LatentCodec {

  private LatentCodec() {}

  public static byte[] encode(float[] v, int offset, int length) {
    ByteBuffer b = ByteBuffer.allocate(4 * length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v, offset, length);
    return b.array();
  }

  public static float[] decode(byte[] bytes) {
    if (bytes.length % 4 != 0) {
      throw new IllegalArgumentException("float32 latent bytes must be a multiple of 4 long, got " + bytes.length);
    }
    float[] out = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }
}
