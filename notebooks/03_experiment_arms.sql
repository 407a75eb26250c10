-- Databricks notebook source
-- MAGIC %md
-- MAGIC # dermsynth: compare experiment arms
-- MAGIC Baseline (real images only) against the arms with synthetic images, as `dermsynth experiment` wrote
-- MAGIC them to `evaluations`: balanced accuracy and macro AUC with their bootstrap CIs, per-class recall,
-- MAGIC and the paired difference to the baseline seed by seed. The HTML report has the same figures.

-- COMMAND ----------

CREATE WIDGET TEXT catalog DEFAULT 'main'

-- COMMAND ----------

CREATE WIDGET TEXT schema DEFAULT 'dermsynth'

-- COMMAND ----------

-- Experiments, newest first: arms, seeds, test set.
SELECT experiment_id, min(evaluated_at) AS started, collect_set(arm) AS arms, count(DISTINCT seed) AS seeds,
       first(test_set) AS test_set, first(n_images) AS test_images
FROM IDENTIFIER(:catalog || '.' || :schema || '.evaluations')
WHERE experiment_id IS NOT NULL
GROUP BY experiment_id
ORDER BY started DESC

-- COMMAND ----------

-- Each arm over its seeds: mean balanced accuracy and macro AUC, with the single-seed bootstrap CI
-- when there is one seed.
SELECT experiment_id, arm, count(*) AS seeds,
       round(avg(balanced_accuracy), 4) AS balanced_accuracy,
       round(min(balanced_accuracy_ci_low), 4) AS ba_ci_low, round(max(balanced_accuracy_ci_high), 4) AS ba_ci_high,
       round(avg(auc_macro), 4) AS auc_macro
FROM IDENTIFIER(:catalog || '.' || :schema || '.evaluations')
WHERE experiment_id IS NOT NULL
GROUP BY experiment_id, arm
ORDER BY experiment_id, arm = 'baseline' DESC, arm

-- COMMAND ----------

-- Per-class recall of each arm (mean over seeds): where synthetic images help or hurt.
SELECT experiment_id, arm, dx, round(avg(r), 4) AS recall, first(support[dx]) AS support
FROM (SELECT experiment_id, arm, support, explode(recall) AS (dx, r) FROM IDENTIFIER(:catalog || '.' || :schema || '.evaluations')
      WHERE experiment_id IS NOT NULL)
GROUP BY experiment_id, arm, dx
ORDER BY experiment_id, dx, arm

-- COMMAND ----------

-- Paired difference to the baseline, seed by seed (same seed, same real data: the arms differ only in
-- the synthetic images they add).
SELECT a.experiment_id, a.arm, a.seed,
       round(a.balanced_accuracy - b.balanced_accuracy, 4) AS delta_balanced_accuracy,
       round(a.auc_macro - b.auc_macro, 4) AS delta_auc_macro
FROM IDENTIFIER(:catalog || '.' || :schema || '.evaluations') a
JOIN IDENTIFIER(:catalog || '.' || :schema || '.evaluations') b
  ON a.experiment_id = b.experiment_id AND a.seed = b.seed AND b.arm = 'baseline'
WHERE a.arm <> 'baseline'
ORDER BY a.experiment_id, a.arm, a.seed

-- COMMAND ----------

-- Must be empty: every arm of an experiment was tested on the same images.
SELECT experiment_id
FROM IDENTIFIER(:catalog || '.' || :schema || '.evaluations')
WHERE experiment_id IS NOT NULL
GROUP BY experiment_id
HAVING count(DISTINCT test_set) > 1 OR count(DISTINCT n_images) > 1
