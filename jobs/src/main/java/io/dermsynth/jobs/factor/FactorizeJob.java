package io.dermsynth.jobs.factor;

import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;

import io.dermsynth.jobs.gan.TrainGanJob;
import io.dermsynth.jobs.settings.ConfigReader;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.TableCatalog;
import io.dermsynth.jobs.runtime.Tables;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.dermsynth.core.factor.ClosedFormFactorization;
import io.dermsynth.core.factor.DirectionSpread;
import io.dermsynth.core.factor.SemanticDirections;
import io.dermsynth.core.factor.StyleLayer;
import io.dermsynth.core.factor.StyleLayers;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.gan.GanWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 5, factorize: SeFa on the generator the latents were inverted into (by default the newest
 * train-inverter run's generator/; a train-gan run works too) → Delta `directions`, one row per
 * direction. Ids are deterministic in (generator weights, layers, rank), so factorising again adds
 * nothing. Runs on the driver: AᵀA is w_dim² (512²), milliseconds. Each direction also gets w_std, the
 * spread of W along it ({@link DirectionSpread}), the unit augment's alphas are counted in.
 */
public final class FactorizeJob {

  private static final Logger LOG = LoggerFactory.getLogger(FactorizeJob.class);

  /** What factorisation found and wrote. */
  public record Result(String runId, String model, String generatorVersion, String layers, int topK,
      double[] eigenvalues, long rowsAdded) implements JobResult {
    @Override
    public String summary() {
      return generatorVersion + " over " + layers + ", eigenvalues " + eigenvalueList();
    }

    private String eigenvalueList() {
      return java.util.Arrays.stream(eigenvalues).mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
          .reduce((a, b) -> a + "," + b).orElse("");
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", model);
      m.put("generator_version", generatorVersion);
      m.put("layers", layers);
      m.put("top_k", String.valueOf(topK));
      m.put("eigenvalues", eigenvalueList());
      m.put("rows_added", String.valueOf(rowsAdded));
      return m;
    }
  }

  private FactorizeJob() {}

  public static Result run(JobContext ctx, String modelArg) throws Exception {
    return Runs.record(ctx, "factorize", runId -> factorize(ctx, runId, modelArg));
  }

  private static Result factorize(JobContext ctx, String runId, String modelArg) throws Exception {
    ConfigReader c = ConfigReader.of(ctx.settings(), "factorize");
    String model = Runs.modelPath(ctx, modelArg, c.string("model"), "train-inverter");
    String selection = c.string("layers");
    int k = c.atLeast("top_k", 1);
    SemanticDirections d;
    String version;
    double[] spread;
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      GanModels.Loaded g = GanModels.loadGenerator(ModelStore.store(ctx.spark(), model), m, TrainGanJob.snapshotPick(ctx));
      List<StyleLayer> layers = StyleLayers.select(g.generator().architecture(), selection,
          c.bool("include_torgb"));
      d = ClosedFormFactorization.factorize(g.generator(), layers, k);
      spread = DirectionSpread.of(g.generator(), d, c.atLeast("spread_samples", 2), c.longValue("seed"));
      version = GanWeights.contentVersion(g.generator().namedParameters());
    }
    List<Row> rows = new ArrayList<>();
    List<String> names = d.layers().stream().map(StyleLayer::name).toList();
    List<Integer> wIndices = d.layers().stream().map(StyleLayer::wIndex).toList();
    for (int i = 0; i < d.size(); i++) {
      List<Float> v = new ArrayList<>(d.vectors()[i].length);
      for (float x : d.vectors()[i]) {
        v.add(x);
      }
      rows.add(RowFactory.create(d.directionId(version, i), version, i, d.eigenvalues()[i], spread[i],
          scala.jdk.javaapi.CollectionConverters.asScala(v).toSeq(),
          scala.jdk.javaapi.CollectionConverters.asScala(names).toSeq(),
          scala.jdk.javaapi.CollectionConverters.asScala(wIndices).toSeq(), selection, model));
    }
    Dataset<Row> out = ctx.spark().createDataFrame(rows, TableCatalog.schemaWithout(Tables.DIRECTIONS, "run_id", "created_at"))
        .withColumn("run_id", lit(runId)).withColumn("created_at", current_timestamp());
    long added = ctx.tables().insertNew(Tables.DIRECTIONS, out, "direction_id");
    LOG.info("factorize {}: {} directions of {} over {} ({}), eigenvalues {}; {} rows added", runId, d.size(),
        version, selection, d.layerSpec(), d.eigenvalues(), added);
    return new Result(runId, model, version, d.layerSpec(), k, d.eigenvalues(), added);
  }
}
