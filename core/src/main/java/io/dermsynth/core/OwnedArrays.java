package io.dermsynth.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays whose memory libtorch owns, and arithmetic with a constant that autograd can replay.
 *
 * <p>DJL's PyTorch engine wraps Java memory (a direct ByteBuffer, torch::from_blob) for every array made
 * from Java values: {@code manager.create(float[])}, {@code set(float[])}, and the one-element tensor behind
 * {@code x.mul(2f)}, {@code x.div(n)}, {@code x.pow(-0.5f)}, {@code x.maximum(0f)}, which DJL closes as soon
 * as the product exists. The ByteBuffer is freed when the garbage collector finds its Java array
 * unreachable, but libtorch does not know: a view, or the copy autograd saved for the backward pass
 * ({@code w·gain} saves {@code gain}), still points there. A collection between a forward and its backward
 * then feeds freed memory into the gradients: millions of non-finite gradient elements a tick when the
 * collector runs often, and two demos that differed as soon as one ran on a loaded machine (bench/RESULTS.md,
 * "Garbage collection fed freed memory into gradients").
 *
 * <p>So values from Java are copied into libtorch's memory at once, and multiplying, dividing, raising or
 * clamping by a constant goes through a libtorch-made scalar. Adding or subtracting a constant is safe as
 * DJL does it: autograd keeps nothing of the constant for those.
 */
public final class OwnedArrays {

  private OwnedArrays() {}

  public static NDArray of(NDManager manager, float[] values, Shape shape) {
    try (NDArray java = manager.create(values, shape)) {
      return java.duplicate();
    }
  }

  public static NDArray of(NDManager manager, long[] values, Shape shape) {
    try (NDArray java = manager.create(values, shape)) {
      return java.duplicate();
    }
  }

  public static NDArray of(NDManager manager, long[] values) {
    return of(manager, values, new Shape(values.length));
  }

  /** A 0-d array of {@code value} in {@code like}'s type, on its manager, made by libtorch. */
  public static NDArray scalar(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, like.getDataType());
  }

  public static NDArray mul(NDArray x, double value) {
    try (NDArray c = scalar(x, value)) {
      return x.mul(c);
    }
  }

  public static NDArray div(NDArray x, double value) {
    try (NDArray c = scalar(x, value)) {
      return x.div(c);
    }
  }

  public static NDArray pow(NDArray x, double exponent) {
    try (NDArray c = scalar(x, exponent)) {
      return x.pow(c);
    }
  }

  public static NDArray maximum(NDArray x, double value) {
    try (NDArray c = scalar(x, value)) {
      return x.maximum(c);
    }
  }

  /** Copies {@code values} into {@code into}'s own memory (NDArray.set(float[]) would make it point at Java's). */
  public static void assign(NDArray into, float[] values) {
    try (NDArray src = of(into.getManager(), values, into.getShape())) {
      Scopes.noGrad(() -> into.set(new NDIndex("..."), src));
    }
  }
}
