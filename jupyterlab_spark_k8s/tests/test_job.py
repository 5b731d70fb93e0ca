"""A published notebook's job: the script core generates, run by PySpark's own spark-submit.

The script comes from ``notebookJobScript`` (src/core/script/job.ts), bundled with esbuild
into a one-off Node program, exactly as publishing builds it; spark-submit runs it on local
Spark with the runtime archive in ``--py-files``, as the operator does in the driver pod.
"""

import base64
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from .conftest import ROOT, runtime_archive

SECRET = "s3cr3t-Value-42"
SECRET_ENV = "SPARK_K8S_SECRET_TEAM_TOKEN"
SCOPES = {"team": {"secret": "team-secret", "env": {"token": SECRET_ENV}}}
# A JVM log line (log4j's default pattern), as opposed to what the job itself writes.
JVM_LOG = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (INFO|WARN|ERROR|DEBUG) ")
HOSTILE_TITLE = 'Load "data"\'); import os; os.system("echo PWNED") #\n\\x'

ENTRY = """
import {{ readFileSync }} from 'node:fs';
import {{ notebookJobScript }} from {job};
import {{ parseNotebook }} from {notebook};

const input = JSON.parse(readFileSync(0, 'utf8'));
const files: Record<string, string> = input.files ?? {{}};
notebookJobScript(parseNotebook(input.notebook), {{
  path: input.path,
  load: async (p: string) => files[p] ?? null,
  secretScopes: input.secretScopes ?? {{}},
  rowLimit: input.rowLimit
}}).then(
  script => process.stdout.write(script),
  error => {{
    process.stderr.write(String(error.message));
    process.exit(2);
  }}
);
"""


def _node():
    from jupyterlab_spark_k8s.cli import node_executable

    return node_executable()


@pytest.fixture(scope="module")
def job_script_generator(tmp_path_factory):
    """A function (notebook, path, files) -> job script, from the TypeScript sources."""
    folder = tmp_path_factory.mktemp("jobgen")
    entry = folder / "entry.ts"
    entry.write_text(
        ENTRY.format(
            job=json.dumps(str(ROOT / "src" / "core" / "script" / "job")),
            notebook=json.dumps(str(ROOT / "src" / "core" / "script" / "notebook")),
        )
    )
    bundle = folder / "jobgen.js"
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    assert esbuild.exists(), "esbuild is missing: run npm install (scripts/setup.sh)"
    subprocess.run(
        [
            str(esbuild),
            str(entry),
            "--bundle",
            "--platform=node",
            "--format=cjs",
            "--log-level=warning",
            f"--outfile={bundle}",
        ],
        check=True,
        cwd=ROOT,
        timeout=120,
    )

    def generate(cells, path="team/etl/daily.ipynb", files=None, scopes=SCOPES):
        notebook = {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "cell_type": kind,
                    "metadata": {"spark_k8s": {"title": title, "language": "python"}} if title else {},
                    "source": source,
                }
                for kind, title, source in cells
            ],
        }
        payload = {"notebook": notebook, "path": path, "files": files or {}, "secretScopes": scopes}
        proc = subprocess.run(
            [_node(), str(bundle)], input=json.dumps(payload), capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    return generate


def spark_submit(script_path, args=(), env=None, run_output=None, event_log=None):
    """spark-submit the job script on local Spark, the runtime archive in --py-files."""
    submit = shutil.which(
        "spark-submit", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    )
    assert submit, "spark-submit (PySpark) is not installed in this environment"
    conf = ["spark.ui.enabled=false", "spark.sql.shuffle.partitions=1", "spark.app.name=published-job"]
    if event_log:
        conf += ["spark.eventLog.enabled=true", f"spark.eventLog.dir=file:{event_log}"]
    command = [submit, "--master", "local[1]", "--py-files", runtime_archive()]
    for item in conf:
        command += ["--conf", item]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SPARK_K8S_")}
    environ.update(PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    if run_output:
        environ["SPARK_K8S_RUN_OUTPUT"] = str(run_output)
    environ.update(env or {})
    return subprocess.run(
        [*command, str(script_path), *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        cwd=script_path.parent,
    )


def job_lines(output):
    """What the job wrote (spark-submit merges the driver's stdout and stderr), JVM log lines left out."""
    return [line for line in output.splitlines() if line.strip() and not JVM_LOG.match(line)]


def assert_secret_nowhere(*texts):
    encoded = base64.b64encode(SECRET.encode()).decode()
    for text in texts:
        assert SECRET not in text
        assert encoded not in text
        assert encoded.rstrip("=") not in text


HELPER = json.dumps(
    {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": 'helper_greeting = "hello " + dbutils.widgets.get("who")',
            }
        ],
    }
)

SUCCEEDING = [
    ("markdown", None, "# Daily ETL\nLoads *one* day."),
    (
        "code",
        "Parameters",
        'dbutils.widgets.text("who", "nobody")\ndbutils.widgets.text("day", "mon")\nprint("who=" + dbutils.widgets.get("who"), "day=" + dbutils.widgets.get("day"))',
    ),
    ("code", None, "%run ./lib/helpers"),
    ("code", "Count", "%sql SELECT count(*) AS n FROM range(7)"),
    (
        "code",
        HOSTILE_TITLE,
        'token = dbutils.secrets.get("team", "token")\nprint("token is", token)\ndisplayHTML("<b>" + token + "</b>")',
    ),
    (
        "code",
        "Context",
        "import json\n"
        "ctx = dbutils.notebook.entry_point.getDbutils().notebook().getContext()\n"
        'print("path=" + ctx.notebookPath().get())\n'
        'tags = json.loads(ctx.toJson())["tags"]\n'
        'print("job=" + tags["jobId"], "run=" + tags["runId"])\n'
        'dbutils.jobs.taskValues.set("rows", 7)\n'
        'print("rows=" + str(dbutils.jobs.taskValues.get("etl", "rows")))\n'
        'print("missing=" + dbutils.jobs.taskValues.get("etl", "nope", default="dflt"))\n'
        "print(helper_greeting)",
    ),
    ("code", "Exit", 'dbutils.notebook.exit("done-" + dbutils.widgets.get("who"))'),
    ("code", "Never", 'print("this cell must not run")'),
]


def test_a_job_that_exits_succeeds_with_its_result_parameters_context_and_redacted_secret(
    job_script_generator, tmp_path
):
    script = job_script_generator(SUCCEEDING, files={"team/etl/lib/helpers.ipynb": HELPER})
    assert "PWNED" not in "".join(line for line in script.splitlines() if not line.lstrip().startswith("{"))
    script_path = tmp_path / "job.py"
    script_path.write_text(script)
    run_output = tmp_path / "runs"
    event_log = run_output / "event-logs"  # missing: the job creates it before Spark starts
    proc = spark_submit(
        script_path,
        args=["--who", "ann"],
        env={
            "SPARK_K8S_WIDGETS": json.dumps({"day": "tue", "who": "env-loses"}),
            SECRET_ENV: SECRET,
            "SPARK_K8S_JOB_ID": "etl-daily",
            "SPARK_K8S_TERMINATION_LOG": str(tmp_path / "termination"),
        },
        run_output=run_output,
        event_log=event_log,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    lines = job_lines(proc.stdout)
    assert "=== Cell 2 (Parameters) ===" in lines
    assert "who=ann day=tue" in lines
    assert "=== Cell 4 (Count) ===" in lines
    assert "| 7 |" in out
    # The hostile title is one header line: text, never code.
    assert '=== Cell 5 (Load "data"\'); import os; os.system("echo PWNED") # \\x) ===' in lines
    assert "PWNED" not in out.replace('os.system("echo PWNED")', "")
    assert "token is [REDACTED]" in lines
    assert "path=team/etl/daily.ipynb" in lines
    run_line = next(line for line in lines if line.startswith("job="))
    job_id, run_id = (part.split("=", 1)[1] for part in run_line.split())
    assert job_id == "etl-daily"
    assert run_id.startswith("local-")  # no SPARK_K8S_RUN_ID: the Spark application id
    assert "rows=7" in lines and "missing=dflt" in lines
    assert "hello ann" in lines
    assert "Notebook exited: done-ann" in lines
    assert "this cell must not run" not in out
    assert not (tmp_path / "termination").exists()  # nothing to report on success
    assert_secret_nowhere(proc.stdout, proc.stderr)

    executed = run_output / "etl-daily" / run_id / "notebook.ipynb"
    text = executed.read_text()
    assert_secret_nowhere(text)
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    run = nb.metadata["spark_k8s"]["run"]
    assert run["status"] == "succeeded" and run["result"] == "done-ann" and run["error"] is None
    assert run["parameters"] == {"day": "tue", "who": "ann"}
    assert (run["jobId"], run["runId"]) == ("etl-daily", run_id)
    # Spark's own id, by which the History Server finds the run's event log.
    assert run["applicationId"].startswith("local-")
    assert run["notebookPath"] == "team/etl/daily.ipynb"
    assert run["taskValues"] == {"rows": 7}
    assert run["started"] <= run["finished"]
    cells = nb.cells
    assert [c.cell_type for c in cells] == ["markdown"] + ["code"] * 7
    assert cells[0].source == "# Daily ETL\nLoads *one* day."
    assert cells[1].source == SUCCEEDING[1][2] and cells[1].metadata["spark_k8s"]["title"] == "Parameters"
    assert [c.execution_count for c in cells[1:]] == [1, 2, 3, 4, 5, 6, None]
    assert cells[1].outputs == [{"output_type": "stream", "name": "stdout", "text": "who=ann day=tue\n"}]
    table = cells[3].outputs[0]
    assert table["output_type"] == "display_data"
    assert "| 7 |" in table["data"]["text/plain"] and "<table" in table["data"]["text/html"]
    secret_cell = cells[4]
    assert secret_cell.metadata["spark_k8s"]["title"] == HOSTILE_TITLE
    assert secret_cell.outputs[0]["text"] == "token is [REDACTED]\n"
    assert secret_cell.outputs[1]["data"] == {"text/html": "<b>[REDACTED]</b>", "text/plain": "<HTML>"}
    assert cells[7].outputs == []
    # The event log of the run, for the Spark UI after the pods are gone.
    logs = list(event_log.iterdir())
    assert any(p.name.startswith("eventlog_v2_" + run_id) or p.name.startswith(run_id) for p in logs), logs


FAILING = [
    ("code", None, 'dbutils.widgets.text("limit", "1")\nprint("limit", dbutils.widgets.get("limit"))'),
    ("markdown", "Notes", "Nothing to see"),
    (
        "code",
        "Load  orders\n(daily)",
        'print("loading")\nraise ValueError("bad token " + dbutils.secrets.get("team", "token") + "\\nsecond line")',
    ),
    ("code", "After", 'print("this cell must not run")'),
]


def test_a_failing_cell_fails_the_job_named_in_the_termination_log_and_last_line(
    job_script_generator, tmp_path
):
    script_path = tmp_path / "job.py"
    script_path.write_text(job_script_generator(FAILING, path="etl/fail.ipynb"))
    termination = tmp_path / "termination-log"
    run_output = tmp_path / "runs"
    proc = spark_submit(
        script_path,
        args=["--limit=5"],
        env={
            SECRET_ENV: SECRET,
            "SPARK_K8S_JOB_ID": "etl",
            "SPARK_K8S_RUN_ID": "run-7",
            "SPARK_K8S_TERMINATION_LOG": str(termination),
        },
        run_output=f"file://{run_output}",
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-4000:]
    expected = "Cell 3 (Load orders (daily)) failed: ValueError: bad token [REDACTED]"
    assert termination.read_text() == expected
    lines = job_lines(proc.stdout)
    assert lines[-1] == expected, lines[-10:]
    assert "limit 5" in lines and "loading" in lines
    assert "this cell must not run" not in out
    assert_secret_nowhere(out, termination.read_text())

    text = (run_output / "etl" / "run-7" / "notebook.ipynb").read_text()
    assert_secret_nowhere(text)
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    run = nb.metadata["spark_k8s"]["run"]
    assert run["status"] == "failed" and run["error"] == expected and run["result"] is None
    assert run["parameters"] == {"limit": "5"}
    failed = nb.cells[2]
    assert failed.execution_count == 2
    assert failed.outputs[0] == {"output_type": "stream", "name": "stdout", "text": "loading\n"}
    error = failed.outputs[1]
    assert (error["output_type"], error["ename"]) == ("error", "ValueError")
    assert error["evalue"] == "bad token [REDACTED]\nsecond line"
    assert any("<cell 3>" in line for line in error["traceback"])
    assert nb.cells[3].execution_count is None and nb.cells[3].outputs == []


# ---------------------------------------------------------------------------
# The pieces, in this process (no Spark needed)


def test_the_job_environment_comes_from_the_contract(runtime):
    contract = json.loads((ROOT / "src" / "core" / "kernel" / "contract.json").read_text())["jobEnv"]
    assert runtime.contract.JOB_MODE_ENV == runtime.job.JOB_ENV == contract["job"] == "SPARK_K8S_JOB"
    assert runtime.contract.JOB_ID_ENV == contract["jobId"]
    assert runtime.contract.RUN_ID_ENV == contract["runId"]
    assert runtime.contract.RUN_OUTPUT_ENV == contract["runOutput"]
    assert runtime.contract.TERMINATION_LOG_ENV == contract["terminationLog"]


def test_context_and_task_values_outside_a_job(runtime, monkeypatch):
    monkeypatch.delenv("SPARK_K8S_JOB", raising=False)
    monkeypatch.setenv("SPARK_K8S_JOB_ID", "ignored-outside-a-job")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    entry = runtime.dbutils.notebook.entry_point
    runtime.set_notebook_path(None)
    ctx = entry.getDbutils().notebook().getContext()
    assert ctx.notebookPath().isEmpty()
    with pytest.raises(runtime.SparkK8sError, match="no notebook path"):
        ctx.notebookPath().get()
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/u/work/x.ipynb")
    assert entry.getDbutils().notebook().getContext().notebookPath().get() == "/home/u/work/x.ipynb"
    runtime.set_notebook_path("team/x.ipynb")
    ctx = entry.getDbutils().notebook().getContext()
    assert ctx.notebookPath().get() == "team/x.ipynb"
    assert ctx.jobId().getOrElse("none") == "none" and not ctx.tags().contains("runId")
    assert json.loads(ctx.toJson())["tags"]["notebookPath"] == "team/x.ipynb"
    assert json.loads(ctx.toJson())["extraContext"] == {"notebook_path": "team/x.ipynb"}
    values = runtime.dbutils.jobs.taskValues
    values.set("n", 3)
    assert values.get("t", "n", debugValue=9) == 9  # as Databricks: the debug value outside a job
    with pytest.raises(runtime.SparkK8sError, match="debugValue"):
        values.get("t", "n")
    with pytest.raises(runtime.SparkK8sError, match="JSON-serializable"):
        values.set("bad", object())
    monkeypatch.setenv("SPARK_K8S_JOB", "1")
    assert values.get("t", "n") == 3
    assert values.get("t", "other", default=0) == 0
    with pytest.raises(runtime.SparkK8sError, match="no task value 'other' was set in this run"):
        values.get("t", "other")
    assert entry.getDbutils().notebook().getContext().jobId().get() == "ignored-outside-a-job"
    runtime.set_notebook_path(None)


def test_run_locations_are_safe_and_local_paths_parsed(runtime):
    executed = runtime.executed
    assert executed.run_location("s3a://b/runs/", "etl", "r1") == "s3a://b/runs/etl/r1"
    assert executed.run_location("/data", "../x", "..") == "/data/.._x/run"
    assert executed.run_location("/data", "a/b", None) == "/data/a_b/run"
    assert executed.local_path("/tmp/x") == "/tmp/x"
    assert executed.local_path("file:///tmp/x%20y") == "/tmp/x y"
    assert executed.local_path("file:/tmp/x") == "/tmp/x"
    assert executed.local_path("s3a://bucket/x") is None


def test_event_log_folder_is_created_for_local_dirs_only(runtime, tmp_path):
    job = runtime.job
    folder = tmp_path / "a" / "events"
    assert job.prepare_event_log({"spark.eventLog.enabled": "true", "spark.eventLog.dir": f"file:{folder}"})
    assert folder.is_dir()
    assert (
        job.prepare_event_log({"spark.eventLog.enabled": "false", "spark.eventLog.dir": str(tmp_path / "n")})
        is None
    )
    assert not (tmp_path / "n").exists()
    assert (
        job.prepare_event_log({"spark.eventLog.enabled": "true", "spark.eventLog.dir": "s3a://b/e"})
        == "s3a://b/e"
    )


def test_termination_message_is_bounded_and_an_unwritable_log_is_ignored(runtime, tmp_path, monkeypatch):
    job = runtime.job
    path = tmp_path / "term"
    monkeypatch.setenv("SPARK_K8S_TERMINATION_LOG", str(path))
    job.write_termination_message("é" * 5000)
    assert len(path.read_bytes()) == 4096
    monkeypatch.setenv("SPARK_K8S_TERMINATION_LOG", str(tmp_path / "missing" / "dir" / "term"))
    job.write_termination_message("ignored")  # no error


def test_the_executed_notebook_is_valid_nbformat(runtime):
    cells = [
        {"index": 1, "title": None, "type": "markdown", "source": "# T"},
        {"index": 2, "title": "x", "type": "code", "source": "print(1)\nprint(2)", "code": "print(1)"},
        {"index": 3, "title": None, "type": "raw", "source": "raw"},
        {"index": 4, "title": None, "type": "code", "source": ""},
    ]
    records = {
        2: {"execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n2\n"}]}
    }
    nb = runtime.executed.executed_notebook(cells, records, {"status": "succeeded"})
    nbformat.validate(nbformat.from_dict(nb))
    assert nb["cells"][1]["source"] == ["print(1)\n", "print(2)"]
    assert nb["cells"][1]["outputs"][0]["text"] == ["1\n", "2\n"]
    assert nb["cells"][3]["execution_count"] is None


def test_a_job_that_cannot_start_fails_with_a_message(job_script_generator, tmp_path):
    """A bad SPARK_K8S_WIDGETS fails the job before any cell (here without spark-submit), reported."""
    script_path = tmp_path / "job.py"
    script_path.write_text(job_script_generator([("code", None, "print('never')")]))
    termination = tmp_path / "term"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARK_K8S_")}
    env.update(
        PYTHONPATH=runtime_archive(),
        SPARK_K8S_JOB="1",
        SPARK_K8S_WIDGETS="[1, 2]",
        SPARK_K8S_TERMINATION_LOG=str(termination),
        SPARK_K8S_RUN_OUTPUT=str(tmp_path / "runs"),
    )
    proc = subprocess.run(
        [sys.executable, str(script_path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    expected = (
        "The job could not start: SPARK_K8S_WIDGETS must be a JSON object of widget values, not '[1, 2]'."
    )
    assert termination.read_text() == expected
    assert proc.stderr.strip().splitlines()[-1] == expected
    assert "never" not in proc.stdout
    (written,) = pathlib.Path(tmp_path / "runs").glob("job/run-*/notebook.ipynb")
    nb = nbformat.read(str(written), as_version=4)
    assert nb.metadata["spark_k8s"]["run"]["status"] == "failed"

    # A run output that cannot be written is a warning; the outcome and its message stand.
    (tmp_path / "a-file").write_text("")
    env["SPARK_K8S_RUN_OUTPUT"] = str(tmp_path / "a-file" / "runs")
    proc = subprocess.run(
        [sys.executable, str(script_path)], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 1, proc.stderr
    assert f"Warning: could not write the executed notebook to {tmp_path}/a-file/runs/job/run-" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == expected


def test_the_executed_notebook_can_be_written_through_hadoop(session, tmp_path):
    """The path s3a:// run outputs take (Hadoop's FileSystem in the JVM), here on a file: URI."""
    runtime, _, _ = session
    data = json.dumps({"é": "\u4e2d"}).encode("utf-8") + b"\n"
    target = tmp_path / "deep" / "run" / "notebook.ipynb"
    runtime.executed.write_hadoop(target.as_uri(), data, runtime.state.current_spark())
    assert target.read_bytes() == data
    with pytest.raises(OSError, match="no Spark session"):
        runtime.executed.write_bytes("s3a://bucket/x", data, None)
