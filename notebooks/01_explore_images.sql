-- Databricks notebook source
-- MAGIC %md
-- MAGIC # dermsynth: explore the ingested images
-- MAGIC Set the `catalog` and `schema` widgets to where the jobs write their tables (`tables.catalog`,
-- MAGIC `tables.schema`). A path-based warehouse (tables.catalog = off) is named once by running any command
-- MAGIC with `--set tables.catalog=<catalog> --set tables.kind=external` (docs/OPERATIONS.md, "Unity Catalog").
-- MAGIC PNG columns carry the image mimeType, so `display()` of a table shows them as thumbnails.

-- COMMAND ----------

CREATE WIDGET TEXT catalog DEFAULT 'main'

-- COMMAND ----------

CREATE WIDGET TEXT schema DEFAULT 'dermsynth'

-- COMMAND ----------

-- Images per diagnosis and split: the split is by lesion, stratified by diagnosis.
SELECT dx,
       count_if(split = 'train') AS train,
       count_if(split = 'val')   AS val,
       count_if(split = 'test')  AS test,
       count(*)                  AS total,
       count(DISTINCT lesion_id) AS lesions
FROM IDENTIFIER(:catalog || '.' || :schema || '.images')
GROUP BY dx
ORDER BY total DESC

-- COMMAND ----------

-- Must be empty: no lesion may appear in two splits.
SELECT lesion_id, collect_set(split) AS splits
FROM IDENTIFIER(:catalog || '.' || :schema || '.images')
GROUP BY lesion_id
HAVING count(DISTINCT split) > 1

-- COMMAND ----------

-- What could not be used, by reason.
SELECT reason_code, count(*) AS n, first(message) AS example
FROM IDENTIFIER(:catalog || '.' || :schema || '.quarantine')
GROUP BY reason_code
ORDER BY n DESC

-- COMMAND ----------

-- Every run, newest first, with its figures.
SELECT run_id, command, status, started_at, metrics
FROM IDENTIFIER(:catalog || '.' || :schema || '.runs')
ORDER BY started_at DESC

-- COMMAND ----------

-- Two images per diagnosis from the train split: on Databricks the png column shows as thumbnails (its
-- metadata says image/png).
SELECT dx, image_id, lesion_id, png
FROM (SELECT *, row_number() OVER (PARTITION BY dx ORDER BY image_id) AS n
      FROM IDENTIFIER(:catalog || '.' || :schema || '.images') WHERE split = 'train')
WHERE n <= 2
ORDER BY dx, image_id
