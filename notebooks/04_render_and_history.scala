// Databricks notebook source
// MAGIC %md
// MAGIC # dermsynth: render edits and follow `synthetic` through time (Scala)
// MAGIC Attach the dermsynth application jar (`jobs/target/dermsynth-jobs-*-app.jar`) to the cluster and set
// MAGIC the `catalog` and `schema` widgets to where the jobs write their tables (`tables.catalog`,
// MAGIC `tables.schema`; a path-based warehouse is named once with `tables.kind = external`, see 01).
// MAGIC The SQL notebooks need no jar.

// COMMAND ----------

dbutils.widgets.text("catalog", "main")
dbutils.widgets.text("schema", "dermsynth")
dbutils.widgets.text("version", "0")
def table(name: String): String =
  Seq(dbutils.widgets.get("catalog"), dbutils.widgets.get("schema"), name).map(p => s"`$p`").mkString(".")

// COMMAND ----------

// The newest finished train-inverter run, from `runs` (augment's default model), registered as the
// SQL functions dermsynth_edit(...) and dermsynth_lpips(a, b).
import org.apache.spark.sql.functions._
val inverter = spark.table(table("runs"))
  .where("command = 'train-inverter' AND status = 'succeeded'")
  .orderBy(desc("finished_at")).select(col("metrics")("model_path")).as[String].first()
io.dermsynth.udf.SqlFunctions.register(spark, inverter)

// COMMAND ----------

// One train latent pushed along the strongest direction at five strengths (in units of W's spread along
// it, as augment's alphas), each with its LPIPS to the unedited render: what the review page shows.
val latent = spark.table(table("latents")).where("split = 'train'").orderBy("image_id").limit(1)
val top = spark.table(table("directions")).orderBy("rank").limit(1)
val strip = latent.crossJoin(top).crossJoin(Seq(-2.0, -1.0, 0.0, 1.0, 2.0).toDF("alpha"))
  .withColumn("png", expr("dermsynth_edit(w_plus, offsets, offset_layers, vector, w_indices, alpha * w_std)"))
  .withColumn("unedited", expr("dermsynth_edit(w_plus, offsets, offset_layers, vector, w_indices, 0.0)"))
  .withColumn("lpips", expr("dermsynth_lpips(png, unedited)"))
  .select("image_id", "direction_id", "alpha", "lpips", "png")
  .orderBy("alpha")
display(strip)

// COMMAND ----------

// Every version of `synthetic` (one per augment chunk), what the commit did, and the table's size then.
import io.delta.tables.DeltaTable
val history = DeltaTable.forName(spark, table("synthetic")).history()
  .select("version", "timestamp", "operation", "operationMetrics")
def synthetic(version: Long) = spark.read.option("versionAsOf", version).table(table("synthetic"))
val sizes = history.select("version").as[Long].collect().sorted.toSeq.map(v => (v, synthetic(v).count()))
  .toDF("version", "rows")
display(history.join(sizes, "version").orderBy("version"))

// COMMAND ----------

// Must hold: augment only inserts, so the table never shrinks from one version to the next.
val counts = sizes.orderBy("version").select("rows").as[Long].collect()
require(counts.sameElements(counts.sorted), s"synthetic shrank between versions: ${counts.mkString(", ")}")

// COMMAND ----------

// The table at the `version` widget's commit against now: rows per run then and now.
val then = synthetic(dbutils.widgets.get("version").toLong)
val now = spark.table(table("synthetic"))
val travel = then.groupBy("run_id").agg(count("*").as("images_then"))
  .join(now.groupBy("run_id").agg(count("*").as("images_now")), Seq("run_id"), "full_outer")
  .na.fill(0L, Seq("images_then", "images_now")).orderBy("run_id")
display(travel)

// COMMAND ----------

// Must hold: a commit never changes an image already written (MERGE inserts only): no row of the
// `version` commit has other bytes now.
val changed = then.as("t").join(now.as("n"), "synth_id").where("sha2(t.png, 256) <> sha2(n.png, 256)")
require(changed.isEmpty, s"${changed.count()} images changed since version ${dbutils.widgets.get("version")}")
