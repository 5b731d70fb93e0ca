"""A run after it ended: its executed notebook and Spark's History Server, through Jupyter.

A job script generated from the TypeScript sources runs with PySpark's spark-submit on local
Spark (as in test_job.py), writing its executed notebook and event log to a run output folder;
a real Jupyter server with a token, configured with that folder (c.SparkK8s.run_output), then
serves the notebook and starts Spark's real History Server behind its authenticated proxy.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import nbformat
import pytest

from jupyterlab_spark_k8s import history, runs

from .conftest import ROOT
from .test_job import job_script_generator, spark_submit  # noqa: F401 - the module's fixture
from .test_sparkui import TOKEN, NoRedirect, free_port, get

JOB_ID = "daily-etl"
DESCRIPTION = "Count the days of the week"
CELLS = [
    ("markdown", None, "# Days"),
    ("code", "Parameters", 'dbutils.widgets.text("days", "7")\nprint("days=" + dbutils.widgets.get("days"))'),
    (
        "code",
        "Count",
        f'spark.sparkContext.setJobDescription("{DESCRIPTION}")\n'
        'n = spark.range(int(dbutils.widgets.get("days"))).count()\nprint("counted", n)',
    ),
]


@pytest.fixture(scope="module")
def run_output(job_script_generator, tmp_path_factory):  # noqa: F811
    """A run of a published notebook on local Spark: (run output folder, run id)."""
    folder = tmp_path_factory.mktemp("history")
    script = folder / "job.py"
    script.write_text(job_script_generator(CELLS, path="team/days.ipynb"))
    output = folder / "runs"
    proc = spark_submit(
        script,
        args=["--days", "5"],
        env={"SPARK_K8S_JOB_ID": JOB_ID},
        run_output=output,
        event_log=output / "event-logs",
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    (run_id,) = [p.name for p in (output / JOB_ID).iterdir()]
    assert run_id.startswith("local-")  # no SPARK_K8S_RUN_ID: the run is the Spark application id
    return output, run_id


@pytest.fixture(scope="module")
def jupyter(run_output, tmp_path_factory):
    """A real Jupyter server with a token whose run output is the job's folder."""
    output, _ = run_output
    port = free_port()
    root = tmp_path_factory.mktemp("root")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARK_K8S_")}
    # This source tree's extension, even where an older wheel is installed in the environment.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            "--allow-root",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.base_url=/user/alice/",
            f"--SparkK8s.run_output={output}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}/user/alice"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("jupyter server did not start: " + proc.stderr.read().decode()[-2000:])
    yield base, proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)


LOOPBACK = ("127.0.0.1", "[::ffff:127.0.0.1]")


@pytest.fixture(scope="module")
def history_server(jupyter):
    """Spark's History Server started by a first request through the proxy (its JVM takes seconds)."""
    base, _ = jupyter
    started = time.monotonic()
    status, _, body = get_slow(f"{base}/sparkhistory/api/v1/version")
    assert status == 200 and json.loads(body)["spark"].startswith("4."), body
    print(f"\nHistory Server started through the proxy in {time.monotonic() - started:.1f} s")
    return base


def url(base, path, **query):
    return f"{base}{path}" + ("?" + urllib.parse.urlencode(query) if query else "")


def get_slow(address, timeout=180):
    """A request that may wait for the History Server's JVM to start or scan: (status, headers, body)."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(address, headers={"Authorization": f"token {TOKEN}"})
    try:
        with opener.open(request, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get_json(address, token=True):
    status, headers, body = get(address, token=token)
    return status, headers, json.loads(body) if body else None


# ---------------------------------------------------------------------------
# The executed notebook


def test_the_executed_notebook_is_served_with_its_outputs_and_parameters(run_output, jupyter):
    output, run_id = run_output
    base, _ = jupyter
    for location in (str(output), output.as_uri(), f"file:{output}"):
        status, headers, body = get(
            url(base, "/spark-k8s/runs/notebook", location=location, job=JOB_ID, run=run_id)
        )
        assert status == 200, body
        assert headers["Content-Type"].startswith("application/json")
        nb = nbformat.reads(body.decode(), as_version=4)
        nbformat.validate(nb)
        run = nb.metadata["spark_k8s"]["run"]
        assert run["parameters"] == {"days": "5"}
        assert (run["status"], run["jobId"], run["runId"]) == ("succeeded", JOB_ID, run_id)
        assert nb.cells[1].outputs == [{"output_type": "stream", "name": "stdout", "text": "days=5\n"}]
        assert nb.cells[2].outputs[0]["text"] == "counted 5\n"


def test_the_runs_are_listed_from_their_notebooks(run_output, jupyter):
    output, run_id = run_output
    base, _ = jupyter
    status, _, listing = get_json(url(base, "/spark-k8s/runs", location=str(output)))
    assert status == 200
    assert listing["exists"] is True and listing["truncated"] is False
    (entry,) = listing["runs"]  # the event-logs folder is not a job
    assert (entry["job"], entry["run"], entry["status"]) == (JOB_ID, run_id, "succeeded")
    assert entry["parameters"] == {"days": "5"} and entry["notebookPath"] == "team/days.ipynb"
    assert entry["started"] <= entry["finished"]
    status, _, empty = get_json(url(base, "/spark-k8s/runs", location=str(output / "nothing-yet")))
    assert status == 200 and empty["runs"] == [] and empty["exists"] is False


@pytest.mark.parametrize(
    ("query", "code", "words"),
    [
        ({"job": "..", "run": "x"}, 400, "'..' is not a job id"),
        ({"job": JOB_ID, "run": "../../etc"}, 400, "is not a run id"),
        ({"job": "a/b", "run": "x"}, 400, "no '/'"),
        ({"job": "", "run": "x"}, 400, "No job id was given"),
        (
            {"job": JOB_ID, "run": "missing-run"},
            404,
            "No executed notebook at {output}/daily-etl/missing-run/",
        ),
        (
            {"location": "s3a://bucket/runs", "job": "a", "run": "b"},
            501,
            "s3a:// run output needs the storage",
        ),
        ({"location": "relative/runs", "job": "a", "run": "b"}, 400, "not an absolute path or a file: URI"),
        ({"location": "file://otherhost/runs", "job": "a", "run": "b"}, 400, "names the host 'otherhost'"),
        ({"location": "", "job": "a", "run": "b"}, 400, "No run output location was given"),
    ],
)
def test_bad_requests_are_refused_in_words(run_output, jupyter, query, code, words):
    output, _ = run_output
    base, _ = jupyter
    status, headers, reply = get_json(
        url(base, "/spark-k8s/runs/notebook", **{"location": str(output), **query})
    )
    assert status == code
    assert headers["Content-Type"].startswith("application/json")
    assert words.format(output=output) in reply["message"]


def test_a_file_that_is_not_a_notebook_is_not_served(run_output, jupyter, tmp_path):
    base, _ = jupyter
    (tmp_path / "j" / "r").mkdir(parents=True)
    (tmp_path / "j" / "r" / "notebook.ipynb").write_text('{"half": ')
    status, _, reply = get_json(
        url(base, "/spark-k8s/runs/notebook", location=str(tmp_path), job="j", run="r")
    )
    assert status == 422 and "is not a notebook (invalid JSON" in reply["message"]


def test_unauthenticated_requests_get_nothing(run_output, jupyter):
    output, run_id = run_output
    base, _ = jupyter
    query = {"location": str(output), "job": JOB_ID, "run": run_id}
    for path in ("/spark-k8s/runs/notebook", "/spark-k8s/runs"):
        status, _, body = get(url(base, path, **query), token=False)
        assert status == 403 and b"cells" not in body and run_id.encode() not in body
    status, headers, body = get(f"{base}/sparkhistory/api/v1/applications", token=False)
    assert status in (302, 403) and run_id.encode() not in body
    if status == 302:
        assert "/login" in headers["Location"]


# ---------------------------------------------------------------------------
# Spark's History Server


def test_the_history_server_shows_the_application_and_its_jobs(run_output, history_server):
    output, run_id = run_output
    base = history_server
    started = time.monotonic()
    status, _, apps = get_json(f"{base}/sparkhistory/api/v1/applications")
    deadline = time.monotonic() + history.APP_WAIT_S
    while status == 200 and not apps and time.monotonic() < deadline:  # its first scan
        time.sleep(0.5)
        status, _, apps = get_json(f"{base}/sparkhistory/api/v1/applications")
    print(f"the application listed after {time.monotonic() - started:.1f} s more")
    assert status == 200
    assert [(a["id"], a["name"]) for a in apps] == [(run_id, "published-job")]
    assert apps[0]["attempts"][0]["completed"] is True

    status, _, jobs = get_json(f"{base}/sparkhistory/api/v1/applications/{run_id}/jobs")
    assert status == 200
    assert DESCRIPTION in [job.get("description") for job in jobs]
    assert all(job["status"] == "SUCCEEDED" for job in jobs)

    # What the Executors page's script asks (its REST path derived from the page's address).
    status, _, executors = get_json(f"{base}/sparkhistory/api/v1/applications/{run_id}/allexecutors")
    assert status == 200 and [e["id"] for e in executors] == ["driver"]

    # The pages, with links under the proxy's prefix (Spark's uiRoot from X-Forwarded-Context).
    status, headers, page = get(f"{base}/sparkhistory/history/{run_id}/jobs/")
    assert status == 200, (status, headers)
    html = page.decode()
    assert DESCRIPTION in html
    assert f"/user/alice/sparkhistory/history/{run_id}/stages/" in html
    status, _, page = get(f"{base}/sparkhistory/")
    assert status == 200 and "/user/alice/sparkhistory/static/historypage.js" in page.decode()


def test_a_run_link_redirects_to_its_application(run_output, history_server):
    output, run_id = run_output
    base = history_server
    target = f"/user/alice/sparkhistory/history/{run_id}/jobs/"
    for run in (run_id, "published-job"):  # by application id, or name (on Kubernetes: the run's name)
        status, headers, _ = get(url(base, "/spark-k8s/runs/ui", location=str(output), run=run))
        assert status == 302 and headers["Location"] == target
    status, _, page = get_slow(url(base, "/spark-k8s/runs/ui", location=str(output), run="never-ran"), 60)
    assert status == 404 and b"has no application &#x27;never-ran&#x27;" in page


def test_redirects_stay_under_the_prefix_and_location_leaves_the_address(run_output, history_server):
    output, run_id = run_output
    base = history_server
    status, headers, _ = get(f"{base}/sparkhistory")
    assert status == 302 and headers["Location"] == "/user/alice/sparkhistory/"
    # Same location as the running server: no restart, the parameter dropped.
    status, _, before = get_json(f"{base}/spark-k8s/history/status")
    status, headers, _ = get(url(base, f"/sparkhistory/history/{run_id}/jobs/", location=str(output)))
    assert status == 302 and headers["Location"] == f"/user/alice/sparkhistory/history/{run_id}/jobs/"
    status, _, after = get_json(f"{base}/spark-k8s/history/status")
    assert after["running"] and after["pid"] == before["pid"]
    # Spark's own redirect (an application's root to its jobs) lands under the prefix.
    status, headers, _ = get(f"{base}/sparkhistory/history/{run_id}")
    assert status in (301, 302), (status, headers)
    landing = urllib.parse.urljoin(f"{base}/sparkhistory/history/{run_id}", headers["Location"])
    assert urllib.parse.urlparse(landing).path == f"/user/alice/sparkhistory/history/{run_id}/", landing
    status, headers, page = get(landing)
    if status in (301, 302):  # then its jobs page
        landing = urllib.parse.urljoin(landing, headers["Location"])
        assert urllib.parse.urlparse(landing).path.startswith(f"/user/alice/sparkhistory/history/{run_id}/")
        status, headers, page = get(landing)
    assert status == 200 and DESCRIPTION in page.decode(), (status, landing)


def test_a_location_without_event_logs_is_an_error_page_and_the_server_keeps_running(
    history_server, tmp_path
):
    base = history_server
    status, _, before = get_json(f"{base}/spark-k8s/history/status")
    status, headers, page = get(url(base, "/sparkhistory/", location=str(tmp_path)))
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert f"There is no event-log folder at {tmp_path}/event-logs" in page.decode()
    status, _, page = get(url(base, "/sparkhistory/", location="s3a://bucket/runs"))
    assert status == 501 and "s3a:// run output needs the storage support of issue 12" in page.decode()
    status, _, after = get_json(f"{base}/spark-k8s/history/status")
    assert after["running"] and after["pid"] == before["pid"] and after["location"] == before["location"]


def test_the_history_server_listens_on_loopback_only_and_stops_with_jupyter(history_server, jupyter):
    base, proc = jupyter
    status, _, state = get_json(f"{base}/spark-k8s/history/status")
    pid = state["pid"]
    listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    mine = [line for line in listening.splitlines() if f"pid={pid}," in line]
    assert mine and all(line.split()[3].rsplit(":", 1)[0] in LOOPBACK for line in mine), mine
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    assert not _alive(pid), "the History Server outlived the Jupyter server"


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


# ---------------------------------------------------------------------------
# Refusals before any JVM starts (in this process)


class _Log:
    def info(self, *args):
        pass


def test_missing_java_or_pyspark_is_said_before_anything_starts(tmp_path, monkeypatch):
    (tmp_path / "event-logs").mkdir()
    server = history.HistoryServer(_Log())
    monkeypatch.setattr(history, "java_executable", lambda: None)
    with pytest.raises(runs.RunOutputError, match=r"needs Java \(17 or later\).*JAVA_HOME") as info:
        asyncio.run(server.ensure(str(tmp_path)))
    assert info.value.status_code == 503 and not server.running
    monkeypatch.setattr(history, "java_executable", lambda: "/usr/bin/java")
    monkeypatch.setenv("SPARK_HOME", str(tmp_path))
    with pytest.raises(runs.RunOutputError, match="has no bin/spark-class"):
        asyncio.run(server.ensure(str(tmp_path)))
    with pytest.raises(runs.RunOutputError, match="does not know which run output location") as info:
        asyncio.run(server.ensure(None))
    assert info.value.status_code == 400 and not server.running
