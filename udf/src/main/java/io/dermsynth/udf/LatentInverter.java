package io.dermsynth.udf;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.dermsynth.core.data.QuarantineReason;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.LatentCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Inverts lesion images into the generator on the executors: PNG bytes in, a struct with W+, the
 * HyperStyle weight offsets, and the reconstruction's L2 and LPIPS out (see {@link #OUTPUT_TYPE}). The
 * inverter (a train-inverter folder, any Hadoop URI) is loaded once per executor JVM and device
 * ({@link ModelCache}); a task uses the GPU Spark assigned to it, else the CPU; rows go through in
 * batches. An undecodable PNG gets {@code error_code}/{@code error_message} and no latents, so one bad
 * image never fails the task.
 *
 * <pre>{@code
 * new LatentInverter().setModelPath("s3a://bucket/models/inverter/RUN").setMethod("hyperstyle")
 *     .setInputCol("png").setOutputCol("latent").transform(images);
 * }</pre>
 */
public final class LatentInverter extends ModelTransformer<LatentInverter> {

  private static final long serialVersionUID = 1L;

  /**
   * The struct appended as {@code outputCol}: W+ [num_ws, w_dim] and the offsets (layers in
   * {@code offset_layers} order, each [out, in], concatenated) as little-endian float32 bytes;
   * reconstruction L2 (mean squared error, pixels in [0, 1]) and LPIPS; which method and inverter
   * made them; how many times the executor JVM had loaded this model; where the task ran
   * ({@link TaskDevice.Placement#FIELDS}: executor, assigned GPU, device).
   */
  public static final StructType OUTPUT_TYPE = TaskDevice.Placement.addTo(new StructType(new StructField[] {
      DataTypes.createStructField("w_plus", DataTypes.BinaryType, true),
      DataTypes.createStructField("num_ws", DataTypes.IntegerType, true),
      DataTypes.createStructField("w_dim", DataTypes.IntegerType, true),
      DataTypes.createStructField("offsets", DataTypes.BinaryType, true),
      DataTypes.createStructField("offset_layers", DataTypes.createArrayType(DataTypes.StringType), true),
      DataTypes.createStructField("l2", DataTypes.DoubleType, true),
      DataTypes.createStructField("lpips", DataTypes.DoubleType, true),
      DataTypes.createStructField("method", DataTypes.StringType, false),
      DataTypes.createStructField("inverter_version", DataTypes.StringType, true),
      DataTypes.createStructField("model_loads", DataTypes.IntegerType, false),
      DataTypes.createStructField("error_code", DataTypes.StringType, true),
      DataTypes.createStructField("error_message", DataTypes.StringType, true)}));

  private final Param<String> method;
  /** optSteps: the inverter manifest's own number of steps. */
  public static final int INVERTERS_OPT_STEPS = -1;

  private final IntParam optSteps;

  public LatentInverter() {
    this("latentInverter_" + UUID.randomUUID().toString().substring(0, 12));
  }

  public LatentInverter(String uid) {
    super(uid, "binary column with the PNG image", "png", "struct column of the inversion", "latent",
        "a train-inverter run folder (any Hadoop URI)", 16);
    method = new Param<>(this, "method", "encoder | hyperstyle | optimised",
        ParamValidators.inArray(new String[] {"encoder", "hyperstyle", "optimised"}));
    setDefault(method, "hyperstyle");
    optSteps = new IntParam(this, "optSteps", "Adam steps of the optimised method (< 0: the inverter manifest's)");
    setDefault(optSteps, INVERTERS_OPT_STEPS);
  }

  /** Public, as every Spark ML param: Params finds a transformer's params through such getters. */
  public IntParam optSteps() {
    return optSteps;
  }

  public LatentInverter setOptSteps(int v) {
    set(optSteps, v);
    return this;
  }

  public Param<String> method() {
    return method;
  }

  public LatentInverter setMethod(String v) {
    set(method, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    checkColumns(schema, DataTypes.BinaryType, "the PNG bytes");
    requiredModelPath();
    return schema.add($(outputCol()), OUTPUT_TYPE, false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    return mapPartitions(dataset, new InvertPartition(HadoopConf.broadcast(dataset.sparkSession()),
        requiredModelPath(), Inverter.Method.valueOf($(method).toUpperCase(Locale.ROOT)), (int) $(optSteps),
        dataset.schema().fieldIndex($(inputCol())), batch(), batchKey(dataset.schema())), out);
  }

  /** This executor's copy of an inverter folder on a device, loaded by the first task that needs it. */
  static Inverter cachedInverter(Broadcast<Map<String, String>> conf, String modelPath, Device device) {
    return ModelCache.get(modelPath, device.toString(),
        () -> Inverter.load(new HadoopStore(HadoopConf.of(conf), modelPath), device));
  }

  /** Loads (or reuses) the inverter on the executor and inverts the partition batch by batch. */
  private record InvertPartition(Broadcast<Map<String, String>> conf, String modelPath,
      Inverter.Method method, int optSteps, int inputIndex, int batchSize, int batchKey)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      TaskDevice.Placement placement = TaskDevice.forTask();
      Inverter model = cachedInverter(conf, modelPath, placement.device());
      int loads = ModelCache.loads(modelPath, placement.device().toString());
      return new BatchedRows(rows, batchSize, batchKey, batch -> {
        Row[] latents = invert(model, batch, loads, placement);
        List<Object[]> out = new ArrayList<>(latents.length);
        for (Row l : latents) {
          out.add(new Object[] {l});
        }
        return out;
      });
    }

    private Row[] invert(Inverter inv, List<Row> batch, int loads, TaskDevice.Placement placement) {
      int res = inv.generator().architecture().resolution();
      Row[] out = new Row[batch.size()];
      List<Integer> good = new ArrayList<>();
      List<byte[]> pixels = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        byte[] png = (byte[]) batch.get(i).get(inputIndex);
        try {
          if (png == null) {
            throw new IllegalArgumentException("no image bytes");
          }
          pixels.add(GanImages.decodeOne(png, res));
          good.add(i);
        } catch (IllegalArgumentException | UncheckedIOException e) {
          out[i] = placement.row(null, null, null, null, null, null, null, methodName(), null,
              loads, QuarantineReason.CORRUPT_IMAGE.name(), "cannot decode the PNG: " + e.getMessage());
        }
      }
      if (good.isEmpty()) {
        return out;
      }
      // One model per executor: tasks running side by side take turns on it.
      synchronized (inv) {
        try (NDScope scope = new NDScope()) {
          int[] idx = java.util.stream.IntStream.range(0, pixels.size()).toArray();
          NDArray real = new GanImages(res, pixels).batch(idx, inv.manager());
          Inverter.Inversion r = inv.invert(real, method, optSteps);
          float[] w = r.wPlus().toFloatArray();
          int per = w.length / pixels.size();
          List<String> layers = new ArrayList<>(r.deltas().keySet());
          List<float[]> deltas = layers.stream().map(l -> r.deltas().get(l).toFloatArray()).toList();
          for (int j = 0; j < good.size(); j++) {
            byte[] offsets = null;
            if (!layers.isEmpty()) {
              offsets = concat(deltas, j, pixels.size());
            }
            out[good.get(j)] = placement.row(LatentCodec.encode(w, j * per, per),
                (int) r.wPlus().getShape().get(1), (int) r.wPlus().getShape().get(2), offsets,
                layers.isEmpty() ? null : layers.toArray(new String[0]), r.l2()[j], r.lpips()[j],
                methodName(), inv.version(), loads, null, null);
          }
        }
      }
      return out;
    }

    private String methodName() {
      return method.name().toLowerCase(Locale.ROOT);
    }

    /** Sample j's slice of every layer's offsets, concatenated. */
    private static byte[] concat(List<float[]> perLayer, int j, int n) {
      int total = 0;
      for (float[] d : perLayer) {
        total += d.length / n;
      }
      float[] out = new float[total];
      int at = 0;
      for (float[] d : perLayer) {
        int per = d.length / n;
        System.arraycopy(d, j * per, out, at, per);
        at += per;
      }
      return LatentCodec.encode(out, 0, total);
    }
  }
}
