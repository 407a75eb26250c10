-- Databricks notebook source
-- MAGIC %md
-- MAGIC # dermsynth: explore the ingested images
-- MAGIC Set the `warehouse` widget to the folder `dermsynth ingest` wrote to (`--set warehouse=...`).

-- COMMAND ----------

CREATE WIDGET TEXT warehouse DEFAULT 'dermsynth-warehouse'

-- COMMAND ----------

-- Images per diagnosis and split: the split is by lesion, stratified by diagnosis.
SELECT dx,
       count_if(split = 'train') AS train,
       count_if(split = 'val')   AS val,
       count_if(split = 'test')  AS test,
       count(*)                  AS total,
       count(DISTINCT lesion_id) AS lesions
FROM delta.`${warehouse}/images`
GROUP BY dx
ORDER BY total DESC

-- COMMAND ----------

-- Must be empty: no lesion may appear in two splits.
SELECT lesion_id, collect_set(split) AS splits
FROM delta.`${warehouse}/images`
GROUP BY lesion_id
HAVING count(DISTINCT split) > 1

-- COMMAND ----------

-- What could not be used, by reason.
SELECT reason_code, count(*) AS n, first(message) AS example
FROM delta.`${warehouse}/quarantine`
GROUP BY reason_code
ORDER BY n DESC

-- COMMAND ----------

-- Every run, newest first, with its figures.
SELECT run_id, command, status, started_at, metrics
FROM delta.`${warehouse}/runs`
ORDER BY started_at DESC
