"""dbutils, widgets in SQL, notebook.run, the other magics and redaction, on real local PySpark."""

import os
import sys
import threading
import time

import pytest

from .conftest import run_python, runtime_prelude


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


def test_parameter_bar_values_and_bundle(runtime, widgets):
    widgets.dropdown("env", "dev", ["dev", "prod"])
    runtime.set_widget_values({"env": "prod"})
    assert widgets.get("env") == "prod"
    assert runtime.getArgument("env") == "prod"
    described = runtime.widgets_bundle()._repr_json_()
    assert described == {
        "env": {
            "type": "dropdown",
            "default": "dev",
            "choices": ["dev", "prod"],
            "label": "env",
            "value": "prod",
        }
    }


def test_sql_cells_use_widgets(session, widgets, capsys):
    runtime, ns, _ = session
    ns["spark"].range(5).selectExpr("id", "CAST(id % 2 AS STRING) AS parity").createOrReplaceTempView("nums")
    df = runtime.sql_cell(
        [
            ("create_widget", "dropdown", "parity", "1", "SELECT DISTINCT parity FROM nums ORDER BY parity"),
            ("create_widget", "text", "min_id", "0", None),
            ("sql", "SELECT count(*) AS n FROM nums WHERE parity = :parity AND id >= ${min_id}", ["parity"]),
        ]
    )
    assert df.collect()[0].n == 2
    assert widgets.describe()["parity"]["choices"] == ["0", "1"]
    widgets.set_values({"parity": "0", "min_id": "1"})
    df = runtime.sql_cell(
        [
            (
                "sql",
                "SELECT count(*) AS n FROM nums WHERE parity = getArgument('parity') AND id >= ${min_id}",
                [],
            )
        ]
    )
    assert df.collect()[0].n == 2  # ids 2 and 4
    runtime.sql_cell([("remove_widget", "min_id")])
    assert "min_id" not in widgets.getAll()
    capsys.readouterr()


def test_fs_on_local_paths_with_the_dbfs_mapping(session, tmp_path, monkeypatch):
    runtime, _, _ = session
    monkeypatch.setenv(runtime.contract.DBFS_ROOT_ENV, "file://" + str(tmp_path))
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
    with pytest.raises(runtime.SparkK8sError, match="needs 2 arguments"):
        runtime.fs_magic("cp dbfs:/data/in/a.txt")
    assert fs.rm("dbfs:/data", recurse=True)
    assert not (tmp_path / "data").exists()


def test_magics_sh_md_and_exit(runtime, capsys):
    runtime.sh("echo out; echo err >&2")
    assert capsys.readouterr().out == "out\nerr\n"
    with pytest.raises(runtime.SparkK8sError, match="exited with status 3"):
        runtime.sh("exit 3")
    runtime.markdown("# Title")
    assert "# Title" in capsys.readouterr().out
    with pytest.raises(runtime.NotebookExit) as exit_info:
        runtime.dbutils.notebook.exit(42)
    assert exit_info.value.value == "42"
    assert exit_info.value._render_traceback_() == ["Notebook exited: 42"]


# ---------------------------------------------------------------------------
# Secrets


def test_secrets_need_a_mapped_scope(runtime, monkeypatch):
    monkeypatch.setattr(runtime.secrets.secrets, "scopes", {})
    with pytest.raises(runtime.SparkK8sError, match="'prod-db' is not mapped to a Kubernetes Secret") as info:
        runtime.dbutils.secrets.get("prod-db", "password")
    assert "Settings → Spark sessions → Secret scopes" in str(info.value)
    with pytest.raises(runtime.SparkK8sError, match="must name its Kubernetes Secret"):
        runtime.configure_secrets({"x": {"env": {}}})


def test_secrets_come_from_the_mapped_variable_or_the_secret_and_are_redacted():
    env = dict(os.environ, DB_PASS="hunter2-s3cret")
    env.pop("API_TOKEN", None)
    proc = run_python(
        """
import base64
rt.configure_secrets({
    "prod-db": {"secret": "prod-db-creds", "env": {"password": "DB_PASS", "token": "API_TOKEN"}},
    "other": {"secret": "other-secret", "env": {}},
})
print("scopes", [s.name for s in rt.dbutils.secrets.listScopes()])
value = rt.dbutils.secrets.get("prod-db", "password")
print("len", len(value))
print("the value is", value)
rt.display({"nested": ["x " + value]})

# Not in the environment: read from the Secret through the API.
calls = []
def api(path):
    calls.append(path)
    return {"data": {"token": base64.b64encode(b"tok-from-api").decode(), "user": "eA=="}}
rt.secrets.secrets._api = api
print("token", rt.dbutils.secrets.get("prod-db", "token"))
print("calls", calls)
print("keys", [m.key for m in rt.dbutils.secrets.list("prod-db")])
try:
    rt.dbutils.secrets.get("other", "missing")
except rt.SparkK8sError as e:
    print("ERR", e)
""",
        env=env,
    )
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr
    assert "scopes ['other', 'prod-db']" in out
    assert "len 14" in out
    assert "the value is [REDACTED]" in out
    assert "x [REDACTED]" in out
    assert "hunter2" not in out
    assert "token [REDACTED]" in out and "tok-from-api" not in out
    assert "calls ['secrets/prod-db-creds']" in out
    assert "keys ['token', 'user']" in out
    assert "ERR Secret 'other-secret' (scope 'other') has no key 'missing'; it has: token, user." in out


def test_start_session_takes_the_resolved_scopes(session, monkeypatch):
    runtime, _, _ = session
    monkeypatch.setattr(runtime.secrets.secrets, "scopes", {})
    with pytest.raises(runtime.SparkK8sError, match="dict of strings"):
        runtime.start_session({"spark.x": 1}, secret_scopes={"s": {"secret": "k8s-s", "env": {"k": "V"}}})
    runtime.start_session(
        {"spark.master": "local[2]"}, secret_scopes={"s": {"secret": "k8s-s", "env": {"k": "V"}}}
    )
    assert runtime.secrets.secrets.scopes == {"s": {"secret": "k8s-s", "env": {"k": "V"}}}


# ---------------------------------------------------------------------------
# Widget values of a script or job


def test_widget_values_for_a_job_come_from_the_environment():
    env = dict(os.environ, SPARK_K8S_WIDGETS='{"env": "prod"}')
    proc = run_python(
        """
rt.dbutils.widgets.dropdown("env", "dev", ["dev", "prod"])
print("env=" + rt.dbutils.widgets.get("env"))
""",
        env=env,
    )
    assert "env=prod" in proc.stdout, proc.stderr


def test_widget_values_for_a_script_come_from_its_command_line(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(
        runtime_prelude()
        + """
rt.dbutils.widgets.text("env", "dev")
rt.dbutils.widgets.text("day", "mon")
rt.dbutils.widgets.text("n", "0")
print(rt.dbutils.widgets.getAll())
"""
    )
    import subprocess

    env = dict(os.environ, SPARK_K8S_WIDGETS='{"env": "staging", "n": "1"}')
    proc = subprocess.run(
        [sys.executable, str(script), "--env", "prod", "--day=tue", "positional"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert "{'env': 'prod', 'day': 'tue', 'n': '1'}" in proc.stdout, proc.stderr


# ---------------------------------------------------------------------------
# dbutils.notebook.run


def test_notebook_run_has_its_own_namespace_widgets_and_exit_value(session, widgets, capsys):
    runtime, ns, _ = session
    runtime.register_notebook(
        "./child",
        [
            'dbutils.widgets.text("name", "default")\nx = dbutils.widgets.get("name")',
            '_sqldf = _spark_k8s_runtime.sql_cell([("sql", "SELECT :name AS n, \'${name}\' AS m", ["name"])])',
            "row = _sqldf.collect()[0]\n"
            'dbutils.notebook.exit("|".join([x, row.n, row.m, getArgument("name"), str(spark.range(2).count())]))',
            'raise RuntimeError("not reached")',
        ],
    )
    assert runtime.dbutils.notebook.run("./child", 0, {"name": "bob"}) == "bob|bob|bob|bob|2"
    assert "| bob | bob |" in capsys.readouterr().out
    assert runtime.dbutils.notebook.run("./child", 60) == "default|default|default|default|2"
    assert "x" not in ns and "name" not in widgets.getAll()  # the caller's namespace and widgets


def test_notebook_run_nests_shares_the_session_and_returns_none_without_exit(session, widgets):
    runtime, _, _ = session
    runtime.register_notebook("./leaf", ['dbutils.notebook.exit("leaf:" + getArgument("v"))'])
    runtime.register_notebook(
        "./mid",
        [
            'inner = dbutils.notebook.run("./leaf", 0, {"v": getArgument("v") + "!"})',
            "_spark_k8s_runtime.finish_script()  # inside a run: the session stays",
            'dbutils.notebook.exit(inner + "/" + dbutils.widgets.get("v"))',
        ],
    )
    assert runtime.dbutils.notebook.run("./mid", 0, {"v": 1}) == "leaf:1!/1"
    assert runtime.session_info()["state"] == "ready"
    runtime.register_notebook("./quiet", ["y = 1"])
    assert runtime.dbutils.notebook.run("./quiet") is None


def test_notebook_run_failures_name_the_notebook(session):
    runtime, _, _ = session
    runtime.register_notebook("./bad", ["def f():\n    raise ValueError('boom')", "f()"])
    with pytest.raises(
        runtime.SparkK8sError, match=r"dbutils.notebook.run\('./bad'\) failed: ValueError: boom"
    ) as info:
        runtime.dbutils.notebook.run("./bad")
    assert isinstance(info.value.__cause__, ValueError)
    with pytest.raises(runtime.SparkK8sError, match="ValueError: boom"):
        runtime.dbutils.notebook.run("./bad", 30)


def test_unregistered_notebook_is_a_clear_error(runtime):
    with pytest.raises(runtime.SparkK8sError) as info:
        runtime.dbutils.notebook.run("./never-prepared", 0, {})
    assert str(info.value) == (
        "dbutils.notebook.run('./never-prepared'): the notebook was not prepared; call it with a literal "
        'path (dbutils.notebook.run("./x", …)) so it is translated before the cell runs'
    )


def _worker_alive(name):
    return any(t.name == name and t.is_alive() for t in threading.enumerate())


def test_notebook_run_timeout_stops_a_sleeping_callee(session):
    runtime, ns, _ = session
    runtime.register_notebook("./sleepy", ["import time\ntime.sleep(30)", "dbutils.notebook.exit('woke')"])
    start = time.monotonic()
    with pytest.raises(runtime.SparkK8sError) as info:
        runtime.dbutils.notebook.run("./sleepy", 3)
    elapsed = time.monotonic() - start
    assert str(info.value) == "dbutils.notebook.run('./sleepy') timed out after 3 s"
    assert 3 <= elapsed < 8, elapsed
    assert ns["spark"].range(3).count() == 3


def test_notebook_run_timeout_cancels_a_long_spark_job(session):
    runtime, ns, _ = session
    runtime.register_notebook("./slow", ['spark.range(10**12).selectExpr("sum(id % 7)").collect()'])
    start = time.monotonic()
    with pytest.raises(runtime.SparkK8sError, match=r"dbutils.notebook.run\('./slow'\) timed out after 3 s"):
        runtime.dbutils.notebook.run("./slow", 3)
    assert time.monotonic() - start < 8
    deadline = time.monotonic() + 10
    while _worker_alive("dbutils.notebook.run(./slow)") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _worker_alive("dbutils.notebook.run(./slow)")
    assert ns["spark"].range(3).count() == 3
    assert ns["sc"].statusTracker().getActiveJobsIds() == []


def test_notebook_run_works_in_a_plain_script():
    proc = run_python(
        """
rt.start_session({"spark.master": "local[1]"})
rt.register_notebook("nb", ['dbutils.notebook.exit(str(spark.range(int(getArgument("n"))).count()))'])
print("got", rt.dbutils.notebook.run("nb", 0, {"n": 4}), rt.dbutils.notebook.run("nb", 60, {"n": 5}))
rt.finish_script()
print(rt.session_info())
"""
    )
    assert "got 4 5" in proc.stdout, proc.stderr
    assert "{'state': 'stopped'}" in proc.stdout


def test_run_inline_shares_the_namespace_and_sets_widgets(runtime, widgets):
    ns = {"dbutils": runtime.dbutils}
    runtime.register_run("./lib", ["z = dbutils.widgets.get('who')", "dbutils.notebook.exit(z)"])
    value = runtime.run_inline("./lib", {"who": "ann"}, ns)
    assert value == "ann" and ns["z"] == "ann"
    with pytest.raises(runtime.SparkK8sError, match="not prepared"):
        runtime.run_inline("./never-registered", {}, ns)


def test_databricks_paths_in_sql_and_code_go_to_the_storage_root(session, tmp_path, monkeypatch, capsys):
    runtime, ns, _ = session
    monkeypatch.setenv("SPARK_K8S_DBFS_ROOT", "file://" + str(tmp_path))
    ns["spark"].range(3).write.parquet(f"file://{tmp_path}/data/nums")
    df = runtime.sql_cell([("sql", "SELECT count(*) AS n FROM parquet.`dbfs:/data/nums`", [])])
    assert df.collect()[0].n == 3
    assert runtime.map_sql_paths("SELECT '/Volumes/c/s/v' AS p, 'dbfsx' AS q") == (
        f"SELECT 'file://{tmp_path}/Volumes/c/s/v' AS p, 'dbfsx' AS q"
    )
    code = 'path = "/dbfs/data/nums"  # "dbfs:/in a comment"\nother = "dbfs-not-a-path"\n'
    mapped = "".join(runtime.map_code_paths([code]))
    scope = {}
    exec(mapped, scope)
    assert scope["path"] == f"file://{tmp_path}/data/nums"
    assert scope["other"] == "dbfs-not-a-path"
    assert '"dbfs:/in a comment"' in mapped
    assert runtime.map_code_paths(["x = 'unterminated\n"]) == ["x = 'unterminated\n"]
    capsys.readouterr()
