-- Databricks notebook source
-- MAGIC %md
-- MAGIC # dermsynth: SeFa directions and the synthetic images made from them
-- MAGIC Set the `catalog` and `schema` widgets to where the jobs write their tables (`tables.catalog`,
-- MAGIC `tables.schema`; see 01 for a path-based warehouse). To render edits row by row and record review
-- MAGIC decisions, use 05_review_directions (Python) or 04_render_and_history (Scala): they register
-- MAGIC `dermsynth_edit(w_plus, offsets, offset_layers, vector, w_indices, alpha)` and `dermsynth_lpips(a, b)`.
-- MAGIC Time travel over `synthetic` is in 04 and 05: Spark 4.0's `VERSION AS OF` takes no parameter marker,
-- MAGIC and `IDENTIFIER(...)` with one fails there (UNBOUND_SQL_PARAMETER), as does `DESCRIBE HISTORY IDENTIFIER(...)`.

-- COMMAND ----------

CREATE WIDGET TEXT catalog DEFAULT 'main'

-- COMMAND ----------

CREATE WIDGET TEXT schema DEFAULT 'dermsynth'

-- COMMAND ----------

-- Directions by generator: eigenvalues fall with rank; the layers say which styles an edit moves.
SELECT generator_version, rank, round(eigenvalue, 4) AS eigenvalue, layer_selection, size(layers) AS layers,
       direction_id
FROM IDENTIFIER(:catalog || '.' || :schema || '.directions')
ORDER BY generator_version, rank

-- COMMAND ----------

-- The review page's decisions: each direction's current decision (its latest row in the append-only
-- direction_reviews), and how many synthetic images it has made so far.
SELECT d.generator_version, d.rank, d.direction_id, r.decision, r.name, r.alpha_min, r.alpha_max, r.reviewer,
       r.decided_at, coalesce(s.images, 0) AS synthetic_images
FROM IDENTIFIER(:catalog || '.' || :schema || '.directions') d
LEFT JOIN (SELECT *, row_number() OVER (PARTITION BY direction_id ORDER BY decided_at DESC) AS n
           FROM IDENTIFIER(:catalog || '.' || :schema || '.direction_reviews')) r
  ON r.direction_id = d.direction_id AND r.n = 1
LEFT JOIN (SELECT direction_id, count(*) AS images FROM IDENTIFIER(:catalog || '.' || :schema || '.synthetic') GROUP BY direction_id) s
  ON s.direction_id = d.direction_id
ORDER BY d.generator_version, d.rank

-- COMMAND ----------

-- Synthetic images per inherited diagnosis: how many, how far from their source (LPIPS), how many
-- within the paper's 0.2, and how often the classifier still calls them their source's diagnosis.
SELECT dx, count(*) AS images, round(avg(lpips), 4) AS mean_lpips, round(avg(CAST(lpips_ok AS INT)), 3) AS lpips_ok,
       round(avg(CAST(label_kept AS INT)), 3) AS label_kept, round(avg(label_probability), 3) AS p_dx
FROM IDENTIFIER(:catalog || '.' || :schema || '.synthetic')
GROUP BY dx
ORDER BY images DESC

-- COMMAND ----------

-- LPIPS by direction and strength: a direction whose small alphas already pass 0.2 changes too much.
SELECT s.direction_id, d.rank, s.alpha, count(*) AS images, round(avg(s.lpips), 4) AS mean_lpips,
       round(percentile(s.lpips, 0.9), 4) AS p90_lpips
FROM IDENTIFIER(:catalog || '.' || :schema || '.synthetic') s JOIN IDENTIFIER(:catalog || '.' || :schema || '.directions') d ON s.direction_id = d.direction_id
GROUP BY s.direction_id, d.rank, s.alpha
ORDER BY d.rank, s.alpha

-- COMMAND ----------

-- Must be empty: synthetic images only derive from train-split lesions.
SELECT s.synth_id, s.lesion_id, i.split
FROM IDENTIFIER(:catalog || '.' || :schema || '.synthetic') s
JOIN (SELECT DISTINCT lesion_id, split FROM IDENTIFIER(:catalog || '.' || :schema || '.images')) i ON s.lesion_id = i.lesion_id
WHERE i.split <> 'train'

-- COMMAND ----------

-- Must be empty: every synthetic image leads back to a real image in `images` (its lineage).
SELECT s.synth_id, s.image_id
FROM IDENTIFIER(:catalog || '.' || :schema || '.synthetic') s LEFT ANTI JOIN IDENTIFIER(:catalog || '.' || :schema || '.images') i ON s.image_id = i.image_id

-- COMMAND ----------

-- Lineage of a few synthetic images: the real image (file, lesion, metadata), the direction and strength,
-- the generator and inverter that made it, and the run. The PNGs are in s.png and i.png.
SELECT s.synth_id, i.source_path, s.lesion_id, s.dx, i.age, i.sex, i.localization, s.direction_id, s.alpha,
       round(s.lpips, 4) AS lpips, s.label_kept, s.generator_version, s.inverter_version, s.run_id, r.started_at
FROM IDENTIFIER(:catalog || '.' || :schema || '.synthetic') s
JOIN IDENTIFIER(:catalog || '.' || :schema || '.images') i ON s.image_id = i.image_id
JOIN IDENTIFIER(:catalog || '.' || :schema || '.runs') r ON s.run_id = r.run_id
ORDER BY s.synth_id
LIMIT 20

-- COMMAND ----------

-- Where the work ran: rows per executor, assigned GPU and device (per augment run).
SELECT run_id, executor_id, task_gpu, device, count(*) AS images
FROM IDENTIFIER(:catalog || '.' || :schema || '.synthetic')
GROUP BY run_id, executor_id, task_gpu, device
ORDER BY run_id, executor_id
