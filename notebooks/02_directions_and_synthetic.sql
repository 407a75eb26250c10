-- Databricks notebook source
-- MAGIC %md
-- MAGIC # dermsynth: SeFa directions and the synthetic images made from them
-- MAGIC Set the `warehouse` widget to the folder the jobs wrote to (`--set warehouse=...`). To render edits
-- MAGIC row by row here, attach the dermsynth application jar and run in a Scala cell
-- MAGIC `io.dermsynth.udf.SqlFunctions.register(spark, "<train-inverter run folder>")`: that registers
-- MAGIC `dermsynth_edit(w_plus, offsets, offset_layers, vector, w_indices, alpha)` and `dermsynth_lpips(a, b)`.

-- COMMAND ----------

CREATE WIDGET TEXT warehouse DEFAULT 'dermsynth-warehouse'

-- COMMAND ----------

-- Directions by generator: eigenvalues fall with rank; the layers say which styles an edit moves.
SELECT generator_version, rank, round(eigenvalue, 4) AS eigenvalue, layer_selection, size(layers) AS layers,
       direction_id
FROM delta.`${warehouse}/directions`
ORDER BY generator_version, rank

-- COMMAND ----------

-- The review page's decisions: each direction's current decision (its latest row in the append-only
-- direction_reviews), and how many synthetic images it has made so far.
SELECT d.generator_version, d.rank, d.direction_id, r.decision, r.name, r.alpha_min, r.alpha_max, r.reviewer,
       r.decided_at, coalesce(s.images, 0) AS synthetic_images
FROM delta.`${warehouse}/directions` d
LEFT JOIN (SELECT *, row_number() OVER (PARTITION BY direction_id ORDER BY decided_at DESC) AS n
           FROM delta.`${warehouse}/direction_reviews`) r
  ON r.direction_id = d.direction_id AND r.n = 1
LEFT JOIN (SELECT direction_id, count(*) AS images FROM delta.`${warehouse}/synthetic` GROUP BY direction_id) s
  ON s.direction_id = d.direction_id
ORDER BY d.generator_version, d.rank

-- COMMAND ----------

-- Synthetic images per inherited diagnosis: how many, how far from their source (LPIPS), how many
-- within the paper's 0.2, and how often the classifier still calls them their source's diagnosis.
SELECT dx, count(*) AS images, round(avg(lpips), 4) AS mean_lpips, round(avg(CAST(lpips_ok AS INT)), 3) AS lpips_ok,
       round(avg(CAST(label_kept AS INT)), 3) AS label_kept, round(avg(label_probability), 3) AS p_dx
FROM delta.`${warehouse}/synthetic`
GROUP BY dx
ORDER BY images DESC

-- COMMAND ----------

-- LPIPS by direction and strength: a direction whose small alphas already pass 0.2 changes too much.
SELECT s.direction_id, d.rank, s.alpha, count(*) AS images, round(avg(s.lpips), 4) AS mean_lpips,
       round(percentile(s.lpips, 0.9), 4) AS p90_lpips
FROM delta.`${warehouse}/synthetic` s JOIN delta.`${warehouse}/directions` d ON s.direction_id = d.direction_id
GROUP BY s.direction_id, d.rank, s.alpha
ORDER BY d.rank, s.alpha

-- COMMAND ----------

-- Must be empty: synthetic images only derive from train-split lesions.
SELECT s.synth_id, s.lesion_id, i.split
FROM delta.`${warehouse}/synthetic` s
JOIN (SELECT DISTINCT lesion_id, split FROM delta.`${warehouse}/images`) i ON s.lesion_id = i.lesion_id
WHERE i.split <> 'train'

-- COMMAND ----------

-- Must be empty: every synthetic image leads back to a real image in `images` (its lineage).
SELECT s.synth_id, s.image_id
FROM delta.`${warehouse}/synthetic` s LEFT ANTI JOIN delta.`${warehouse}/images` i ON s.image_id = i.image_id

-- COMMAND ----------

-- Lineage of a few synthetic images: the real image (file, lesion, metadata), the direction and strength,
-- the generator and inverter that made it, and the run. The PNGs are in s.png and i.png.
SELECT s.synth_id, i.source_path, s.lesion_id, s.dx, i.age, i.sex, i.localization, s.direction_id, s.alpha,
       round(s.lpips, 4) AS lpips, s.label_kept, s.generator_version, s.inverter_version, s.run_id, r.started_at
FROM delta.`${warehouse}/synthetic` s
JOIN delta.`${warehouse}/images` i ON s.image_id = i.image_id
JOIN delta.`${warehouse}/runs` r ON s.run_id = r.run_id
ORDER BY s.synth_id
LIMIT 20

-- COMMAND ----------

-- Where the work ran: rows per executor, assigned GPU and device (per augment run).
SELECT run_id, executor_id, task_gpu, device, count(*) AS images
FROM delta.`${warehouse}/synthetic`
GROUP BY run_id, executor_id, task_gpu, device
ORDER BY run_id, executor_id

-- COMMAND ----------

-- Time travel: every commit to `synthetic` (each augment chunk is one MERGE), newest first.
DESCRIBE HISTORY delta.`${warehouse}/synthetic`

-- COMMAND ----------

CREATE WIDGET TEXT version DEFAULT '0'

-- COMMAND ----------

-- The table as it was at the `version` widget's commit, against now: rows per run then and now.
SELECT coalesce(t.run_id, n.run_id) AS run_id, coalesce(t.images, 0) AS images_then, coalesce(n.images, 0) AS images_now
FROM (SELECT run_id, count(*) AS images FROM delta.`${warehouse}/synthetic` VERSION AS OF ${version} GROUP BY run_id) t
FULL OUTER JOIN (SELECT run_id, count(*) AS images FROM delta.`${warehouse}/synthetic` GROUP BY run_id) n
  ON t.run_id = n.run_id
ORDER BY run_id

-- COMMAND ----------

-- Must be empty: a commit never changes an image already written (MERGE inserts only): rows of the
-- `version` commit whose bytes differ now.
SELECT t.synth_id
FROM delta.`${warehouse}/synthetic` VERSION AS OF ${version} t
JOIN delta.`${warehouse}/synthetic` n ON t.synth_id = n.synth_id
WHERE sha2(t.png, 256) <> sha2(n.png, 256)
