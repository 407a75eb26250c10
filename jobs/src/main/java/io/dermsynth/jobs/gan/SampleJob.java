package io.dermsynth.jobs.gan;

import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.JobResult;
import io.dermsynth.jobs.runtime.ModelStore;
import io.dermsynth.jobs.runtime.Runs;
import io.dermsynth.jobs.runtime.TableCatalog;
import io.dermsynth.jobs.runtime.Tables;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.dermsynth.core.gan.GanModels;
import io.dermsynth.core.gan.NoiseMode;
import io.dermsynth.core.gan.SampleGrid;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sample: images from a trained generator (G_ema) for given seeds, truncation ψ and noise mode → a PNG
 * grid and/or rows of the Delta table `gan_samples` (one PNG per image, keyed by model, seed, ψ and
 * noise mode, so a rerun adds nothing). z for seed s is N(0, 1) from {@code java.util.Random(s)}.
 */
public final class SampleJob {

  private static final Logger LOG = LoggerFactory.getLogger(SampleJob.class);
  private static final int BATCH = 16;

  /** What sampling wrote. */
  public record Result(String runId, String model, int images, String gridPath, long rowsAdded)
      implements JobResult {
    @Override
    public String summary() {
      return images + " images from " + model + (gridPath == null ? "" : " → " + gridPath)
          + ", " + rowsAdded + " rows added to gan_samples";
    }

    @Override
    public Map<String, String> metrics() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("model_path", model);
      m.put("images", String.valueOf(images));
      m.put("grid", gridPath == null ? "" : gridPath);
      m.put("rows_added", String.valueOf(rowsAdded));
      return m;
    }
  }

  private SampleJob() {}

  /** "0-31", "3,7,11" or a mix ("0-3,10"). */
  public static List<Long> parseSeeds(String spec) {
    List<Long> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      try {
        int dash = p.indexOf('-', 1);
        if (dash < 0) {
          out.add(Long.parseLong(p));
        } else {
          long a = Long.parseLong(p.substring(0, dash));
          long b = Long.parseLong(p.substring(dash + 1));
          if (b < a || b - a > 100_000) {
            throw new IllegalArgumentException("seed range " + p + " is empty or over 100,000 seeds");
          }
          for (long s = a; s <= b; s++) {
            out.add(s);
          }
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("seeds must look like 0-31 or 1,5,9; got '" + spec + "'");
      }
    }
    return out;
  }

  public static Result run(JobContext ctx, String model, List<Long> seeds, float psi, NoiseMode noise,
      String gridPath, boolean table) throws Exception {
    if (gridPath == null && !table) {
      throw new IllegalArgumentException("sample needs --out FILE.png, --table, or both");
    }
    return Runs.record(ctx, "sample", runId -> {
      try (NDManager manager = NDManager.newBaseManager(ModelStore.device(ctx.settings(), "gan.device"))) {
        GanModels.Loaded loaded = GanModels.loadGenerator(ModelStore.store(ctx.spark(), model), manager,
            TrainGanJob.snapshotPick(ctx));
        int zDim = loaded.generator().architecture().zDim();
        List<NDArray> images = new ArrayList<>();
        for (int start = 0; start < seeds.size(); start += BATCH) {
          List<Long> batch = seeds.subList(start, Math.min(seeds.size(), start + BATCH));
          float[] z = new float[batch.size() * zDim];
          for (int i = 0; i < batch.size(); i++) {
            Random r = new Random(batch.get(i));
            for (int j = 0; j < zDim; j++) {
              z[i * zDim + j] = (float) r.nextGaussian();
            }
          }
          try (NDScope scope = new NDScope()) {
            NDArray img = loaded.generator().forward(manager.create(z, new Shape(batch.size(), zDim)), psi, noise);
            NDScope.unregister(img);
            images.add(img);
          }
        }
        NDArray all = images.size() == 1 ? images.get(0) : NDArrays.concat(new NDList(images), 0);
        if (gridPath != null) {
          ModelStore.writeFile(ctx.spark(), gridPath,
              SampleGrid.png(all, (int) Math.ceil(Math.sqrt(seeds.size()))));
        }
        long added = 0;
        if (table) {
          Timestamp now = new Timestamp(System.currentTimeMillis());
          String mode = noise.name().toLowerCase(Locale.ROOT);
          List<Row> rows = new ArrayList<>();
          for (int i = 0; i < seeds.size(); i++) {
            rows.add(RowFactory.create(model, loaded.source(), seeds.get(i), psi, mode,
                SampleGrid.png(all.get(i).expandDims(0), 1), runId, now));
          }
          added = ctx.tables().insertNew(Tables.GAN_SAMPLES, ctx.spark().createDataFrame(rows, TableCatalog.schema(Tables.GAN_SAMPLES)),
              "model_path", "snapshot", "seed", "truncation_psi", "noise_mode");
        }
        LOG.info("sample {}: {} images from {} ({}), ψ {}, noise {}; grid {}, {} rows added", runId,
            seeds.size(), model, loaded.source(), psi, noise, gridPath, added);
        return new Result(runId, model, seeds.size(), gridPath, added);
      }
    });
  }
}
