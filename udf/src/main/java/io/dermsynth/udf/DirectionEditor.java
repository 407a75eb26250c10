package io.dermsynth.udf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.dermsynth.core.data.QuarantineReason;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.SampleGrid;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.LatentCodec;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.param.Param;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Applies SeFa directions to inverted images on the executors: per row a latent (W+ bytes, HyperStyle
 * offsets and their layer names, as in `latents`), a direction (vector and W+ rows, as in `directions`)
 * and an alpha → the edited image as PNG, and, when a source-image column is given, its LPIPS to that
 * image and to the α = 0 image of the same render ({@code lpips_recon}). The render is the generator's
 * image, or {@code residual}: the source plus the edit's change, at the source's size (needs the source
 * column; see {@link EditRenderer.Render}). The inverter the latents came from renders the edit (loaded once per executor, shared with
 * {@link LatentInverter}); rows go through in batches. A row whose latent or source does not decode gets
 * {@code error_code}/{@code error_message} instead of failing the task.
 *
 * <pre>{@code
 * latents.crossJoin(directions).withColumn("alpha", lit(2.0))
 *     .transform(new DirectionEditor().setModelPath(inverterPath).setSourceCol("png")::transform);
 * }</pre>
 */
public final class DirectionEditor extends ModelTransformer<DirectionEditor> {

  private static final long serialVersionUID = 1L;

  /** The struct appended as {@code outputCol}, ending with where the task ran ({@link TaskDevice.Placement}). */
  public static final StructType OUTPUT_TYPE = TaskDevice.Placement.addTo(new StructType()
      .add("png", DataTypes.BinaryType, true)
      .add("lpips", DataTypes.DoubleType, true)
      .add("lpips_recon", DataTypes.DoubleType, true)
      .add("error_code", DataTypes.StringType, true)
      .add("error_message", DataTypes.StringType, true));

  private final Param<String> offsetsCol;
  private final Param<String> offsetLayersCol;
  private final Param<String> directionCol;
  private final Param<String> wIndicesCol;
  private final Param<String> alphaCol;
  private final Param<String> sourceCol;
  private final Param<String> render;

  public DirectionEditor() {
    this("directionEditor_" + UUID.randomUUID().toString().substring(0, 12));
  }

  public DirectionEditor(String uid) {
    super(uid, "binary column with W+ (float32, as in latents)", "w_plus", "struct column of the edit", "edit",
        "the train-inverter run folder the latents came from (any Hadoop URI)", 16);
    offsetsCol = new Param<>(this, "offsetsCol", "binary column with the HyperStyle offsets (may be null)");
    offsetLayersCol = new Param<>(this, "offsetLayersCol", "array<string> column naming the offsets' layers");
    directionCol = new Param<>(this, "directionCol", "array<float> column with the unit direction");
    wIndicesCol = new Param<>(this, "wIndicesCol", "array<int> column with the W+ rows the direction moves");
    alphaCol = new Param<>(this, "alphaCol", "numeric column with the edit strength");
    sourceCol = new Param<>(this, "sourceCol", "binary PNG column to measure LPIPS against (\"\" = none)");
    setDefault(offsetsCol, "offsets");
    setDefault(offsetLayersCol, "offset_layers");
    setDefault(directionCol, "vector");
    setDefault(wIndicesCol, "w_indices");
    setDefault(alphaCol, "alpha");
    render = new Param<>(this, "render", "generator | residual (source + the edit's change; needs sourceCol)");
    setDefault(sourceCol, "");
    setDefault(render, EditRenderer.Render.GENERATOR.id());
  }

  public Param<String> offsetsCol() {
    return offsetsCol;
  }

  public Param<String> offsetLayersCol() {
    return offsetLayersCol;
  }

  public Param<String> directionCol() {
    return directionCol;
  }

  public Param<String> wIndicesCol() {
    return wIndicesCol;
  }

  public Param<String> alphaCol() {
    return alphaCol;
  }

  public Param<String> sourceCol() {
    return sourceCol;
  }

  public DirectionEditor setAlphaCol(String v) {
    set(alphaCol, v);
    return this;
  }

  public Param<String> render() {
    return render;
  }

  public DirectionEditor setRender(String v) {
    EditRenderer.Render.parse(v);
    set(render, v);
    return this;
  }

  public DirectionEditor setSourceCol(String v) {
    set(sourceCol, v);
    return this;
  }

  public DirectionEditor setDirectionCol(String v) {
    set(directionCol, v);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    checkColumns(schema, DataTypes.BinaryType, "W+ bytes");
    requiredModelPath();
    List<String> names = List.of(schema.fieldNames());
    for (Param<String> p : List.of(offsetsCol, offsetLayersCol, directionCol, wIndicesCol, alphaCol)) {
      if (!names.contains($(p))) {
        throw new IllegalArgumentException(p.name() + " '" + $(p) + "' not found; columns: " + String.join(", ", names));
      }
    }
    if (EditRenderer.Render.parse($(render)) == EditRenderer.Render.RESIDUAL && $(sourceCol).isEmpty()) {
      throw new IllegalArgumentException("render 'residual' adds the edit's change to the source image: set "
          + "sourceCol");
    }
    if (!$(sourceCol).isEmpty() && !names.contains($(sourceCol))) {
      throw new IllegalArgumentException("sourceCol '" + $(sourceCol) + "' not found; columns: "
          + String.join(", ", names));
    }
    return schema.add($(outputCol()), OUTPUT_TYPE, false);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    return mapPartitions(dataset, new EditPartition(HadoopConf.broadcast(dataset.sparkSession()),
        requiredModelPath(), columns(in), batch(), batchKey(in), EditRenderer.Render.parse($(render))), out);
  }

  /** The input columns' positions: W+, offsets, their layers, direction, W+ rows, alpha, source (−1: none). */
  private int[] columns(StructType in) {
    return new int[] {in.fieldIndex($(inputCol())), in.fieldIndex($(offsetsCol)), in.fieldIndex($(offsetLayersCol)),
        in.fieldIndex($(directionCol)), in.fieldIndex($(wIndicesCol)), in.fieldIndex($(alphaCol)),
        $(sourceCol).isEmpty() ? -1 : in.fieldIndex($(sourceCol))};
  }

  /**
   * What a task does with one batch of rows of {@code schema}, here on this thread with {@code inv}: the
   * output structs in row order. For measuring the Transformer against the same work without Spark
   * (bench/edit-throughput.sh).
   */
  public java.util.function.Function<List<Row>, Row[]> batchEditor(StructType schema, Inverter inv) {
    transformSchema(schema);
    int[] cols = columns(schema);
    EditRenderer.Render mode = EditRenderer.Render.parse($(render));
    TaskDevice.Placement placement = TaskDevice.forTask();
    return batch -> EditPartition.edit(inv, batch, cols, mode, placement);
  }

  /** Renders a partition's edits batch by batch with this executor's inverter. */
  private record EditPartition(Broadcast<Map<String, String>> conf, String modelPath, int[] cols, int batchSize,
      int batchKey, EditRenderer.Render mode) implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      TaskDevice.Placement placement = TaskDevice.forTask();
      Inverter model = LatentInverter.cachedInverter(conf, modelPath, placement.device());
      return new BatchedRows(rows, batchSize, batchKey, batch -> {
        Row[] edits = edit(model, batch, cols, mode, placement);
        List<Object[]> out = new ArrayList<>(edits.length);
        for (Row e : edits) {
          out.add(new Object[] {e});
        }
        return out;
      });
    }

    static Row[] edit(Inverter inv, List<Row> batch, int[] cols, EditRenderer.Render mode,
        TaskDevice.Placement placement) {
      int res = inv.generator().architecture().resolution();
      boolean residual = mode == EditRenderer.Render.RESIDUAL;
      Row[] out = new Row[batch.size()];
      List<Integer> good = new ArrayList<>();
      List<EditRenderer.Edit> edits = new ArrayList<>();
      List<byte[]> sources = new ArrayList<>();
      // Rows of one image (its directions × alphas, as augment makes them) decode to the same arrays, so
      // that EditRenderer renders that image's α = 0 row once for all its edits in the batch.
      Map<Bytes, float[]> wPlus = new java.util.HashMap<>();
      Map<List<Object>, Map<String, float[]>> offsets = new java.util.HashMap<>();
      // The generator render is compared with its source at the generator's resolution; the residual
      // render is made and compared at the source's own size (the first good row's; others scaled to it).
      int side = res;
      for (int i = 0; i < batch.size(); i++) {
        Row r = batch.get(i);
        try {
          byte[] w = r.getAs(cols[0]);
          byte[] o = r.isNullAt(cols[1]) ? null : r.getAs(cols[1]);
          List<String> layers = r.isNullAt(cols[2]) ? null : r.getList(cols[2]);
          List<Object> offsetsKey = java.util.Arrays.asList(o == null ? null : new Bytes(o), layers);
          EditRenderer.Edit e = new EditRenderer.Edit(wPlus.computeIfAbsent(new Bytes(w), k -> LatentCodec.decode(w)),
              offsets.computeIfAbsent(offsetsKey, k -> EditRenderer.offsets(inv, o, layers)),
              SqlFunctions.floats(r.getList(cols[3])), SqlFunctions.ints(r.getList(cols[4])),
              ((Number) r.get(cols[5])).floatValue());
          if (cols[6] >= 0) {
            byte[] png = r.getAs(cols[6]);
            if (residual && sources.isEmpty()) {
              side = GanImages.squareSide(png);
            }
            sources.add(GanImages.decodeOne(png, side));
          }
          edits.add(e);
          good.add(i);
        } catch (IllegalArgumentException | UncheckedIOException | NullPointerException | ClassCastException e) {
          out[i] = placement.row(null, null, null, QuarantineReason.CORRUPT_IMAGE.name(),
              "cannot edit this row: " + e);
        }
      }
      if (good.isEmpty()) {
        return out;
      }
      synchronized (inv) {
        try (NDScope scope = new NDScope()) {
          int[] idx = java.util.stream.IntStream.range(0, sources.size()).toArray();
          NDArray src = cols[6] < 0 ? null : new GanImages(side, sources).batch(idx, inv.manager());
          EditRenderer.Rendered img = EditRenderer.render(inv, edits, mode, src);
          double[] lpips = null;
          double[] lpipsRecon = null;
          if (src != null) {
            lpips = Inverter.toDoubles(inv.losses(img.images(), src).get(1));
            lpipsRecon = residual ? lpips : Inverter.toDoubles(inv.losses(img.images(), img.reconstructions()).get(1));
          }
          for (int j = 0; j < good.size(); j++) {
            out[good.get(j)] = placement.row(SampleGrid.png(img.images().get(j).expandDims(0), 1),
                lpips == null ? null : lpips[j], lpipsRecon == null ? null : lpipsRecon[j], null, null);
          }
        }
      }
      return out;
    }
  }

  /**
   * A byte array as a map key: equal by content (a vectorised compare), hashed on its length and 64 of
   * its bytes spread over it — a latent's offsets run to megabytes, and hashing every byte of every row
   * cost more than the lookup saves.
   */
  private record Bytes(byte[] b) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes other && java.util.Arrays.equals(b, other.b);
    }

    @Override
    public int hashCode() {
      int h = b.length;
      int step = Math.max(1, b.length / 64);
      for (int i = 0; i < b.length; i += step) {
        h = 31 * h + b[i];
      }
      return h;
    }
  }
}
