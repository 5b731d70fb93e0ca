"""Per-cell Spark progress and cancel, in a real kernel on real local Spark.

A real IPython kernel (jupyter_client + ipykernel, as JupyterLab starts it) loads the
runtime from its archive and starts local Spark. Each test sends execute requests the
way JupyterLab 4 does (the cell id in the request's metadata), reads every iopub message
of the execution, and asks the driver's own REST API (``/api/v1/.../jobs``) what Spark
recorded about each job: its description, group and tags. Interrupts are SIGINT to the
kernel's process group, exactly what the notebook's stop button asks the server to send.
A notebook run by nbclient (which applies ``update_display_data`` as a frontend does) and
saved shows that a 100-job cell keeps one small progress output.
"""

import ast
import json
import os
import time
import urllib.request

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from .conftest import ARCHIVE, runtime_prelude

PROGRESS_MIME = "application/vnd.spark-k8s.progress+json"
TIMEOUT = 240
SLOW = "sc.parallelize(range({n}), {n}).map(lambda x: __import__('time').sleep({s}) or x).collect()"


def _start_code():
    conf = {
        "spark.master": "local[4]",
        "spark.app.name": "progress-tests",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
    }
    return (
        runtime_prelude("_spark_k8s_runtime")
        + f"_spark_k8s_runtime.start_session({conf!r}, user_ns=globals())\n"
    )


class Kernel:
    """A real kernel with local Spark; `execute` sends a cell as JupyterLab does."""

    def __init__(self, folder):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPARK_K8S_"))}
        self._log = open(folder / "kernel.log", "wb")  # noqa: SIM115 - closed in stop()
        self.manager, self.client = start_new_kernel(
            kernel_name="python3", env=env, stdout=self._log, stderr=self._log, cwd=str(folder)
        )
        self.run(_start_code())
        self.ui = self.value("sc.uiWebUrl + '/api/v1/applications/' + sc.applicationId")

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
        """(arrival time, message) of one execution until the kernel is idle again."""
        received = []
        while True:
            msg = self.client.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            received.append((time.monotonic(), msg))
            if on_message:
                on_message(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return received

    def run(self, code, cell_id="cell-1"):
        received = self.collect(self.send(code, cell_id))
        errors = [m["content"] for _, m in received if m["msg_type"] == "error"]
        assert not errors, errors
        return received

    def value(self, expression):
        """A Python expression's value, through JSON."""
        received = self.run(f"import json as _j\nprint(_j.dumps({expression}))", "probe")
        text = "".join(m["content"]["text"] for _, m in received if m["msg_type"] == "stream")
        return json.loads(text.strip().splitlines()[-1])

    def silent_value(self, expression):
        """A Python expression's value from a silent request (outside any cell, like the panel's)."""
        msg_id = self.client.execute(
            "", silent=True, user_expressions={"v": f"__import__('json').dumps({expression})"}
        )
        reply = self.client.get_shell_msg(timeout=TIMEOUT)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.client.get_shell_msg(timeout=TIMEOUT)
        return json.loads(ast.literal_eval(reply["content"]["user_expressions"]["v"]["data"]["text/plain"]))

    def stop(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
        self._log.close()


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    assert ARCHIVE.exists()
    k = Kernel(tmp_path_factory.mktemp("progress-kernel"))
    yield k
    k.stop()


def jobs_seen_by_spark(kernel):
    """Every job as the driver's REST API records it (newest first)."""
    with urllib.request.urlopen(kernel.ui + "/jobs", timeout=30) as response:
        return json.loads(response.read())


def progress_messages(received):
    return [
        (t, m)
        for t, m in received
        if m["msg_type"] in ("display_data", "update_display_data") and PROGRESS_MIME in m["content"]["data"]
    ]


def final_progress(received):
    """The last progress this execution showed."""
    shown = progress_messages(received)
    assert shown, "the cell showed no Spark progress"
    return shown[-1][1]["content"]["data"][PROGRESS_MIME]


def test_jobs_are_named_after_the_cell_in_the_spark_ui(kernel):
    received = kernel.run(
        "df = spark.range(1000).selectExpr('id % 3 as k')\ndf.groupBy('k').count().collect()"
    )
    count = next(m["content"]["execution_count"] for _, m in received if m["msg_type"] == "execute_input")
    final = final_progress(received)
    ids = [j["id"] for j in final["jobs"]]
    assert ids and final["state"] == "done"
    recorded = {j["jobId"]: j for j in jobs_seen_by_spark(kernel)}
    for job_id in ids:
        job = recorded[job_id]
        assert job["description"] == f"cell [{count}]: df = spark.range(1000).selectExpr('id % 3 as k')"
        assert job["jobGroup"].startswith("spark-k8s-cell-")
        assert job["jobGroup"] in job["jobTags"]
        # JupyterLab's cell id (execute_request metadata.cellId) names the cell.
        assert "spark-k8s-cellid-cell-1" in job["jobTags"]
    # Outside the cell the kernel's thread carries no cell tags any more.
    assert kernel.silent_value("[sorted(sc.getJobTags()), sc.getLocalProperty('spark.jobGroup.id')]") == [
        [],
        None,
    ]


def test_a_sql_cell_is_described_by_its_statement(kernel):
    code = '_sqldf = _spark_k8s_runtime.sql_cell([("sql", "-- totals\\nSELECT k, count(*) FROM range(10) AS t(k) GROUP BY k", [])], limit=10)'
    received = kernel.run(code)
    count = next(m["content"]["execution_count"] for _, m in received if m["msg_type"] == "execute_input")
    final = final_progress(received)
    recorded = {j["jobId"]: j for j in jobs_seen_by_spark(kernel)}
    descriptions = {recorded[j["id"]]["description"] for j in final["jobs"]}
    assert descriptions == {f"cell [{count}]: SELECT k, count(*) FROM range(10) AS t(k) GROUP BY k"}


def test_jobs_of_threads_the_cell_starts_carry_its_tags(kernel):
    code = (
        "import threading\n"
        "out = {}\n"
        "def work():\n"
        "    out['n'] = spark.range(50).count()\n"
        "    inner = threading.Thread(target=lambda: out.setdefault('m', sc.parallelize(range(9)).sum()))\n"
        "    inner.start(); inner.join()\n"
        "t = threading.Thread(target=work); t.start(); t.join()\n"
        "print(out)"
    )
    received = kernel.run(code, "cell-threads")
    count = next(m["content"]["execution_count"] for _, m in received if m["msg_type"] == "execute_input")
    final = final_progress(received)
    assert final["totals"]["jobs"] >= 2
    recorded = {j["jobId"]: j for j in jobs_seen_by_spark(kernel)}
    for job in final["jobs"]:
        assert recorded[job["id"]]["description"] == f"cell [{count}]: import threading"
    # The job of the thread's own thread is among them.
    assert any(recorded[j["id"]]["name"].startswith("sum at") for j in final["jobs"])


def test_jobs_of_a_run_callee_carry_the_calling_cell(kernel):
    kernel.run(
        "_spark_k8s_runtime.register_run('/nb/child', ['child_total = spark.range(77).count()'])", "register"
    )
    received = kernel.run("_spark_k8s_runtime.run_inline('/nb/child', {}, globals())", "cell-run")
    count = next(m["content"]["execution_count"] for _, m in received if m["msg_type"] == "execute_input")
    final = final_progress(received)
    recorded = {j["jobId"]: j for j in jobs_seen_by_spark(kernel)}
    assert final["jobs"]
    for job in final["jobs"]:
        assert recorded[job["id"]]["description"] == f"cell [{count}]: %run /nb/child"
    assert kernel.value("child_total") == 77


def test_progress_updates_one_output_in_place_every_second_while_jobs_run(kernel):
    received = kernel.run(SLOW.format(n=2, s=3) + "\nsc.parallelize(range(10), 1).count()")
    shown = progress_messages(received)
    kinds = [m["msg_type"] for _, m in shown]
    assert kinds[0] == "display_data" and set(kinds[1:]) == {"update_display_data"}
    ids = {m["content"]["transient"]["display_id"] for _, m in shown}
    assert len(ids) == 1
    running = [(t, m) for t, m in shown if m["content"]["data"][PROGRESS_MIME]["state"] == "running"]
    gaps = [b[0] - a[0] for a, b in zip(running, running[1:], strict=False)]
    assert running and max(gaps) <= 1.3, gaps
    first = running[0][1]["content"]["data"][PROGRESS_MIME]
    stage = first["active"][0]["stages"][0]
    assert stage["total"] == 2 and "done" in stage
    final = shown[-1][1]["content"]["data"][PROGRESS_MIME]
    assert final["state"] == "done" and final["totals"]["jobs"] == 2
    assert shown[-1][1]["content"]["data"]["text/plain"].startswith("2 jobs · ")
    # Not one message per task: 2 tasks of 3 s, a few updates a second at most.
    assert len(shown) <= 4 * (shown[-1][0] - shown[0][0]) + 3


def test_no_progress_without_jobs_and_no_messages_when_idle(kernel):
    received = kernel.run("import time\ntime.sleep(1.5)")
    assert progress_messages(received) == []
    # Idle kernel: nothing at all on iopub.
    time.sleep(0.5)
    while True:
        try:
            kernel.client.get_iopub_msg(timeout=0.1)
        except Exception:  # noqa: BLE001 - queue.Empty: drained
            break
    quiet = []
    deadline = time.monotonic() + 2.5
    while time.monotonic() < deadline:
        try:
            quiet.append(kernel.client.get_iopub_msg(timeout=0.2))
        except Exception:  # noqa: BLE001 - queue.Empty
            pass
    assert quiet == []


def test_interrupt_cancels_only_this_cells_jobs_and_the_next_cell_runs(kernel):
    # A thread of an earlier cell runs a long job: it must survive the interrupt.
    kernel.run(
        "import threading\nbg = {}\n"
        "def bg_work():\n    bg['r'] = " + SLOW.format(n=1, s=12) + "\n"
        "bg_thread = threading.Thread(target=bg_work)\nbg_thread.start()",
        "cell-bg",
    )
    time.sleep(1)
    state = {}

    def interrupt_when_shown(msg):
        if (
            "sent" not in state
            and msg["msg_type"] == "display_data"
            and PROGRESS_MIME in msg["content"]["data"]
        ):
            time.sleep(1)
            state["sent"] = time.monotonic()
            # Twice, 70 ms apart, as JupyterLab's Cancel was seen to arrive.
            kernel.manager.interrupt_kernel()
            time.sleep(0.07)
            kernel.manager.interrupt_kernel()

    received = kernel.collect(kernel.send(SLOW.format(n=2, s=120), "cell-long"), interrupt_when_shown)
    idle_after = received[-1][0] - state["sent"]
    assert idle_after < 15, idle_after
    # The cell's Spark call ends with Spark's own cancel error (not an interrupt inside the JVM call).
    errors = [m["content"] for _, m in received if m["msg_type"] == "error"]
    assert len(errors) == 1 and "cancelled" in errors[0]["evalue"], errors
    final = progress_messages(received)[-1][1]["content"]["data"]
    assert final[PROGRESS_MIME]["state"] == "cancelled"
    assert final["text/plain"].startswith("Spark: cancelled")
    recorded = {j["jobId"]: j for j in jobs_seen_by_spark(kernel)}
    long_job = recorded[final[PROGRESS_MIME]["jobs"][0]["id"]]
    assert long_job["status"] == "FAILED"
    # The session is usable and answers correctly; the other cell's job was not cancelled: it succeeds.
    assert kernel.value("[spark.range(5).count(), spark.range(100).groupBy().sum().collect()[0][0]]") == [
        5,
        4950,
    ]
    assert kernel.value("(bg_thread.join(), bg)[1]") == {"r": [0]}


def test_a_saved_notebook_keeps_one_small_progress_output_for_a_100_job_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(_start_code() + "None"),
        nbformat.v4.new_code_cell("for i in range(100):\n    sc.parallelize(range(4), 2).count()"),
    ]
    NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)
    outputs = nbformat.read(path, as_version=4).cells[1].outputs
    assert len(outputs) == 1
    data = outputs[0]["data"][PROGRESS_MIME]
    assert data["state"] == "done" and data["totals"]["jobs"] == 100 and len(data["jobs"]) == 100
    assert outputs[0]["data"]["text/plain"].startswith("100 jobs · 100 stages · ")
    assert len(json.dumps(outputs[0])) < 6000
