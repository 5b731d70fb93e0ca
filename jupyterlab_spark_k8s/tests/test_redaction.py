"""Secret values never reach a notebook, a log or the browser: a real kernel, a real job, real Spark.

The kernel tests start a real IPython kernel (jupyter_client + ipykernel, as JupyterLab
does, with ipykernel's capture of file descriptors 1 and 2 on), load the runtime from
its archive, start local Spark and read a secret through ``dbutils.secrets``. Each leak
found in the issue runs as a cell; every iopub message, the shell reply, the notebook
saved from those messages (consecutive stream outputs merged, as JupyterLab does) and
the kernel process's own output (the Jupyter server's log) are searched with
``tests/secret_scan.py`` for the value in every encoding. The job test runs a published
notebook under PySpark's own spark-submit and searches the driver's output and the
executed notebook. The SQL tests feed hostile widget values to ``%sql`` on real Spark.
"""

import json
import os
import sys

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from .conftest import ROOT, runtime_prelude
from .test_job import job_lines, job_script_generator, spark_submit  # noqa: F401 - a fixture

sys.path.insert(0, str(ROOT / "tests"))
from secret_scan import scan  # noqa: E402

# Quotes, a backslash, a newline, HTML and URL specials, non-ASCII; longer than Spark's 20-character column.
SECRET = "S3cr&t'Pa\"ss\\word\n-line2-\u00e9<x>+/=-0123456789"
SECRET_ENV = "SPARK_K8S_SECRET_TEAM_PW"
SCOPES = {"team": {"secret": "team-secret", "env": {"pw": SECRET_ENV}}}
TIMEOUT = 240


class Kernel:
    """A real kernel; `run(code)` returns what a frontend receives for one execution."""

    def __init__(self, folder, extra_env=None):
        # Without PYTEST_* ipykernel captures file descriptors 1 and 2, as under JupyterLab.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPARK_K8S_"))}
        env.update(extra_env or {})
        self.log_path = folder / "kernel.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.manager, self.client = start_new_kernel(
            kernel_name="python3", env=env, stdout=self._log, stderr=self._log, cwd=str(folder)
        )
        self.messages = []

    def run(self, code):
        msg_id = self.client.execute(code, store_history=True, stop_on_error=False)
        received = []
        while True:
            msg = self.client.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            received.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        reply = self.client.get_shell_msg(timeout=TIMEOUT)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.client.get_shell_msg(timeout=TIMEOUT)
        received.append(reply)
        self.messages.extend(received)
        return received

    def stop(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
        self._log.close()


def outputs(messages):
    """The cell's outputs as JupyterLab keeps them: consecutive stream outputs of a name merged."""
    out = []
    for msg in messages:
        kind = msg["msg_type"]
        if kind not in ("stream", "display_data", "update_display_data", "execute_result", "error"):
            continue
        if kind == "update_display_data":
            kind = "display_data"
            msg = dict(msg, header=dict(msg["header"], msg_type="display_data"))
        output = nbformat.v4.output_from_msg(msg)
        last = out[-1] if out else None
        if kind == "stream" and last and last.output_type == "stream" and last.name == output.name:
            last.text += output.text
        else:
            out.append(output)
    return out


def visible_text(outs):
    """Everything a person would read in the outputs."""
    parts = []
    for o in outs:
        if o.output_type == "stream":
            parts.append(o.text)
        elif o.output_type == "error":
            parts += [o.ename, o.evalue, *o.traceback]
        else:
            parts += [json.dumps(v) if not isinstance(v, str) else v for v in o.data.values()]
    return "\n".join(parts)


def hits_in(messages):
    """Secret hits in the raw messages (as JSON on the wire) and in the merged outputs."""
    wire = [
        json.dumps({"content": m["content"], "metadata": m["metadata"]}, ensure_ascii=False) for m in messages
    ]
    return scan(wire, [SECRET]) + scan(visible_text(outputs(messages)), [SECRET])


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernel")
    k = Kernel(folder, {SECRET_ENV: SECRET})
    try:
        setup = k.run(
            runtime_prelude()
            + "import base64, html, json, logging, os, subprocess, sys, time, urllib.parse, warnings\n"
            # A log handler made before the secret is read holds today's stderr.
            + "log = logging.getLogger('early')\nlog.addHandler(logging.StreamHandler(sys.stderr))\n"
            + "rt.start_session({'spark.master': 'local[1]', 'spark.ui.enabled': 'false',"
            + " 'spark.sql.shuffle.partitions': '1'}, user_ns=get_ipython().user_ns, secret_scopes="
            + repr(SCOPES)
            + ")\npw = rt.dbutils.secrets.get('team', 'pw')\nprint('read', len(pw))\n"
        )
        reply = setup[-1]["content"]
        assert reply["status"] == "ok", reply
        assert f"read {len(SECRET)}" in visible_text(outputs(setup))
        yield k
    finally:
        k.stop()


LEAKS = {
    "last expression (execute_result)": "pw",
    "raise ValueError(pw)": "raise ValueError(pw)",
    "int(pw) (repr in the message)": "int(pw)",
    "repr and JSON": "print(repr(pw))\nprint(json.dumps({'key': pw}))\nprint(repr(pw.encode()))",
    "getBytes": "print(rt.dbutils.secrets.getBytes('team', 'pw'))",
    "display(df) HTML": "rt.display(spark.createDataFrame([(pw,)], ['v']))",
    "IPython HTML (escaped)": "from IPython.display import HTML, display\ndisplay(HTML('<b>' + html.escape(pw) + '</b>'))",
    "update_display_data": "h = display('placeholder', display_id=True)\nh.update(pw)",
    "subprocess on the file descriptors": (
        'os.system(\'printf "%s\\\\n" "$SPARK_K8S_SECRET_TEAM_PW"\')\n'
        "subprocess.run(['sh', '-c', 'echo \"$SPARK_K8S_SECRET_TEAM_PW\" >&2'])\n"
        "subprocess.run(['sh', '-c', 'echo \"$SPARK_K8S_SECRET_TEAM_PW\"'], stdout=sys.stdout)\n"
        "time.sleep(0.5)"
    ),
    "%sh": "rt.sh('echo \"$SPARK_K8S_SECRET_TEAM_PW\"')",
    "log handler made before the read": "log.warning('the value: %s', pw)",
    "a value split across two prints": (
        "print(pw[:7], end='')\nsys.stdout.flush()\ntime.sleep(0.3)\nprint(pw[7:])"
    ),
    "a value split across prints a second apart": (
        "print(pw[:12], end='')\nsys.stdout.flush()\ntime.sleep(1.2)\nprint(pw[12:])"
    ),
    "base64 (3 alignments), URL, hex": (
        "for pad in (b'', b'x', b'xy'):\n    print(base64.b64encode(pad + pw.encode()))\n"
        "print(base64.urlsafe_b64encode(pw.encode()))\n"
        "print(urllib.parse.quote(pw))\nprint(urllib.parse.quote_plus(pw))\nprint(pw.encode().hex())"
    ),
    "df.show() truncated column": "spark.createDataFrame([(pw,)], ['v']).show()",
    "Spark's own error message": "spark.sql('SELECT ' + pw)",
    "warnings.warn": "warnings.warn(pw)",
}


@pytest.mark.parametrize("code", list(LEAKS.values()), ids=list(LEAKS))
def test_a_secret_never_reaches_a_kernel_message_or_the_saved_notebook(kernel, code, tmp_path):
    messages = kernel.run(code)
    outs = outputs(messages)
    text = visible_text(outs)
    # The output is there (the person sees where the value was), only the value is not.
    assert "[REDACTED]" in text, text
    assert hits_in(messages) == []
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code, outputs=outs)])
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, str(saved))
    assert scan(saved, [SECRET]) == []


def test_the_kernel_still_shows_ordinary_output_unchanged(kernel):
    messages = kernel.run("print('plain output: 1 < 2 & \"quotes\"')\n'last'")
    text = visible_text(outputs(messages))
    assert 'plain output: 1 < 2 & "quotes"\n' in text
    assert "'last'" in text


def test_the_kernel_log_has_no_secret(kernel):
    # What ipykernel echoes of fds 1 and 2 goes to the kernel's own output: the server's log.
    kernel.run("os.system('echo log-marker \"$SPARK_K8S_SECRET_TEAM_PW\"')\ntime.sleep(1)")
    log = kernel.log_path.read_text(errors="replace")
    assert "log-marker [REDACTED]" in log
    assert scan(kernel.log_path, [SECRET]) == []
    # Every message of the whole session, the setup cell's included.
    assert kernel.messages and hits_in(kernel.messages) == []


# ---------------------------------------------------------------------------
# A published job: the driver log (the process's stdout and stderr) and the executed notebook

JOB_CELLS = [
    (
        "code",
        "Early handler",
        # Made before the read, on the original stderr: only the file descriptor sees it.
        "import logging, os, subprocess, sys\nlog = logging.getLogger('early')\n"
        "log.addHandler(logging.StreamHandler(sys.__stderr__))",
    ),
    (
        "code",
        "Leaks",
        'pw = dbutils.secrets.get("team", "pw")\n'
        "print(pw[:7], end='')\nsys.stdout.flush()\nprint(pw[7:])\n"
        "print(repr(pw), repr(pw.encode()))\n"
        "log.warning('the value: %s', pw)\n"
        "os.system('echo \"from a subprocess: $SPARK_K8S_SECRET_TEAM_PW\"')\n"
        "subprocess.run(['sh', '-c', 'echo \"$SPARK_K8S_SECRET_TEAM_PW\" >&2'])\n"
        "spark.createDataFrame([(pw,)], ['v']).show()\n"
        "display(spark.createDataFrame([(pw,)], ['v']))",
    ),
    (
        "code",
        "Substitution",
        "print('substitute', spark.conf.get('spark.sql.variable.substitute'))\n"
        "row = spark.sql(\"SELECT '${env:SPARK_K8S_SECRET_TEAM_PW}' AS v\").first()\n"
        "print('env substituted:', row.v != '${env:SPARK_K8S_SECRET_TEAM_PW}')",
    ),
    ("code", "Env in SQL", "%sql SELECT '${env:SPARK_K8S_SECRET_TEAM_PW}' AS v"),
    ("code", "Fail", "int(pw)"),
]


def test_a_job_writes_no_secret_to_its_driver_log_termination_message_or_executed_notebook(
    job_script_generator,  # noqa: F811 - the fixture imported from test_job
    tmp_path,
):
    script_path = tmp_path / "job.py"
    script_path.write_text(job_script_generator(JOB_CELLS, path="etl/leaks.ipynb", scopes=SCOPES))
    termination = tmp_path / "termination-log"
    run_output = tmp_path / "runs"
    proc = spark_submit(
        script_path,
        env={
            SECRET_ENV: SECRET,
            "SPARK_K8S_JOB_ID": "leaks",
            "SPARK_K8S_RUN_ID": "run-1",
            "SPARK_K8S_TERMINATION_LOG": str(termination),
        },
        run_output=f"file://{run_output}",
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log[-4000:]
    lines = job_lines(proc.stdout)
    assert "[REDACTED]" in lines, lines
    assert "from a subprocess: [REDACTED]" in lines
    assert "the value: [REDACTED]" in lines
    assert "substitute false" in lines and "env substituted: False" in lines
    assert (
        lines[-1] == "Cell 5 (Fail) failed: ValueError: invalid literal for int() with base 10: '[REDACTED]'"
    )
    assert scan(log, [SECRET]) == []
    assert scan(termination, [SECRET]) == []

    saved = run_output / "leaks" / "run-1" / "notebook.ipynb"
    nb = nbformat.read(str(saved), as_version=4)
    nbformat.validate(nb)
    assert scan(saved, [SECRET]) == []
    leaks = visible_text(nb.cells[1].outputs)
    assert "[REDACTED]" in leaks and "\u00e9" not in leaks
    assert "${env:SPARK_K8S_SECRET_TEAM_PW}" in visible_text(nb.cells[3].outputs)


# ---------------------------------------------------------------------------
# Widget values reach SQL only as literals, parameters or checked names (real local Spark)

HOSTILE = [
    "x' OR '1'='1",
    "a\\' OR 1=1 --",
    'say "hi"; DROP TABLE victims; --',
    "back`tick` FROM victims --",
    "${env:HOME} and ${other}",
    "line\nbreak /* not a comment */ \\",
]


@pytest.fixture()
def sql_widgets(session):
    runtime, ns, _ = session
    ns["spark"].range(3).selectExpr("id", "CAST(id AS STRING) AS name").createOrReplaceTempView("victims")
    runtime.dbutils.widgets.removeAll()
    yield runtime, ns["spark"], runtime.dbutils.widgets
    runtime.dbutils.widgets.removeAll()


def _one(runtime, statement, markers=()):
    return runtime.sql_cell([("sql", statement, list(markers))]).collect()


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_widget_values_stay_values_in_sql(sql_widgets, value):
    runtime, spark, widgets = sql_widgets
    widgets.text("v", "")
    widgets.set_values({"v": value})
    row = _one(
        runtime, "SELECT '${v}' AS a, \"${v}\" AS b, getArgument('v') AS c, :v AS d, 1 AS `${v}`", ["v"]
    )[0]
    assert (row.a, row.b, row.c, row.d) == (value, value, value, value)
    assert row.asDict()[value] == 1
    assert _one(runtime, "SELECT count(*) AS n FROM victims WHERE name = '${v}' -- ${v}")[0].n == 0
    with pytest.raises(runtime.SparkK8sError, match=r"Widget 'v' is used bare in SQL .*Put it in quotes"):
        _one(runtime, "SELECT count(*) AS n FROM victims WHERE id = ${v}")
    assert spark.table("victims").count() == 3


def test_bare_widgets_keep_working_for_numbers_and_names(sql_widgets):
    runtime, _, widgets = sql_widgets
    widgets.text("tbl", "victims")
    widgets.text("low", "-1")
    widgets.text("col", "name")
    rows = _one(runtime, "SELECT ${col}, 5 -${low} AS six FROM ${tbl} WHERE id > ${low} ORDER BY id")
    assert [(r.name, r.six) for r in rows] == [("0", 6), ("1", 6), ("2", 6)]


# ---------------------------------------------------------------------------
# The oracle itself


def test_the_scanner_finds_every_encoding_and_nothing_in_clean_text(tmp_path):
    import base64
    import html
    import urllib.parse

    data = SECRET.encode()
    leaked = {
        "exact": SECRET,
        "repr": repr(SECRET),
        "bytes repr": repr(data),
        "json": json.dumps({"k": SECRET}),
        "json in json": json.dumps(json.dumps(SECRET)),
        "html": html.escape(SECRET),
        "url": urllib.parse.quote_plus(SECRET),
        "base64 +1": base64.b64encode(b"x" + data).decode(),
        "base64 +2": base64.urlsafe_b64encode(b"xy" + data).decode(),
        "hex": data.hex(),
        "truncated": "| " + SECRET[:17] + "... |",
        "one line": "error near: " + SECRET.splitlines()[1],
    }
    for name, text in leaked.items():
        assert scan("<<" + text + ">>", [SECRET]), name
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "log.txt").write_bytes(b"noise " + base64.b64encode(data) + b" noise")
    assert {(h.item, h.encoding) for h in scan(tmp_path, [SECRET])} == {
        (str(tmp_path / "deep" / "log.txt"), "base64@0")
    }
    assert scan("[REDACTED] and S3cr&t, -line2, 0123456789", [SECRET]) == []
