package io.dermsynth.core.gan;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of the StyleGAN2 blocks. Every parameter has a fixed shape, so initialisation needs no shape
 * inference; forward passes are typed methods of the subclasses (they take styles and noise modes that
 * an {@link NDList} cannot say), so DJL's generic {@code forward} is not offered.
 */
public abstract class GanBlock extends AbstractBlock {

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (Block child : children.values()) {
      child.initialize(manager, dataType, inputShapes);
    }
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " is called through its typed forward method");
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " output shapes depend on its inputs; see its forward method");
  }

  /**
   * Parameters by NVlabs checkpoint name: {@code prefix.child.grandchild.param}. DJL names children
   * "01fc0", "02fc1", …; the two-digit order prefix is dropped.
   */
  public static Map<String, Parameter> named(Block block, String prefix) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    String dot = prefix.isEmpty() ? "" : prefix + ".";
    for (var p : block.getDirectParameters()) {
      out.put(dot + p.getKey(), p.getValue());
    }
    for (var c : block.getChildren()) {
      out.putAll(named(c.getValue(), dot + c.getKey().substring(2)));
    }
    return out;
  }

  public static Parameter param(String name, Shape shape, ai.djl.training.initializer.Initializer init,
      boolean trainable) {
    return Parameter.builder().setName(name)
        .setType(trainable ? Parameter.Type.WEIGHT : Parameter.Type.RUNNING_MEAN)
        .optRequiresGrad(trainable).optShape(shape).optInitializer(init).build();
  }
}
