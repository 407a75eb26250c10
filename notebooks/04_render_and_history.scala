// Databricks notebook source
// MAGIC %md
// MAGIC # dermsynth: render edits and follow `synthetic` through time (Scala)
// MAGIC Attach the dermsynth application jar (`jobs/target/dermsynth-jobs-*-app.jar`) to the cluster and set
// MAGIC the `warehouse` widget to the folder the jobs wrote to. The SQL notebooks need no jar.

// COMMAND ----------

dbutils.widgets.text("warehouse", "dermsynth-warehouse")
val warehouse = dbutils.widgets.get("warehouse")

// COMMAND ----------

// The newest finished train-inverter run, from `runs` (augment's default model), registered as the
// SQL functions dermsynth_edit(...) and dermsynth_lpips(a, b).
import org.apache.spark.sql.functions._
val inverter = spark.read.format("delta").load(s"$warehouse/runs")
  .where("command = 'train-inverter' AND status = 'succeeded'")
  .orderBy(desc("finished_at")).select(col("metrics")("model_path")).as[String].first()
io.dermsynth.udf.SqlFunctions.register(spark, inverter)

// COMMAND ----------

// One train latent pushed along the strongest direction at five strengths (in units of W's spread along
// it, as augment's alphas), each with its LPIPS to the unedited render: what the review page shows.
val latent = spark.read.format("delta").load(s"$warehouse/latents").where("split = 'train'").orderBy("image_id").limit(1)
val top = spark.read.format("delta").load(s"$warehouse/directions").orderBy("rank").limit(1)
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
val history = DeltaTable.forPath(spark, s"$warehouse/synthetic").history()
  .select("version", "timestamp", "operation", "operationMetrics")
val sizes = history.select("version").as[Long].collect().sorted.toSeq.map { v =>
  (v, spark.read.format("delta").option("versionAsOf", v).load(s"$warehouse/synthetic").count())
}.toDF("version", "rows")
display(history.join(sizes, "version").orderBy("version"))

// COMMAND ----------

// Must hold: augment only inserts, so the table never shrinks from one version to the next.
val counts = sizes.orderBy("version").select("rows").as[Long].collect()
require(counts.sameElements(counts.sorted), s"synthetic shrank between versions: ${counts.mkString(", ")}")
