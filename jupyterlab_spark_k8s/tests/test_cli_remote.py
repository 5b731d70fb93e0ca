"""`spark-k8s script --master spark://…` and `--remote sc://…` end to end.

A notebook is turned into a script by the real CLI, and the script runs with python3
against the real standalone master + worker and the real Spark Connect server of
tests/servers/spark.py (PySpark's own distribution on loopback, the Connect server
admitting only its bearer token). The token is read by the script when it runs, from a
file or an environment variable: it is never in the script, nor in what the run prints.
"""

import json
import os
import subprocess
import sys

from .test_cli import cli
from .test_cli import notebook as code_notebook

TIMEOUT = 400


def notebook(path, sources):
    """A notebook of code cells, one per source (test_cli's writer)."""
    return code_notebook(path, [("code", src) for src in sources])


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPARK_CONNECT_TOKEN"))}
    env.update(extra)
    return env


def run_script(script, cwd, env):
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd, env=env
    )


# Cells a Connect session and a classic one both run: %sql with _sqldf, display, a widget in SQL.
COMMON_CELLS = [
    "%sql\nCREATE OR REPLACE TEMP VIEW v AS SELECT id FROM range(6);\nSELECT count(*) AS n FROM v",
    "print('count was', _sqldf.collect()[0].n)",
    "dbutils.widgets.text('who', \"it's me'; DROP TABLE x; --\")",
    "%sql SELECT :who AS who",
    "print('who was', _sqldf.collect()[0].who)",
    "display(spark.range(3).selectExpr('id * 10 AS tens'))",
]


def assert_common(stdout):
    assert "count was 6" in stdout, stdout[-3000:]
    assert "who was it's me'; DROP TABLE x; --" in stdout, stdout[-3000:]
    assert "| tens |" in stdout and "| 20   |" in stdout, stdout[-3000:]


def test_script_runs_on_the_standalone_master_with_tasks_on_the_worker(spark_servers, tmp_path):
    master = spark_servers["SPARK_K8S_TEST_STANDALONE_MASTER"]
    master_ui = spark_servers["SPARK_K8S_TEST_STANDALONE_UI"]
    nb = notebook(
        tmp_path / "on standalone.ipynb",
        [
            *COMMON_CELLS,
            "import json, os, urllib.request\n"
            "sc = spark.sparkContext\n"
            "print('total', sum(sc.parallelize(range(8), 2).map(lambda x: x * 2).collect()))\n"
            "def get(url):\n"
            "    with urllib.request.urlopen(url, timeout=30) as r:\n"
            "        return json.loads(r.read())\n"
            "executors = get(sc.uiWebUrl + '/api/v1/applications/' + sc.applicationId + '/executors')\n"
            "apps = get(os.environ['MASTER_UI'] + '/json/')['activeapps']\n"
            "print('RESULT ' + json.dumps({'master': sc.master, 'app': sc.applicationId,"
            " 'executors': executors, 'apps': [a['id'] for a in apps]}))",
        ],
    )
    out = tmp_path / "on_standalone.py"
    proc = cli(
        "script",
        str(nb),
        "-o",
        str(out),
        "--master",
        master,
        # Small enough for the test worker; the rest is the panel's standalone conf.
        "--conf",
        "spark.driver.memory=512m",
        "--conf",
        "spark.executor.memory=512m",
        "--conf",
        "spark.cores.max=1",
        "--conf",
        "spark.ui.showConsoleProgress=false",
    )
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "'spark.master': " + repr(master) in text or json.dumps(master) in text
    run = run_script(out, tmp_path, clean_env(MASTER_UI=master_ui))
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert_common(run.stdout)
    assert "total 56" in run.stdout
    line = next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    assert result["master"] == master
    assert result["app"].startswith("app-") and result["app"] in result["apps"]
    workers = [e for e in result["executors"] if e["id"] != "driver"]
    assert workers and sum(e["totalTasks"] for e in workers) >= 2, result["executors"]


def test_script_runs_against_spark_connect_with_the_token_from_a_file_or_the_environment(
    spark_servers, tmp_path
):
    remote = spark_servers["SPARK_K8S_TEST_CONNECT_REMOTE"]
    token_file = spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]
    token = open(token_file).read().strip()
    nb = notebook(
        tmp_path / "on connect.ipynb",
        [
            *COMMON_CELLS,
            "print('session is', type(spark).__module__)",
            "try:\n    sc.parallelize([1, 2]).collect()\nexcept Exception as exc:\n    print('no sc:', exc)",
        ],
    )
    by_file = tmp_path / "by_file.py"
    proc = cli("script", str(nb), "-o", str(by_file), "--remote", remote, "--token-file", token_file)
    assert proc.returncode == 0, proc.stderr
    by_env = tmp_path / "by_env.py"
    proc = cli("script", str(nb), "-o", str(by_env), "--remote", remote)
    assert proc.returncode == 0, proc.stderr
    for script in (by_file, by_env):
        assert token not in script.read_text()

    for script, env in (
        (by_file, clean_env()),
        (by_env, clean_env(SPARK_CONNECT_TOKEN=token)),
    ):
        run = run_script(script, tmp_path, env)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
        assert_common(run.stdout)
        assert "session is pyspark.sql.connect.session" in run.stdout
        assert "no sc: Spark Connect has no SparkContext/RDDs" in run.stdout, run.stdout[-3000:]
        assert token not in run.stdout and token not in run.stderr


def test_script_against_spark_connect_says_what_is_wrong(spark_servers, tmp_path):
    remote = spark_servers["SPARK_K8S_TEST_CONNECT_REMOTE"]
    nb = notebook(tmp_path / "n.ipynb", ["print('ran')"])
    # No token in the environment: the script says which variable to set.
    script = tmp_path / "n.py"
    assert cli("script", str(nb), "-o", str(script), "--remote", remote).returncode == 0
    run = run_script(script, tmp_path, clean_env())
    assert run.returncode != 0 and "ran" not in run.stdout
    assert "'SPARK_CONNECT_TOKEN' that should hold the Spark Connect token is not set" in run.stderr
    # A wrong token: the server's refusal, in plain words, without the token.
    run = run_script(script, tmp_path, clean_env(SPARK_CONNECT_TOKEN="not-the-token"))
    assert run.returncode != 0 and "ran" not in run.stdout
    assert "refused the token (UNAUTHENTICATED)" in run.stderr, run.stderr[-3000:]
    assert "not-the-token" not in run.stdout + run.stderr
    # A token in the URL never makes it into a script.
    leaked = cli("script", str(nb), "-o", str(tmp_path / "x.py"), "--remote", remote + "/;token=abc123")
    assert leaked.returncode == 2
    assert "--remote: remote" in leaked.stderr and "put no token or option in the URL" in leaked.stderr
    assert not (tmp_path / "x.py").exists()
