"""runtime.py against real PySpark on local Spark (Java 17)."""

import json
import os
import shutil

import pytest

from .conftest import RUNTIME, run_python

PRELUDE = f"""
import types, json
rt = types.ModuleType("rt")
exec(compile(open({str(RUNTIME)!r}).read(), "spark_k8s_runtime.py", "exec"), rt.__dict__)
"""


def test_start_session_binds_spark_sc_display(session):
    runtime, ns, info = session
    assert info["state"] == "ready"
    assert info["appId"].startswith("local-")
    assert info["master"] == "local[2]"
    assert info["sparkVersion"].startswith("4.")
    assert isinstance(info["uiPort"], int) and info["uiPort"] >= 4040
    assert ns["spark"].range(3).count() == 3
    assert ns["sc"] is ns["spark"].sparkContext
    assert ns["display"] is runtime.display


def test_start_again_returns_the_running_session(session):
    runtime, ns, info = session
    again = runtime.start_session({"spark.master": "local[2]"}, user_ns=ns)
    assert again["appId"] == info["appId"]


def test_sql_cell_runs_statements_in_order_and_returns_last(session, capsys):
    runtime, ns, _ = session
    df = runtime.sql_cell(
        [
            ("sql", "CREATE OR REPLACE TEMP VIEW t AS SELECT id, 'a;b' AS s FROM range(3)", []),
            ("sql", "SELECT count(*) AS n, max(s) AS s FROM t", []),
        ]
    )
    assert [tuple(r) for r in df.collect()] == [(3, "a;b")]
    out = capsys.readouterr().out
    assert "| n | s   |" in out and "| 3 | a;b |" in out and "1 row" in out


def test_display_bounds_rows_and_says_so(session, capsys):
    runtime, ns, _ = session
    runtime.display(ns["spark"].range(25), limit=10)
    out = capsys.readouterr().out
    assert "| 9  |" in out and "| 10 |" not in out
    assert "Showing the first 10 rows; the result has more." in out


def test_table_html_escapes_values(runtime):
    bundle = runtime._table_bundle(["<b>"], [("<script>x</script>",)], False, 5)
    assert "<script>" not in bundle["text/html"]
    assert "&lt;script&gt;" in bundle["text/html"]


def test_sql_without_session_is_a_clear_error(runtime):
    fresh = type(runtime)("fresh")
    exec(compile(RUNTIME.read_text(), "spark_k8s_runtime.py", "exec"), fresh.__dict__)
    with pytest.raises(fresh.SparkK8sError, match="No Spark session"):
        fresh.sql_cell([("sql", "SELECT 1", [])])


def test_bad_conf_key_is_refused_before_spark_starts(runtime):
    with pytest.raises(runtime.SparkK8sError, match="not a Spark property"):
        runtime.start_session({"executor.memory": "1g"})


def test_missing_java_is_reported_in_plain_words():
    env = dict(os.environ)
    env.pop("JAVA_HOME", None)
    python_dir = os.path.dirname(shutil.which("python3") or "/usr/bin/python3")
    env["PATH"] = python_dir  # a PATH with Python but without java
    proc = run_python(
        PRELUDE
        + """
try:
    rt.start_session({"spark.master": "local[1]"})
except rt.SparkK8sError as e:
    print("ERR", e)
""",
        env=env,
    )
    assert "ERR Java was not found" in proc.stdout, proc.stderr
    assert "JAVA_HOME" in proc.stdout


def test_bad_memory_value_fails_with_the_jvm_reason():
    proc = run_python(
        PRELUDE
        + """
try:
    rt.start_session({"spark.master": "local[1]", "spark.driver.memory": "lots"})
except rt.SparkK8sError as e:
    print("ERR", e)
"""
    )
    out = proc.stdout
    assert "ERR Spark could not start" in out, proc.stderr
    assert "lots" in out or "memory" in out.lower()


def test_missing_pyspark_is_reported(tmp_path):
    # A Python that cannot import pyspark: isolate it from site-packages.
    proc = run_python(
        """
import sys, types
sys.modules["pyspark"] = None
"""
        + PRELUDE
        + """
try:
    rt.start_session({"spark.master": "local[1]"})
except rt.SparkK8sError as e:
    print("ERR", e)
"""
    )
    assert "ERR PySpark is not installed" in proc.stdout, proc.stderr


def test_stop_session_unbinds_and_is_safe_twice():
    proc = run_python(
        PRELUDE
        + """
ns = {}
rt.start_session({"spark.master": "local[1]"}, user_ns=ns)
print(json.dumps(rt.stop_session()), "spark" in ns)
print(json.dumps(rt.stop_session()))
"""
    )
    lines = proc.stdout.strip().splitlines()
    assert lines[-2] == '{"state": "stopped"} False', proc.stderr
    assert json.loads(lines[-1]) == {"state": "stopped"}
