package io.dermsynth.core.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * ∂ sum(out) / ∂x with the graph kept (torch.autograd.grad, create_graph=True), for R1 and path-length
 * regularisation. DJL's public double backward ({@code JniUtils.backward(…, createGraph=true)}) also
 * accumulates graph-carrying gradients into every parameter and leaks ~3 MiB a step (shared/FACTS.md);
 * this runs {@code torch.autograd.grad} in a two-line TorchScript module instead (made by
 * {@code tools/make_grad_module.py}, shipped as a resource), which touches no parameter's gradient.
 */
public final class InputGradient implements AutoCloseable {

  private static final String RESOURCE = "input_grad.pt";
  private final PtSymbolBlock module;

  public InputGradient(NDManager manager) {
    try (InputStream in = InputGradient.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing from the core jar");
      }
      module = JniUtils.loadModule((PtNDManager) manager, in, false, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** ∂ sum(out) / ∂x, shaped like x, differentiable again; x must be part of out's graph. */
  public NDArray of(NDArray out, NDArray x) {
    // training = true: DJL runs the module with grad mode on only then.
    return module.forward(new ParameterStore(x.getManager(), false), new NDList(out, x), true)
        .singletonOrThrow();
  }

  @Override
  public void close() {
    module.close();
  }
}
