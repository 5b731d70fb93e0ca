"""Spark Connect sessions in a real kernel against a real Spark Connect server.

The server (tests/servers/spark.py) runs from PySpark's own distribution on loopback and
admits only clients with its bearer token. A real IPython kernel (jupyter_client +
ipykernel, as JupyterLab starts it) loads the runtime from its archive and starts the
session with the conf the Spark panel sends for a `connect` profile (the token named by
a file, never given). Each test runs cells the way the lab's translations do (%sql,
%run, widgets, secrets) and reads every iopub message of the execution. At the end the
kernel's messages and log are searched for the token: it is never there.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest
from jupyter_client.manager import start_new_kernel

from .conftest import ARCHIVE, run_python, runtime_prelude

TABLE_MIME = "application/vnd.spark-k8s.table+json"
PROGRESS_MIME = "application/vnd.spark-k8s.progress+json"
SESSION_MIME = "application/vnd.spark-k8s.session+json"
TIMEOUT = 240
SECRET_VALUE = "s3cr3t-value-for-connect-test"


def connect_conf(servers, **extra):
    conf = {
        "spark.remote": servers["SPARK_K8S_TEST_CONNECT_REMOTE"],
        "spark.jupyter.connect.tokenFile": servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"],
        "spark.jupyter.connect.uiUrl": "http://127.0.0.1:4040",
        "spark.sql.shuffle.partitions": "3",
    }
    conf.update(extra)
    return conf


class Kernel:
    """A real kernel; `run` sends a cell as JupyterLab does and returns its iopub messages."""

    def __init__(self, folder):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPARK_K8S_"))}
        env["CONNECT_TEST_SECRET"] = SECRET_VALUE
        self.log_path = folder / "kernel.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.manager, self.client = start_new_kernel(
            kernel_name="python3", env=env, stdout=self._log, stderr=self._log, cwd=str(folder)
        )
        self.seen = []

    def send(self, code, cell_id="cell-1"):
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": False,
        }
        msg = self.client.session.msg("execute_request", content, metadata={"cellId": cell_id})
        self.client.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def collect(self, msg_id, on_message=None):
        received = []
        while True:
            reply = self.client.get_iopub_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            received.append(reply)
            self.seen.append(reply)
            if on_message:
                on_message(reply)
            if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                return received

    def run(self, code, cell_id="cell-1", allow_error=False):
        received = self.collect(self.send(code, cell_id))
        errors = [m["content"] for m in received if m["msg_type"] == "error"]
        if not allow_error:
            assert not errors, errors
        return received

    def text(self, received):
        return "".join(m["content"]["text"] for m in received if m["msg_type"] == "stream")

    def value(self, expression):
        received = self.run(f"import json as _j\nprint(_j.dumps({expression}))", "probe")
        return json.loads(self.text(received).strip().splitlines()[-1])

    def stop(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
        self._log.close()


def _bundles(received, mime):
    return [
        m["content"]["data"][mime]
        for m in received
        if m["msg_type"] in ("display_data", "update_display_data", "execute_result")
        and mime in m["content"]["data"]
    ]


def _error(received):
    errors = [m["content"] for m in received if m["msg_type"] == "error"]
    assert errors, "the cell should have failed"
    return errors[0]


@pytest.fixture(scope="module")
def kernel(spark_servers, tmp_path_factory):
    assert ARCHIVE.exists()
    k = Kernel(tmp_path_factory.mktemp("connect-kernel"))
    conf = connect_conf(spark_servers)
    k.run(
        runtime_prelude("_spark_k8s_runtime")
        + f"_info = _spark_k8s_runtime.start_session({conf!r}, user_ns=globals())\n"
        + "_spark_k8s_runtime.announce(_info)\n"
    )
    yield k
    k.stop()
    token = pathlib.Path(spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]).read_text().strip()
    seen = json.dumps([m["content"] for m in k.seen])
    assert token not in seen, "the Connect token reached a notebook output"
    assert token not in k.log_path.read_text(errors="replace"), "the Connect token reached the kernel's log"


def test_session_info_says_connect_with_server_and_session_id(kernel, spark_servers):
    info = kernel.value("_spark_k8s_runtime.session_info()")
    host_port = spark_servers["SPARK_K8S_TEST_CONNECT_REMOTE"][len("sc://") :]
    assert info["state"] == "ready"
    assert info["kind"] == "connect"
    assert info["server"] == host_port
    assert len(info["sessionId"]) >= 32
    assert info["sparkVersion"].startswith("4.")
    assert info["uiUrl"] == "http://127.0.0.1:4040"
    assert "appId" not in info and "uiPort" not in info
    # Asked again (a reloaded page), the same session answers.
    assert kernel.value("_spark_k8s_runtime.session_info()['sessionId']") == info["sessionId"]
    # The runtime's own keys are not sent to the server.
    assert kernel.value("spark.conf.get('spark.jupyter.connect.tokenFile', 'absent')") == "absent"
    assert kernel.value("spark.conf.get('spark.sql.shuffle.partitions')") == "3"


def test_the_token_is_registered_for_redaction(kernel, spark_servers):
    token_file = spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]
    received = kernel.run(f"print('token:', open({token_file!r}).read().strip())")
    assert kernel.text(received).strip() == "token: [REDACTED]"


def test_sql_cell_displays_a_table_and_binds_sqldf(kernel):
    received = kernel.run(
        "_sqldf = _spark_k8s_runtime.sql_cell([('sql', 'SELECT id, id * 2 AS twice FROM range(4)', [])], limit=3)"
    )
    tables = _bundles(received, TABLE_MIME)
    assert len(tables) == 1
    assert [f["name"] for f in tables[0]["schema"]["fields"]] == ["id", "twice"]
    assert tables[0]["rows"] == [[0, 0], [1, 2], [2, 4]]
    assert tables[0]["more"] is True
    assert kernel.value("[r.twice for r in _sqldf.collect()]") == [0, 2, 4, 6]


def test_display_of_a_connect_dataframe(kernel):
    received = kernel.run("display(spark.createDataFrame([('a', 1.5), ('b', None)], 'k string, v double'))")
    tables = _bundles(received, TABLE_MIME)
    assert tables and tables[0]["rows"] == [["a", 1.5], ["b", None]]


def test_widgets_feed_sql_without_injection(kernel):
    kernel.run("dbutils.widgets.text('who', \"O'Brien\")\ndbutils.widgets.text('n', '2')")
    received = kernel.run(
        "_sqldf = _spark_k8s_runtime.sql_cell([('sql', \"SELECT '${who}' AS who, :n AS n, id FROM range(${n})\", ['n'])])"
    )
    rows = _bundles(received, TABLE_MIME)[0]["rows"]
    assert rows == [["O'Brien", "2", 0], ["O'Brien", "2", 1]]


def test_secret_is_redacted(kernel):
    kernel.run(
        "_spark_k8s_runtime.configure_secrets({'app': {'secret': 'app-secrets', 'env': {'password': 'CONNECT_TEST_SECRET'}}})"
    )
    received = kernel.run(
        "pw = dbutils.secrets.get('app', 'password')\n"
        "print(pw)\n"
        "display(spark.createDataFrame([(pw, len(pw))], 'pw string, n int'))"
    )
    shown = json.dumps([m["content"] for m in received])
    assert SECRET_VALUE not in shown
    assert "[REDACTED]" in kernel.text(received)
    assert _bundles(received, TABLE_MIME)[0]["rows"][0][1] == len(SECRET_VALUE)


def test_percent_run_shares_the_namespace(kernel):
    callee = ["helper_df = spark.range(5).withColumnRenamed('id', 'x')", "helper_total = helper_df.count()"]
    kernel.run(
        f"_spark_k8s_runtime.register_run('./helpers', {callee!r})\n"
        "_spark_k8s_runtime.run_inline('./helpers', {}, globals())"
    )
    assert kernel.value("helper_total") == 5
    assert kernel.value("helper_df.agg({'x': 'sum'}).collect()[0][0]") == 10


def test_notebook_run_on_connect_with_and_without_a_timeout(kernel):
    child = [
        "n = int(getArgument('n'))",
        "assert type(sc).__name__ == 'NoSparkContext'",
        "dbutils.notebook.exit(str(spark.range(n).count()))",
    ]
    kernel.run(f"_spark_k8s_runtime.register_notebook('./child', {child!r})")
    assert kernel.value("dbutils.notebook.run('./child', 0, {'n': 6})") == "6"
    assert kernel.value("dbutils.notebook.run('./child', 120, {'n': 9})") == "9"


def test_progress_output_for_a_cell_running_tasks(kernel):
    code = (
        "from pyspark.sql.functions import udf\n"
        "slow = udf(lambda x: __import__('time').sleep(1.5) or x, 'long')\n"
        "spark.range(0, 4, 1, 4).select(slow('id').alias('v')).collect()"
    )
    received = kernel.run(code, cell_id="progress-cell")
    views = _bundles(received, PROGRESS_MIME)
    assert views, "no progress output"
    assert any(v["state"] == "running" for v in views)
    final = views[-1]
    assert final["state"] == "done"
    assert final["description"].startswith("cell [")
    assert final["totals"]["tasks"] >= 4
    assert final["totals"]["done"] >= 4
    assert final["uiPort"] is None
    # One output, updated in place.
    ids = {
        m["content"]["transient"]["display_id"]
        for m in received
        if PROGRESS_MIME in m["content"].get("data", {})
    }
    assert len(ids) == 1


def test_sc_and_rdds_say_connect_has_none(kernel):
    error = _error(kernel.run("sc.parallelize([1, 2]).collect()", allow_error=True))
    assert "Spark Connect has no SparkContext/RDDs" in error["evalue"]
    assert "DataFrames" in error["evalue"]
    for code in ("spark.sparkContext.parallelize([1])", "spark.range(3).rdd.count()"):
        error = _error(kernel.run(code, allow_error=True))
        assert error["ename"] == "SparkK8sError"
        assert "Spark Connect has no SparkContext/RDDs: use DataFrames" in error["evalue"]


def test_dbutils_fs_ls_and_head_through_spark(kernel, tmp_path):
    folder = tmp_path / "files"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("hello connect\n")
    (folder / "sub" / "b.csv").write_text("x\n1\n")
    entries = kernel.value(f"[(f.name, f.size) for f in dbutils.fs.ls({str(folder)!r})]")
    assert entries == [["a.txt", 14], ["sub/", 0]]
    assert kernel.value(f"dbutils.fs.head({str(folder / 'a.txt')!r})") == "hello connect\n"
    error = _error(kernel.run(f"dbutils.fs.rm({str(folder / 'a.txt')!r})", allow_error=True))
    assert "not available on a Spark Connect session" in error["evalue"]
    assert (folder / "a.txt").exists()


def test_interrupt_cancels_only_the_cells_operation_and_the_session_stays(kernel):
    code = (
        "from pyspark.sql.functions import udf\n"
        "slow = udf(lambda x: __import__('time').sleep(4) or x, 'long')\n"
        "spark.range(0, 6, 1, 6).select(slow('id').alias('v')).collect()"
    )
    interrupted = {}

    def on_message(msg):
        data = msg["content"].get("data", {}) if isinstance(msg["content"], dict) else {}
        if PROGRESS_MIME in data and data[PROGRESS_MIME]["state"] == "running" and not interrupted:
            interrupted["at"] = time.monotonic()
            kernel.manager.interrupt_kernel()

    received = kernel.collect(kernel.send(code, "cancel-cell"), on_message)
    assert interrupted, "no running progress was shown"
    views = _bundles(received, PROGRESS_MIME)
    assert views[-1]["state"] == "cancelled"
    error = _error(received)
    assert "KeyboardInterrupt" not in error["ename"]
    # Cancelled: not every task ran.
    assert views[-1]["totals"]["done"] < 6
    assert kernel.value("spark.range(7).count()") == 7


def test_stop_and_start_again(kernel, spark_servers):
    first = kernel.value("_spark_k8s_runtime.session_info()['sessionId']")
    assert kernel.value("_spark_k8s_runtime.stop_session()") == {"state": "stopped"}
    assert kernel.value("_spark_k8s_runtime.session_info()") == {"state": "stopped"}
    assert kernel.value("'spark' in globals() or 'sc' in globals()") is False
    assert kernel.value("__import__('os').environ.get('SPARK_CONNECT_MODE_ENABLED')") is None
    conf = connect_conf(spark_servers)
    info = kernel.value(f"_spark_k8s_runtime.start_session({conf!r}, user_ns=globals())")
    assert info["state"] == "ready" and info["sessionId"] != first
    assert kernel.value("spark.range(4).count()") == 4


def _start_in_fresh_process(conf):
    result = run_python(
        f"""
        try:
            rt.start_session({conf!r})
            print("STARTED")
        except rt.SparkK8sError as exc:
            print("ERROR:", exc)
        """,
        timeout=TIMEOUT,
    )
    return result.stdout + result.stderr


def test_wrong_token_is_a_clear_error(spark_servers, tmp_path):
    wrong = tmp_path / "wrong-token"
    wrong.write_text("not-the-token\n")
    out = _start_in_fresh_process(
        connect_conf(spark_servers, **{"spark.jupyter.connect.tokenFile": str(wrong)})
    )
    assert "ERROR: The Spark Connect server at" in out
    assert "refused the token (UNAUTHENTICATED)" in out
    assert "not-the-token" not in out


def test_missing_token_file_is_a_clear_error(spark_servers, tmp_path):
    out = _start_in_fresh_process(
        connect_conf(spark_servers, **{"spark.jupyter.connect.tokenFile": str(tmp_path / "nope")})
    )
    assert "ERROR: The Spark Connect token file" in out and "cannot be read" in out


def test_unreachable_server_is_a_clear_error(spark_servers):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = _start_in_fresh_process(connect_conf(spark_servers, **{"spark.remote": f"sc://127.0.0.1:{port}"}))
    assert f"ERROR: The Spark Connect server at 127.0.0.1:{port} cannot be reached" in out


def test_token_in_the_address_is_refused_without_echo(spark_servers):
    remote = spark_servers["SPARK_K8S_TEST_CONNECT_REMOTE"] + "/;token=abc123secret"
    out = _start_in_fresh_process(connect_conf(spark_servers, **{"spark.remote": remote}))
    assert "ERROR: spark.remote must be only sc://host:port" in out
    assert "abc123secret" not in out


def test_token_without_tls_to_a_remote_host_is_refused(spark_servers):
    out = _start_in_fresh_process(
        connect_conf(spark_servers, **{"spark.remote": "sc://spark-connect.example:15002"})
    )
    assert "without TLS" in out and "turn TLS on" in out


def test_servers_env_prints_no_token(spark_servers):
    token = pathlib.Path(spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]).read_text().strip()
    directory = pathlib.Path(spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]).parent
    script = pathlib.Path(__file__).resolve().parents[2] / "tests" / "servers" / "spark.py"
    out = subprocess.run(
        [sys.executable, str(script), "env", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "SPARK_K8S_TEST_CONNECT_REMOTE=sc://127.0.0.1:" in out.stdout
    assert token not in out.stdout + out.stderr
    for log in ("connect.log", "master.log", "worker.log"):
        assert token not in (directory / log).read_text(errors="replace")


def test_tls_to_a_plaintext_server_is_a_clear_error(spark_servers):
    out = _start_in_fresh_process(connect_conf(spark_servers, **{"spark.jupyter.connect.tls": "true"}))
    host_port = spark_servers["SPARK_K8S_TEST_CONNECT_REMOTE"][len("sc://") :]
    assert f"ERROR: The Spark Connect server at {host_port} did not answer" in out
    assert "turn TLS off in the profile" in out
