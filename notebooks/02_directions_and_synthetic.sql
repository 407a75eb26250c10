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
