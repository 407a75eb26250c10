package io.dermsynth.udf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.dermsynth.core.factor.EditRenderer;
import io.dermsynth.core.gan.GanImages;
import io.dermsynth.core.gan.SampleGrid;
import io.dermsynth.core.invert.Inverter;
import io.dermsynth.core.invert.LatentCodec;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF6;
import org.apache.spark.sql.api.java.UDF8;
import org.apache.spark.sql.types.DataTypes;
import scala.jdk.javaapi.CollectionConverters;

/**
 * SQL functions for notebooks, backed by one inverter folder (loaded once per executor, shared with the
 * Transformers):
 * <ul>
 *   <li>{@code dermsynth_edit(w_plus, offsets, offset_layers, vector, w_indices, alpha)} → the edited
 *       image as PNG: a `latents` row's columns, a `directions` row's columns and a strength;</li>
 *   <li>{@code dermsynth_edit_render(w_plus, offsets, offset_layers, vector, w_indices, alpha, render, source_png)}
 *       → the same edit in either render: 'generator' (as dermsynth_edit) or 'residual' (the source image plus
 *       the edit's change, at the source's size; see {@link EditRenderer.Render});</li>
 *   <li>{@code dermsynth_lpips(png_a, png_b)} → LPIPS between two images at the generator's resolution,
 *       with the inverter's LPIPS network.</li>
 * </ul>
 * Row by row: for tables of edits use {@link DirectionEditor}, which batches.
 *
 * <pre>{@code
 * SqlFunctions.register(spark, "s3a://bucket/models/inverter/RUN");
 * spark.sql("SELECT dermsynth_edit(l.w_plus, l.offsets, l.offset_layers, d.vector, d.w_indices, 2.0) "
 *     + "FROM latents l CROSS JOIN directions d WHERE d.rank = 0 LIMIT 8");
 * }</pre>
 */
public final class SqlFunctions {

  public static final String EDIT = "dermsynth_edit";
  public static final String EDIT_RENDER = "dermsynth_edit_render";
  public static final String LPIPS = "dermsynth_lpips";

  private SqlFunctions() {}

  /** Registers the functions on this session, backed by the inverter at {@code inverterPath}. */
  public static void register(SparkSession spark, String inverterPath) {
    Broadcast<Map<String, String>> conf = HadoopConf.broadcast(spark);
    // alpha as any number: a SQL literal such as 2.0 is a decimal, and Spark does not cast a Java UDF's inputs.
    spark.udf().register(EDIT, (UDF6<byte[], byte[], scala.collection.Seq<String>, scala.collection.Seq<Object>,
        scala.collection.Seq<Object>, Number, byte[]>) (w, offsets, layers, vector, wIndices, alpha) -> {
          if (w == null || vector == null || wIndices == null || alpha == null) {
            return null;
          }
          return withInverter(conf, inverterPath, inv -> SampleGrid.png(EditRenderer.render(inv,
              List.of(edit(inv, w, offsets, layers, vector, wIndices, alpha))), 1));
        }, DataTypes.BinaryType);
    spark.udf().register(EDIT_RENDER, (UDF8<byte[], byte[], scala.collection.Seq<String>, scala.collection.Seq<Object>,
        scala.collection.Seq<Object>, Number, String, byte[], byte[]>) (w, offsets, layers, vector, wIndices, alpha,
            render, source) -> {
          if (w == null || vector == null || wIndices == null || alpha == null || render == null) {
            return null;
          }
          EditRenderer.Render mode = EditRenderer.Render.parse(render);
          if (mode == EditRenderer.Render.RESIDUAL && source == null) {
            return null;
          }
          return withInverter(conf, inverterPath, inv -> {
            EditRenderer.Edit e = edit(inv, w, offsets, layers, vector, wIndices, alpha);
            NDArray src = null;
            if (source != null && mode == EditRenderer.Render.RESIDUAL) {
              int side = GanImages.squareSide(source);
              src = new GanImages(side, List.of(GanImages.decodeOne(source, side))).batch(new int[] {0}, inv.manager());
            }
            return SampleGrid.png(EditRenderer.render(inv, List.of(e), mode, src).images(), 1);
          });
        }, DataTypes.BinaryType);
    spark.udf().register(LPIPS, (UDF2<byte[], byte[], Double>) (a, b) -> {
      if (a == null || b == null) {
        return null;
      }
      return withInverter(conf, inverterPath, inv -> {
        int res = inv.generator().architecture().resolution();
        GanImages images = new GanImages(res, List.of(GanImages.decodeOne(a, res), GanImages.decodeOne(b, res)));
        NDArray x = images.batch(new int[] {0, 1}, inv.manager());
        return Inverter.toDoubles(inv.losses(x.get("0:1"), x.get("1:2")).get(1))[0];
      });
    }, DataTypes.DoubleType);
  }

  /** One edit from a latents row's and a directions row's columns. */
  private static EditRenderer.Edit edit(Inverter inv, byte[] w, byte[] offsets, scala.collection.Seq<String> layers,
      scala.collection.Seq<Object> vector, scala.collection.Seq<Object> wIndices, Number alpha) {
    return new EditRenderer.Edit(LatentCodec.decode(w),
        EditRenderer.offsets(inv, offsets, layers == null ? null : CollectionConverters.asJava(layers)),
        floats(CollectionConverters.asJava(vector)), ints(CollectionConverters.asJava(wIndices)), alpha.floatValue());
  }

  private static <R> R withInverter(Broadcast<Map<String, String>> conf, String path, Function<Inverter, R> body)
      throws Exception {
    Inverter inv = LatentInverter.cachedInverter(conf, path, TaskDevice.forTask().device());
    synchronized (inv) {
      try (NDScope scope = new NDScope()) {
        return body.call(inv);
      }
    }
  }

  /** Numbers of a Spark array column as float32. */
  public static float[] floats(List<Object> v) {
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) v.get(i)).floatValue();
    }
    return out;
  }

  /** Numbers of a Spark array column as int. */
  public static int[] ints(List<Object> v) {
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) v.get(i)).intValue();
    }
    return out;
  }
}
