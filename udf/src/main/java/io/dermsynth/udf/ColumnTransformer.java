package io.dermsynth.udf;

import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * What dermsynth's Spark ML Transformers share: a uid, an input column, an output column, and checks
 * that name the column and its type when the input does not fit. Spark finds params through public
 * no-argument methods returning them, hence the accessors.
 *
 * @param <T> the concrete transformer, so that setters chain
 */
abstract class ColumnTransformer<T extends ColumnTransformer<T>> extends Transformer {

  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;

  ColumnTransformer(String uid, String inputDoc, String inputDefault, String outputDoc,
      String outputDefault) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", inputDoc);
    outputCol = new Param<>(this, "outputCol", outputDoc);
    setDefault(inputCol, inputDefault);
    setDefault(outputCol, outputDefault);
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public T setInputCol(String v) {
    set(inputCol, v);
    return self();
  }

  public T setOutputCol(String v) {
    set(outputCol, v);
    return self();
  }

  @SuppressWarnings("unchecked")
  T self() {
    return (T) this;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public T copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The input column must exist with {@code type}; the output column must not exist yet. */
  void checkColumns(StructType schema, DataType type, String what) {
    String in = $(inputCol);
    if (!List.of(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException("input column '" + in + "' not found; columns: "
          + String.join(", ", schema.fieldNames()));
    }
    if (!schema.apply(in).dataType().equals(type)) {
      throw new IllegalArgumentException("input column '" + in + "' must be " + what + " ("
          + type.simpleString() + "), is " + schema.apply(in).dataType().simpleString());
    }
    if (List.of(schema.fieldNames()).contains($(outputCol))) {
      throw new IllegalArgumentException("output column '" + $(outputCol) + "' already exists");
    }
  }
}
