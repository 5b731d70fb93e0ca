"""The runtime package, loaded from its zip, against real PySpark on local Spark (Java 17)."""

import ast
import json
import os
import shutil
import sys

import pytest

from .conftest import CONTRACT_JSON, ROOT, RUNTIME_DIR, run_python


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
    assert ns["dbutils"] is runtime.dbutils
    assert runtime.session_info() == info


def test_start_again_returns_the_running_session(session):
    runtime, ns, info = session
    again = runtime.start_session({"spark.master": "local[2]"}, user_ns=ns)
    assert again["appId"] == info["appId"]


def test_the_runtime_zip_is_shipped_to_executors(session):
    runtime, ns, _ = session
    archive = runtime.session.runtime_archive()
    assert archive and archive.endswith(".zip") and os.path.isfile(archive)
    assert runtime.__file__.startswith(archive)
    sc = ns["sc"]
    assert os.path.basename(archive) in str(sc._jsc.sc().listFiles())
    assert os.path.basename(archive) in sc._python_includes
    # Executors import the runtime from the shipped zip.
    found = sc.parallelize([0], 1).map(lambda _: __import__("spark_k8s_runtime").__name__).collect()
    assert found == ["spark_k8s_runtime"]


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
    bundle = runtime.render.table_bundle(["<b>"], [("<script>x</script>",)], False, 5)
    assert "<script>" not in bundle["text/html"]
    assert "&lt;script&gt;" in bundle["text/html"]


def test_sql_without_session_is_a_clear_error(runtime, monkeypatch):
    monkeypatch.setitem(runtime.state._state, "spark", None)
    with pytest.raises(runtime.SparkK8sError, match="No Spark session"):
        runtime.sql_cell([("sql", "SELECT 1", [])])
    with pytest.raises(runtime.SparkK8sError, match="No Spark session"):
        runtime.require_session()


def test_a_conf_of_the_wrong_shape_is_refused_before_spark_starts(runtime):
    # Profiles are validated once, in core; the runtime only guards the shape.
    with pytest.raises(runtime.SparkK8sError, match="dict of strings"):
        runtime.start_session({"spark.executor.memory": 1})


def test_contract_constants_come_from_contract_json(runtime):
    expected = json.loads(CONTRACT_JSON.read_text())
    contract = runtime.contract
    assert {k: v for k, v in contract.CONTRACT.items() if k != "defaults"} == expected
    assert contract.MODULE == runtime.__name__ == "spark_k8s_runtime"
    assert contract.SESSION_MIME == runtime.SESSION_MIME == expected["sessionMime"]
    assert contract.WIDGETS_MIME == expected["widgetsMime"]
    assert contract.ERROR_NAME == runtime.SparkK8sError.__name__ == expected["errorName"]
    assert contract.SECRET_ENV_PREFIX == expected["secretEnvPrefix"]
    assert contract.WIDGETS_ENV == expected["widgetsEnv"]
    assert contract.DBFS_ROOT_ENV == expected["dbfsRootEnv"]
    assert contract.DBFS_ROOT_CONF == expected["dbfsRootConf"]
    assert contract.SESSION_LABEL == expected["labels"]["session"]
    assert contract.DRIVER_POD_LABEL == expected["labels"]["driverPod"]
    assert contract.KERNEL_PID_ANNOTATION == expected["annotations"]["kernelPid"]
    assert contract.KERNEL_START_ANNOTATION == expected["annotations"]["kernelStart"]
    defaults = {}
    for schema in sorted((ROOT / "schema").glob("*.json")):
        for key, prop in json.loads(schema.read_text()).get("properties", {}).items():
            if "default" in prop:
                defaults[key] = prop["default"]
    assert contract.DEFAULTS == defaults
    assert runtime.DEFAULT_ROW_LIMIT == defaults["rowLimit"]
    assert runtime.sql_cell.__defaults__ == (defaults["rowLimit"],)
    assert runtime.display.__kwdefaults__ == {"limit": defaults["rowLimit"]}


def test_kubernetes_conf_annotates_executors_with_the_kernel(runtime):
    conf = runtime.session._kubernetes_conf({"spark.master": "k8s://https://x"}, None)
    prefix = "spark.kubernetes.executor.annotation."
    assert conf[prefix + runtime.contract.KERNEL_PID_ANNOTATION] == str(os.getpid())
    assert prefix + runtime.contract.KERNEL_START_ANNOTATION in conf


def test_runtime_depends_only_on_the_standard_library_and_pyspark():
    # grpc: PySpark's own Spark Connect client (pyspark[connect]), imported only for Connect sessions.
    allowed = set(sys.stdlib_module_names) | {"pyspark", "py4j", "IPython", "grpc"}
    for source in sorted(RUNTIME_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level >= 1 or node.module.split(".")[0] in allowed, (source.name, node.module)
                names = [node.module] if node.level == 0 else []
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, (source.name, name)


def test_the_runtime_also_imports_in_tree():
    proc = run_python(
        f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import jupyterlab_spark_k8s.runtime as tree
print(tree.__name__, tree.contract.MODULE, tree.session.runtime_archive())
""",
        runtime=False,
    )
    assert proc.stdout.split() == ["jupyterlab_spark_k8s.runtime", "spark_k8s_runtime", "None"], proc.stderr


def test_fail_raises_the_named_kind(runtime):
    with pytest.raises(runtime.SparkK8sError) as info:
        runtime.fail("RunError", "%run ./missing: no such notebook")
    err = info.value
    assert type(err).__name__ == "RunError"
    assert str(err) == "%run ./missing: no such notebook"
    assert err.__cause__ is None and err.__suppress_context__
    assert err._render_traceback_() == ["RunError: %run ./missing: no such notebook"]
    with pytest.raises(runtime.SparkK8sError) as again:
        runtime.fail("RunError", "again")
    assert type(again.value) is type(err)
    for kind in ("not an identifier", "class", ""):
        with pytest.raises(runtime.SparkK8sError) as other:
            runtime.fail(kind, "why")
        assert type(other.value).__name__ == "SparkK8sError"


def test_missing_java_is_reported_in_plain_words():
    env = dict(os.environ)
    env.pop("JAVA_HOME", None)
    python_dir = os.path.dirname(shutil.which("python3") or "/usr/bin/python3")
    env["PATH"] = python_dir  # a PATH with Python but without java
    proc = run_python(
        """
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
        """
try:
    rt.start_session({"spark.master": "local[1]", "spark.driver.memory": "lots"})
except rt.SparkK8sError as e:
    print("ERR", e)
"""
    )
    out = proc.stdout
    assert "ERR Spark could not start" in out, proc.stderr
    assert "lots" in out or "memory" in out.lower()


def test_missing_pyspark_is_reported():
    # A Python that cannot import pyspark.
    proc = run_python(
        """
sys.modules["pyspark"] = None
try:
    rt.start_session({"spark.master": "local[1]"})
except rt.SparkK8sError as e:
    print("ERR", e)
"""
    )
    assert "ERR PySpark is not installed" in proc.stdout, proc.stderr


def test_stop_session_unbinds_and_is_safe_twice_and_finish_script_stops():
    proc = run_python(
        """
import json
ns = {}
rt.start_session({"spark.master": "local[1]"}, user_ns=ns)
print(json.dumps(rt.stop_session()), "spark" in ns)
print(json.dumps(rt.stop_session()))
rt.start_session({"spark.master": "local[1]"}, user_ns=ns)
rt.finish_script()
print(json.dumps(rt.session_info()))
"""
    )
    lines = proc.stdout.strip().splitlines()
    assert lines[-3] == '{"state": "stopped"} False', proc.stderr
    assert json.loads(lines[-2]) == {"state": "stopped"}
    assert json.loads(lines[-1]) == {"state": "stopped"}


def test_unsupported_warns_in_a_kernel_and_fails_a_job(runtime, capsys, monkeypatch):
    monkeypatch.delenv("SPARK_K8S_JOB", raising=False)
    assert runtime.unsupported("scala") is None  # says so, but does not stop the notebook
    err = capsys.readouterr().err
    assert err.startswith("SparkK8sError: %scala cells are not supported here")
    monkeypatch.setenv(runtime.job.JOB_ENV, "1")
    with pytest.raises(runtime.SparkK8sError) as info:
        runtime.unsupported("r")
    assert str(info.value).startswith("%r cells are not supported here")
    assert f"SparkK8sError: {info.value}" == err.strip().replace("%scala", "%r")
    assert runtime.job.JOB_ENV == "SPARK_K8S_JOB"
