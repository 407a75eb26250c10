"""Runs a Databricks source-format Python notebook (cells between '# COMMAND ----------') for a JVM test
that owns a real Spark session, standing in for PySpark's py4j gateway, which cannot be installed on the
test machines: what the notebook asks of the JVM (spark.sql with named parameters, calls through
spark._jvm, display, displayHTML) goes to the test as one JSON line each, on the original stdout, and the
test's one-line JSON answer comes back on stdin. The notebook's own print() goes to stderr.

Usage: python3 notebook_host.py NOTEBOOK.py WIDGETS_JSON
"""
import base64
import json
import os
import sys
import traceback

_proto_out = os.fdopen(os.dup(1), "w")
sys.stdout = sys.stderr


def _call(message):
    _proto_out.write(json.dumps(message) + "\n")
    _proto_out.flush()
    reply = json.loads(sys.stdin.readline())
    if "error" in reply:
        raise RuntimeError(reply["error"])  # as py4j raises a Java exception in Python
    return _decode(reply.get("value"))


class Row(dict):
    """A PySpark Row: r["name"] and r.name."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def asDict(self):
        return dict(self)


class JavaObject:
    """A py4j proxy of a Java record: its accessors are methods."""

    def __init__(self, fields):
        self._fields = fields

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._fields:
            raise AttributeError(name)
        return lambda: self._fields[name]


def _decode(v):
    if isinstance(v, dict):
        if "$binary" in v:
            return bytearray(base64.b64decode(v["$binary"]))  # PySpark's BinaryType
        if "$row" in v:
            return Row((k, _decode(x)) for k, x in v["$row"])
        if "$object" in v:
            return JavaObject({k: _decode(x) for k, x in v["$object"].items()})
        return {k: _decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v


class DataFrame:
    def __init__(self, query, args):
        self._query, self._args = query, args

    def collect(self):
        return _call({"op": "sql", "query": self._query, "args": self._args})

    def first(self):
        rows = self.collect()
        return rows[0] if rows else None

    def count(self):
        return len(self.collect())


_SESSION = object()


def _encode(a):
    if a is _SESSION:
        return {"$session": True}
    if isinstance(a, (list, tuple)):
        return [_encode(x) for x in a]
    if a is None or isinstance(a, (str, int, float, bool)):
        return a
    raise TypeError(f"cannot pass {type(a).__name__} to the JVM here")


class Jvm:
    """spark._jvm: a dotted path to a class, then a static method called with Python values."""

    def __init__(self, path=()):
        self._path = path

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Jvm(self._path + (name,))

    def __call__(self, *args):
        return _call({"op": "jvm", "path": ".".join(self._path), "args": [_encode(a) for a in args]})


class Catalog:
    def tableExists(self, name):
        return _call({"op": "tableExists", "name": name})


class SparkSession:
    _jvm = Jvm()
    _jsparkSession = _SESSION
    catalog = Catalog()

    def sql(self, query, args=None):
        return DataFrame(query, dict(args or {}))


class _Widgets:
    def __init__(self, values):
        self._values, self._defaults = values, {}

    def text(self, name, default_value, label=None):
        self._defaults[name] = default_value

    def get(self, name):
        if name in self._values and name in self._defaults:
            return self._values[name]
        if name in self._defaults:
            return self._defaults[name]
        raise ValueError(f"InputWidgetNotDefined: no widget named {name}")


class _DbUtils:
    def __init__(self, values):
        self.widgets = _Widgets(values)


def display(data):
    rows = data.collect() if isinstance(data, DataFrame) else list(data)
    _call({"op": "display", "rows": len(rows)})


def displayHTML(html):
    _call({"op": "displayHTML", "html": html})


def main(path, widgets):
    source = open(path, encoding="utf-8").read()
    cells = [c.replace("# Databricks notebook source", "").strip() for c in source.split("# COMMAND ----------")]
    scope = {"spark": SparkSession(), "dbutils": _DbUtils(widgets), "display": display,
             "displayHTML": displayHTML, "__name__": "__main__"}
    for number, cell in enumerate(cells, 1):
        if not cell or cell.startswith("# MAGIC"):
            continue
        try:
            exec(compile(cell, f"{os.path.basename(path)} cell {number}", "exec"), scope)
        except Exception:
            _proto_out.write(json.dumps({"op": "failed", "cell": number, "error": traceback.format_exc()}) + "\n")
            _proto_out.flush()
            return 1
        _call({"op": "cell", "cell": number})
    _proto_out.write(json.dumps({"op": "done"}) + "\n")
    _proto_out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], json.loads(sys.argv[2])))
