package io.dermsynth.jobs.experiment;

import io.dermsynth.core.classify.ClassifierModel;
import io.dermsynth.jobs.runtime.ModelStore;
import static org.apache.spark.sql.functions.col;

import io.dermsynth.jobs.classify.TrainClassifierJob;
import io.dermsynth.jobs.runtime.JobContext;
import io.dermsynth.jobs.runtime.Tables;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;

/**
 * An experiment's models that a run already trained (experiment.resume): an arm and seed whose succeeded
 * train-classifier run had the same `classifier` settings (seed, arm and epoch draws included) and the same
 * `experiment` settings apart from the arms and seeds it listed, with the same synthetic images (their digest;
 * a run from before digests were recorded counts only when it had none), and whose model folder is still there. An experiment that stopped halfway, or one given more seeds, trains only
 * what is missing; every model is evaluated again, so the report's paired bootstrap sees all of them.
 */
public final class ArmModels {

  /** Experiment keys that only enumerate the work, not how each model is made. */
  private static final List<String> ENUMERATING = List.of("arms", "seeds", "resume");

  private ArmModels() {}

  /** @param digest {@link TrainClassifierJob#syntheticDigest} of the arm's synthetic images */
  static Optional<TrainClassifierJob.Result> trained(JobContext armCtx, String arm, int syntheticImages,
      String digest) throws java.io.IOException {
    if (!armCtx.tables().exists(Tables.RUNS)) {
      return Optional.empty();
    }
    Config want = armCtx.settings().config();
    List<Row> rows = armCtx.tables().read(Tables.RUNS)
        .where(col("command").equalTo("train-classifier").and(col("status").equalTo("succeeded"))
            .and(col("metrics").getItem("arm").equalTo(arm))
            .and(col("metrics").getItem("synthetic_images").equalTo(String.valueOf(syntheticImages))))
        .orderBy(col("finished_at").desc()).select("config", "metrics", "run_id").collectAsList();
    for (Row r : rows) {
      Config had = ConfigFactory.parseString(r.getString(0));
      Map<String, String> m = r.getJavaMap(1);
      boolean sameImages = m.containsKey("synthetic_digest") ? m.get("synthetic_digest").equals(digest)
          : syntheticImages == 0;
      if (sameImages && same(had, want)
          && new io.dermsynth.core.ModelFolder(ModelStore.store(armCtx.spark(), m.get("model_path")),
              ClassifierModel.FORMAT).hasModel()) {
        return Optional.of(new TrainClassifierJob.Result(r.getString(2), m.get("model_path"), arm,
            Integer.parseInt(m.get("train_images")), syntheticImages, digest, Integer.parseInt(m.get("val_images")),
            Integer.parseInt(m.get("epochs")), Integer.parseInt(m.get("best_epoch")),
            Double.parseDouble(m.get("val_balanced_accuracy")), Double.parseDouble(m.get("images_per_second")),
            m.get("stop_reason")));
      }
    }
    return Optional.empty();
  }

  private static boolean same(Config had, Config want) {
    if (!had.hasPath("classifier") || !had.hasPath("experiment")
        || !had.getConfig("classifier").root().equals(want.getConfig("classifier").root())) {
      return false;
    }
    Config a = had.getConfig("experiment");
    Config b = want.getConfig("experiment");
    for (String key : ENUMERATING) {
      a = a.withoutPath(key);
      b = b.withoutPath(key);
    }
    return a.root().equals(b.root());
  }
}
