"""dbutils, widgets in SQL, the other magics and redaction, on real local PySpark."""

import os

import pytest

from .conftest import run_python, RUNTIME

PRELUDE = f"""
import types, json, os
rt = types.ModuleType("rt")
exec(compile(open({str(RUNTIME)!r}).read(), "spark_k8s_runtime.py", "exec"), rt.__dict__)
"""


@pytest.fixture()
def widgets(runtime):
    runtime.dbutils.widgets.removeAll()
    yield runtime.dbutils.widgets
    runtime.dbutils.widgets.removeAll()


def test_widgets_have_databricks_semantics(runtime, widgets):
    widgets.text("name", "alice", "Name")
    widgets.text("name", "bob")  # the first declaration wins
    widgets.dropdown("env", "dev", ["dev", "prod"])
    widgets.multiselect("days", "mon", ["mon", "tue", "wed"])
    widgets.combobox("free", "anything", ["a"])
    assert widgets.get("name") == "alice"
    widgets.set_values({"days": ["mon", "wed"], "env": "prod"})
    assert widgets.get("days") == "mon,wed"
    assert widgets.getAll() == {"name": "alice", "env": "prod", "days": "mon,wed", "free": "anything"}
    assert widgets.getArgument("missing", "fallback") == "fallback"
    with pytest.raises(runtime.SparkK8sError, match="No widget named 'nope' is defined"):
        widgets.get("nope")
    with pytest.raises(runtime.SparkK8sError, match="not one of its choices"):
        widgets.dropdown("bad", "x", ["a", "b"])
    widgets.remove("name")
    assert "name" not in widgets.getAll()


def test_sql_cells_use_widgets(session, widgets, capsys):
    runtime, ns, _ = session
    ns["spark"].range(5).selectExpr("id", "CAST(id % 2 AS STRING) AS parity").createOrReplaceTempView("nums")
    df = runtime.sql_cell([
        ("create_widget", "dropdown", "parity", "1", "SELECT DISTINCT parity FROM nums ORDER BY parity"),
        ("create_widget", "text", "min_id", "0", None),
        ("sql", "SELECT count(*) AS n FROM nums WHERE parity = :parity AND id >= ${min_id}", ["parity"]),
    ])
    assert df.collect()[0].n == 2
    assert widgets.describe()["parity"]["choices"] == ["0", "1"]
    widgets.set_values({"parity": "0", "min_id": "1"})
    df = runtime.sql_cell([("sql", "SELECT count(*) AS n FROM nums WHERE parity = getArgument('parity') AND id >= ${min_id}", [])])
    assert df.collect()[0].n == 2  # ids 2 and 4
    runtime.sql_cell([("remove_widget", "min_id")])
    assert "min_id" not in widgets.getAll()
    capsys.readouterr()


def test_fs_on_local_paths_with_the_dbfs_mapping(session, tmp_path, monkeypatch):
    runtime, _, _ = session
    monkeypatch.setenv("SPARK_K8S_DBFS_ROOT", "file://" + str(tmp_path))
    fs = runtime.dbutils.fs
    assert fs.mkdirs("dbfs:/data/in")
    assert fs.put("/dbfs/data/in/a.txt", "hello, dbfs", overwrite=True)
    assert (tmp_path / "data" / "in" / "a.txt").read_text() == "hello, dbfs"
    assert fs.head("dbfs:/data/in/a.txt") == "hello, dbfs"
    assert fs.cp("dbfs:/data/in/a.txt", "dbfs:/data/b.txt")
    assert fs.mv("dbfs:/data/b.txt", "/Volumes/cat/c.txt")
    assert (tmp_path / "Volumes" / "cat" / "c.txt").read_text() == "hello, dbfs"
    names = sorted(f.name for f in fs.ls("dbfs:/data"))
    assert names == ["in/"]
    with pytest.raises(runtime.SparkK8sError, match="exists: pass overwrite=True"):
        fs.put("dbfs:/data/in/a.txt", "x")
    assert fs.rm("dbfs:/data", recurse=True)
    assert not (tmp_path / "data").exists()


def test_magics_sh_md_unsupported_and_exit(runtime, capsys):
    runtime.sh("echo out; echo err >&2")
    assert capsys.readouterr().out == "out\nerr\n"
    with pytest.raises(runtime.SparkK8sError, match="exited with status 3"):
        runtime.sh("exit 3")
    runtime.markdown("# Title")
    assert "# Title" in capsys.readouterr().out
    runtime.unsupported("scala")  # says so, but does not stop the notebook
    assert "%scala cells are not supported here" in capsys.readouterr().err
    with pytest.raises(runtime.NotebookExit) as exit_info:
        runtime.dbutils.notebook.exit(42)
    assert exit_info.value.value == "42"
    assert exit_info.value._render_traceback_() == ["Notebook exited: 42"]


def test_secrets_from_the_environment_are_redacted():
    env = dict(os.environ, SPARK_K8S_SECRET_PROD_DB_PASSWORD="hunter2-s3cret")
    proc = run_python(PRELUDE + """
value = rt.dbutils.secrets.get("prod-db", "password")
print("len", len(value))
print("the value is", value)
rt.display({"nested": ["x " + value]})
""", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "len 14" in proc.stdout
    assert "the value is [REDACTED]" in proc.stdout
    assert "x [REDACTED]" in proc.stdout
    assert "hunter2" not in proc.stdout


def test_widget_values_for_a_job_come_from_the_environment():
    env = dict(os.environ, SPARK_K8S_WIDGETS='{"env": "prod"}')
    proc = run_python(PRELUDE + """
rt.dbutils.widgets.dropdown("env", "dev", ["dev", "prod"])
print("env=" + rt.dbutils.widgets.get("env"))
""", env=env)
    assert "env=prod" in proc.stdout, proc.stderr


def test_databricks_paths_in_sql_and_code_go_to_the_storage_root(session, tmp_path, monkeypatch):
    runtime, ns, _ = session
    monkeypatch.setenv("SPARK_K8S_DBFS_ROOT", "file://" + str(tmp_path))
    ns["spark"].range(3).write.parquet("file://%s/data/nums" % tmp_path)
    df = runtime.sql_cell([("sql", "SELECT count(*) AS n FROM parquet.`dbfs:/data/nums`", [])])
    assert df.collect()[0].n == 3
    assert runtime.map_sql_paths("SELECT '/Volumes/c/s/v' AS p, 'dbfsx' AS q") == (
        "SELECT 'file://%s/Volumes/c/s/v' AS p, 'dbfsx' AS q" % tmp_path)
    code = 'path = "/dbfs/data/nums"  # "dbfs:/in a comment"\nother = "dbfs-not-a-path"\n'
    mapped = "".join(runtime.map_code_paths([code]))
    scope = {}
    exec(mapped, scope)
    assert scope["path"] == "file://%s/data/nums" % tmp_path
    assert scope["other"] == "dbfs-not-a-path"
    assert '"dbfs:/in a comment"' in mapped
    assert runtime.map_code_paths(["x = 'unterminated\n"]) == ["x = 'unterminated\n"]
