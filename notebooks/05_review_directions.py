# Databricks notebook source
# MAGIC %md
# MAGIC # dermsynth: review SeFa directions (Python)
# MAGIC Each direction's strip — a few train images pushed along it at several strengths, with the LPIPS of
# MAGIC each step to the unedited render — shown as images, and the decision recorded through
# MAGIC `dermsynth review-decide`: the same validation and the same Delta writes as the review page, so the
# MAGIC scheduled `augment` task takes what is approved here.
# MAGIC
# MAGIC Needs the dermsynth application jar attached and a dedicated (single-user) cluster: the notebook
# MAGIC calls dermsynth through PySpark's JVM gateway (`spark._jvm`), which shared clusters do not offer.
# MAGIC Set `catalog`/`schema` to where the jobs write their tables, `warehouse` to their folder (models,
# MAGIC run files), and `kind` as the jobs' `tables.kind`.

# COMMAND ----------

for widget, default in {"catalog": "main", "schema": "dermsynth", "kind": "managed",
                        "warehouse": "/Volumes/main/dermsynth/warehouse", "images": "4",
                        "alphas": "-3,-1.5,0,1.5,3"}.items():
    dbutils.widgets.text(widget, default)
catalog = dbutils.widgets.get("catalog")
schema = dbutils.widgets.get("schema")
names = {"catalog": catalog, "schema": schema}


def table(name):
    """The table's quoted name, for the SQL that cannot take a parameter (time travel, history)."""
    for part in (catalog, schema, name):
        if "`" in part or "." in part:
            raise ValueError(f"not a plain name: {part!r}")
    return f"`{catalog}`.`{schema}`.`{name}`"

# COMMAND ----------

# The newest finished train-inverter run (augment's default model), registered through the JVM gateway as
# the SQL functions dermsynth_edit(...) and dermsynth_lpips(a, b).
inverter = spark.sql("""
SELECT metrics['model_path'] AS model_path
FROM IDENTIFIER(:catalog || '.' || :schema || '.runs')
WHERE command = 'train-inverter' AND status = 'succeeded'
ORDER BY finished_at DESC
LIMIT 1
""", args=names).first()["model_path"]
spark._jvm.io.dermsynth.udf.SqlFunctions.register(spark._jsparkSession, inverter)
print("edits rendered by", inverter)

# COMMAND ----------

# The directions of the newest generator with their current decision (the latest row per direction in
# the append-only direction_reviews, which the first decision creates).
if spark.catalog.tableExists(table("direction_reviews")):
    reviews = "IDENTIFIER(:catalog || '.' || :schema || '.direction_reviews')"
else:
    reviews = ("(SELECT CAST(NULL AS STRING) AS direction_id, CAST(NULL AS STRING) AS decision, "
               "CAST(NULL AS STRING) AS name, CAST(NULL AS DOUBLE) AS alpha_min, CAST(NULL AS DOUBLE) AS alpha_max, "
               "CAST(NULL AS STRING) AS reviewer, CAST(NULL AS TIMESTAMP) AS decided_at)")
directions = spark.sql(f"""
SELECT d.direction_id, d.rank, round(d.eigenvalue, 4) AS eigenvalue, d.layer_selection, r.decision, r.name,
       r.alpha_min, r.alpha_max, r.reviewer
FROM IDENTIFIER(:catalog || '.' || :schema || '.directions') d
LEFT JOIN (SELECT *, row_number() OVER (PARTITION BY direction_id ORDER BY decided_at DESC) AS n
           FROM {reviews}) r
  ON r.direction_id = d.direction_id AND r.n = 1
WHERE d.generator_version = (SELECT max_by(generator_version, created_at)
                             FROM IDENTIFIER(:catalog || '.' || :schema || '.directions'))
ORDER BY d.rank
""", args=names).collect()
display(directions)

# COMMAND ----------

# Each direction's strip: one row per train image, one picture per strength (in units of W's spread along
# the direction, as augment's alphas), each with its LPIPS to the image's unedited render (0.2: the
# paper's bound). The PNGs come from the SQL function; the page is plain HTML.
import base64
import html

strip_sql = """
SELECT l.image_id, l.dx, a.alpha,
       dermsynth_edit(l.w_plus, l.offsets, l.offset_layers, d.vector, d.w_indices, a.alpha * d.w_std) AS png,
       dermsynth_lpips(
         dermsynth_edit(l.w_plus, l.offsets, l.offset_layers, d.vector, d.w_indices, a.alpha * d.w_std),
         dermsynth_edit(l.w_plus, l.offsets, l.offset_layers, d.vector, d.w_indices, 0.0)) AS lpips
FROM (SELECT *, row_number() OVER (ORDER BY image_id) AS n
      FROM IDENTIFIER(:catalog || '.' || :schema || '.latents') WHERE split = 'train') l
CROSS JOIN (SELECT * FROM IDENTIFIER(:catalog || '.' || :schema || '.directions') WHERE direction_id = :direction) d
CROSS JOIN (SELECT explode(from_json(:alphas, 'array<double>')) AS alpha) a
WHERE l.n <= CAST(:images AS INT)
ORDER BY l.image_id, a.alpha
"""
alphas = "[" + dbutils.widgets.get("alphas") + "]"


def strip(direction):
    try:
        rows = spark.sql(strip_sql, args=dict(names, direction=direction, alphas=alphas,
                                              images=dbutils.widgets.get("images"))).collect()
    except Exception as e:  # one direction that cannot render (as the review page does): say why, go on
        return (f"<h3>direction {html.escape(direction)}</h3><p>cannot render this strip: "
                f"{html.escape(str(e))}</p>", 0)
    by_image = {}
    for r in rows:
        by_image.setdefault((r["image_id"], r["dx"]), []).append(r)
    lines = []
    for (image_id, dx), steps in by_image.items():
        cells = "".join(
            f'<td style="text-align:center"><img src="data:image/png;base64,{base64.b64encode(bytes(s["png"])).decode()}"'
            f' width="96" height="96"/><br/>&alpha; {s["alpha"]:+.1f}<br/>LPIPS {s["lpips"]:.3f}</td>'
            for s in steps)
        lines.append(f"<tr><th>{html.escape(image_id)}<br/>{html.escape(dx)}</th>{cells}</tr>")
    return f"<h3>direction {html.escape(direction)}</h3><table>{''.join(lines)}</table>", len(rows)


pages = [strip(d["direction_id"]) for d in directions]
displayHTML("".join(page for page, _ in pages))

# COMMAND ----------

# Record a decision: fill the `direction` and `decision` (approve or reject) widgets — and for an approval
# `name`, `alpha_min`, `alpha_max` — then run this cell. It runs `dermsynth review-decide` in this
# session; an empty `decision` records nothing.
fields = ("name", "alpha_min", "alpha_max", "note", "reviewer")
for widget in ("direction", "decision") + fields:
    dbutils.widgets.text(widget, "")


def review_decide(direction, decision, **values):
    """Runs `dermsynth review-decide` in this session; raises with its message when it refuses."""
    if decision not in ("approve", "reject"):
        raise ValueError(f"decision must be approve or reject, got {decision!r}")
    args = ["review-decide", "--direction", direction, "--" + decision,
            "--set", "warehouse=" + dbutils.widgets.get("warehouse"), "--set", "tables.catalog=" + catalog,
            "--set", "tables.schema=" + schema, "--set", "tables.kind=" + dbutils.widgets.get("kind")]
    for key, value in values.items():
        if value:
            args += ["--" + key.replace("_", "-"), str(value)]
    outcome = spark._jvm.io.dermsynth.jobs.Main.runInSession(args)
    print(outcome.output())
    if outcome.code() != 0:
        raise RuntimeError(f"review-decide refused (exit {outcome.code()}): {outcome.output().strip()}")
    return outcome.output()


decision = dbutils.widgets.get("decision").strip()
if decision:
    review_decide(dbutils.widgets.get("direction").strip(), decision,
                  **{k: dbutils.widgets.get(k).strip() for k in fields})

# COMMAND ----------

# direction_reviews through time: every commit (one per decision), and each direction's decisions as of
# the table's first version against now.
if not spark.catalog.tableExists(table("direction_reviews")):
    print("no decision recorded yet")
else:
    history = spark.sql(f"DESCRIBE HISTORY {table('direction_reviews')}").collect()
    display(history)
    first = min(h["version"] for h in history)
    then_and_now = spark.sql(f"""
SELECT coalesce(t.direction_id, n.direction_id) AS direction_id, t.decisions AS decisions_then,
       n.decisions AS decisions_now
FROM (SELECT direction_id, count(*) AS decisions FROM {table('direction_reviews')} VERSION AS OF {int(first)}
      GROUP BY direction_id) t
FULL OUTER JOIN (SELECT direction_id, count(*) AS decisions FROM {table('direction_reviews')} GROUP BY direction_id) n
  ON t.direction_id = n.direction_id
ORDER BY direction_id
""").collect()
    display(then_and_now)
