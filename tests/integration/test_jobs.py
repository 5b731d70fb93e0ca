"""The Jobs view's service side against the real kubeflow Spark operator (v2.5.2).

The service runs as jupyter-server-proxy runs it, under the shipped Role, in a
namespace the operator manages. Applications are published through the service's
own POST /publish with what `spark-k8s manifest` writes; from then on only the
operator, kwok (which plays the driver pod and serves its log, see
tests/cluster/cluster.py DRIVER_LOG) and the garbage collector change them. The
test reads GET /jobs/events like the view does and calls the view's actions.
"""

import json
import time
import uuid

import pytest
import yaml

from cluster import DRIVER_LOG  # noqa: E402 (tests/cluster is on the path through conftest)

from .conftest import RBAC, Service, make_namespace
from .test_operator import GROUP, SCHEDULE_LABEL, manifests, path_of

DURATION = "spark-k8s.test/duration"
# Figures for the closing note (printed; `pytest -s` shows them).
FIGURES = {}


def call(svc, method, path, body=None, timeout=30):
    conn = svc.connection(timeout)
    data = None if body is None else json.dumps(body)
    headers = {"Content-Type": "application/json"} if data is not None else {}
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    try:
        return resp.status, json.loads(raw) if raw else None
    except ValueError:
        return resp.status, raw.decode()


def published(svc, docs, kind="SparkApplication"):
    """POST /publish of the ConfigMap and application `spark-k8s manifest` wrote."""
    status, out = call(svc, "POST", "/publish", {"objects": [docs["ConfigMap"], docs[kind]]})
    assert status == 200, out
    return out


def driver_runs_for(app, seconds):
    """The test's only change to a manifest: kwok keeps this driver running `seconds`."""
    template = app["spec"].get("template", app["spec"])["driver"]["template"]
    template.setdefault("metadata", {}).setdefault("annotations", {})[DURATION] = "%ds" % seconds


def states_of(stream, name, until, timeout):
    """The states the stream reports for run `name` (deduplicated, with arrival times) until `until`."""
    seq, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            at, event, data = stream.next(
                lambda e, d: (e == "run" and d["run"]["name"] == name) or e == "snapshot",
                timeout=deadline - time.monotonic(),
            )
        except TimeoutError:
            break
        runs = data["runs"] if event == "snapshot" else [data["run"]]
        for run in runs:
            if run["name"] == name and (not seq or seq[-1][1] != run["state"]):
                seq.append((at, run["state"], run))
        if seq and seq[-1][1] == until:
            return seq
    raise AssertionError("run %s did not reach %s; states: %s" % (name, until, [s for _, s, _ in seq]))


@pytest.fixture(scope="module")
def jobs_service(operator_namespace):
    svc = Service(operator_namespace.kubeconfig)
    yield svc
    svc.stop()


def test_the_stream_follows_an_application_and_its_driver_log(jobs_service, operator_namespace, tmp_path):
    svc, ns = jobs_service, operator_namespace
    stream = svc_events(svc)
    try:
        _, event, snap = stream.next(lambda e, d: e == "snapshot", timeout=20)
        assert snap["runs"] == [], snap
        if not snap["connected"]:
            # The snapshot waits 5 s for the first lists; on a loaded machine they may take
            # longer, and the stream then says so and follows with the connection.
            stream.next(lambda e, d: e == "status" and d["connected"] is True, timeout=30)
        docs = manifests(tmp_path, "etl-live", ns.name, "--param", "day=friday")
        driver_runs_for(docs["SparkApplication"], 8)
        started = time.monotonic()
        published(svc, docs)

        # The driver log, followed while the driver runs, through pods/log served by kwok.
        _, _, running = stream.next(
            lambda e, d: e == "run" and d["run"]["name"] == "etl-live" and d["run"]["state"] == "running",
            # spark-submit's JVM in the operator takes seconds alone, minutes on a loaded machine.
            timeout=240,
        )
        run = running["run"]
        assert run["driverPod"] and run["arguments"] == ["--day", "friday"], run
        assert run["notebookPath"] == "etl.ipynb" and run["contentHash"], run
        log_started = time.monotonic()
        conn = svc.connection(timeout=60)
        conn.request("GET", "/jobs/applications/etl-live/log?follow=true")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/plain")
        first = resp.readline().decode().rstrip("\n")
        FIGURES["log_first_line_s"] = round(time.monotonic() - log_started, 2)
        rest = resp.read().decode()  # ends when the driver pod ends
        FIGURES["log_open_s"] = round(time.monotonic() - log_started, 2)
        conn.close()
        assert [first, *rest.splitlines()] == DRIVER_LOG
        # The stream ended because the driver ended, not by a timeout.
        assert FIGURES["log_open_s"] < 30, FIGURES

        seq = [(running_at, state) for running_at, state, _ in states_of(stream, "etl-live", "completed", 90)]
        states = [s for _, s in seq]
        FIGURES["stream_states"] = states
        FIGURES["publish_to_completed_s"] = round(seq[-1][0] - started, 2)
        # This stream saw the application running, and then finishing.
        assert [s for s in states if s != "succeeding"][-1:] == ["completed"], states
        final = [r for _, s, r in states_of_snapshot(svc, "etl-live")][0]
        assert final["state"] == "completed" and final["endedAt"] and final["submittedAt"], final
        assert final["attempts"] >= 1

        # After the run the log is still there while the pod is; not followed, it just ends.
        status, text = call(svc, "GET", "/jobs/applications/etl-live/log?follow=true")
        assert status == 200 and text.splitlines() == DRIVER_LOG
        print("figures:", FIGURES)
    finally:
        stream.close()


def svc_events(svc):
    from .conftest import EventStream

    return EventStream(svc, "/jobs/events")


def states_of_snapshot(svc, name):
    stream = svc_events(svc)
    try:
        _, _, snap = stream.next(lambda e, d: e == "snapshot", timeout=20)
    finally:
        stream.close()
    return [(0, r["state"], r) for r in snap["runs"] if r["name"] == name]


def test_the_full_state_sequence_is_streamed(jobs_service, operator_namespace, tmp_path):
    """SUBMITTED → RUNNING → COMPLETED, each as the operator writes it, from one open stream."""
    svc, ns = jobs_service, operator_namespace
    stream = svc_events(svc)
    try:
        stream.next(lambda e, d: e == "snapshot", timeout=20)
        docs = manifests(tmp_path, "etl-seq", ns.name)
        started = time.monotonic()
        published(svc, docs)
        seq = states_of(stream, "etl-seq", "completed", 90)
        states = [s for _, s, _ in seq]
        FIGURES["sequence"] = [(s, round(at - started, 2)) for at, s, _ in seq]
        print("states through the stream:", FIGURES["sequence"])
        assert [s for s in states if s not in ("new", "succeeding")] == [
            "submitted",
            "running",
            "completed",
        ], states
    finally:
        stream.close()


def test_a_schedule_run_now_suspend_resume_and_delete(jobs_service, operator_namespace, kube, tmp_path):
    svc, ns = jobs_service, operator_namespace
    name = "nightly-" + uuid.uuid4().hex[:6]
    docs = manifests(
        tmp_path, name, ns.name, "--schedule", "0 3 * * *", "--tz", "Europe/Paris", "--param", "day=monday"
    )
    stream = svc_events(svc)
    try:
        stream.next(lambda e, d: e == "snapshot", timeout=20)
        published(svc, docs, kind="ScheduledSparkApplication")
        _, _, msg = stream.next(lambda e, d: e == "schedule" and d["schedule"]["name"] == name, timeout=20)
        sched = msg["schedule"]
        assert sched["schedule"] == "0 3 * * *" and sched["timeZone"] == "Europe/Paris", sched
        assert sched["suspended"] is False and sched["arguments"] == ["--day", "monday"], sched

        # Run now, with other parameters: a run labelled into the schedule, owned by it.
        status, out = call(svc, "POST", "/jobs/schedules/%s/run" % name, {"arguments": ["--day", "sunday"]})
        assert status == 200, out
        run_name = out["run"]
        assert run_name.startswith(name + "-manual-"), run_name
        app = kube.ok("GET", "%s/namespaces/%s/sparkapplications/%s" % (GROUP, ns.name, run_name))
        assert app["metadata"]["labels"][SCHEDULE_LABEL] == name
        assert app["metadata"]["labels"]["spark-k8s.jupyter.org/managed-by"] == "jupyterlab-spark-k8s"
        owner = kube.ok("GET", path_of(docs["ScheduledSparkApplication"]))
        assert [(o["kind"], o["uid"]) for o in app["metadata"]["ownerReferences"]] == [
            ("ScheduledSparkApplication", owner["metadata"]["uid"])
        ]
        assert app["spec"]["arguments"] == ["--day", "sunday"]
        # The operator runs it like any run of the schedule.
        seq = states_of(stream, run_name, "completed", 90)
        assert seq[-1][2]["scheduleName"] == name, seq[-1][2]

        # Suspend and resume: spec.suspend changes, the stream shows it.
        for suspend in (True, False):
            status, out = call(svc, "PATCH", "/jobs/schedules/%s" % name, {"suspend": suspend})
            assert status == 200 and out["suspended"] is suspend, out
            assert kube.ok("GET", path_of(docs["ScheduledSparkApplication"]))["spec"]["suspend"] is suspend
            stream.next(
                lambda e, d, s=suspend: (
                    e == "schedule" and d["schedule"]["name"] == name and d["schedule"]["suspended"] is s
                ),
                timeout=20,
            )
        status, out = call(svc, "PATCH", "/jobs/schedules/%s" % name, {"suspend": "yes"})
        assert status == 400 and "suspend" in out["message"], out

        # Deleting the schedule deletes its runs (the garbage collector).
        status, out = call(svc, "DELETE", "/jobs/schedules/%s" % name)
        assert status == 200 and out == {"deleted": name}, out
        stream.next(lambda e, d: e == "schedule-deleted" and d["name"] == name, timeout=20)
        stream.next(lambda e, d: e == "run-deleted" and d["name"] == run_name, timeout=60)
    finally:
        stream.close()


def test_run_again_with_other_parameters(jobs_service, operator_namespace, kube, tmp_path):
    svc, ns = jobs_service, operator_namespace
    docs = manifests(tmp_path, "etl-again", ns.name, "--param", "day=friday")
    published(svc, docs)
    status, out = call(
        svc, "POST", "/jobs/applications/etl-again/rerun", {"arguments": ["--day", "saturday"]}
    )
    assert status == 200, out
    run = out["run"]
    assert run.startswith("etl-again-r"), run
    app = kube.ok("GET", "%s/namespaces/%s/sparkapplications/%s" % (GROUP, ns.name, run))
    assert app["spec"]["arguments"] == ["--day", "saturday"]
    # The job ConfigMap is shared: owned by both, so deleting the original keeps it.
    cm = kube.ok("GET", path_of(docs["ConfigMap"]))
    assert sorted(o["name"] for o in cm["metadata"]["ownerReferences"]) == ["etl-again", run]
    status, out = call(svc, "POST", "/jobs/applications/etl-again/rerun", {"arguments": "--day x"})
    assert status == 400 and "list of strings" in out["message"], out


def test_errors_in_words(jobs_service, operator_namespace, cluster, kube, tmp_path_factory, tmp_path):
    svc = jobs_service
    status, out = call(svc, "DELETE", "/jobs/applications/nope")
    assert status == 404 and 'no Spark application "nope"' in out["message"], out
    status, out = call(svc, "GET", "/jobs/applications/nope/log?follow=true")
    assert status == 404 and "nope" in out["message"], out
    status, out = call(svc, "POST", "/jobs/schedules/nope/run", {})
    assert status == 404 and 'no schedule "nope"' in out["message"], out
    status, out = call(svc, "GET", "/jobs/applications/nope/log?tailLines=-3")
    assert status == 400 and "tailLines" in out["message"], out

    # Something not published from a notebook is left alone.
    ns = operator_namespace.name
    foreign = {
        "apiVersion": "sparkoperator.k8s.io/v1beta2",
        "kind": "ScheduledSparkApplication",
        "metadata": {"name": "foreign", "namespace": ns},
        "spec": {
            "schedule": "0 3 * * *",
            "suspend": True,
            "template": {
                "type": "Python",
                "mode": "cluster",
                "sparkVersion": "4.0.1",
                "mainApplicationFile": "local:///x.py",
                "driver": {},
                "executor": {},
            },
        },
    }
    kube.ok("POST", "%s/namespaces/%s/scheduledsparkapplications" % (GROUP, ns), foreign)
    status, out = call(svc, "DELETE", "/jobs/schedules/foreign")
    assert status == 403 and "not published from a notebook" in out["message"], out
    assert kube.request("GET", "%s/namespaces/%s/scheduledsparkapplications/foreign" % (GROUP, ns))[0] == 200

    # Under a Role without "create" on sparkapplications, run now is a 403 naming it.
    rules = [d for d in yaml.safe_load_all(RBAC.read_text()) if d]
    for doc in rules:
        if doc["kind"] == "Role" and doc["metadata"]["name"] == "jupyterlab-spark-k8s":
            for rule in doc["rules"]:
                if "sparkoperator.k8s.io" in rule["apiGroups"]:
                    rule["verbs"] = [v for v in rule["verbs"] if v != "create"]
    rbac = tmp_path / "rbac-no-create.yaml"
    rbac.write_text(yaml.safe_dump_all(rules))
    limited = make_namespace(cluster, kube, tmp_path_factory, rbac=rbac, prefix="nocreate")
    docs = manifests(tmp_path, "nightly-x", limited.name, "--schedule", "0 3 * * *", "--suspend")
    for doc in (docs["ConfigMap"], docs["ScheduledSparkApplication"]):
        kube.ok(
            "PATCH",
            path_of(doc) + "?fieldManager=spark-k8s-tests&force=true",
            doc,
            content_type="application/apply-patch+yaml",
        )
    other = Service(limited.kubeconfig)
    try:
        status, out = call(other, "POST", "/jobs/schedules/nightly-x/run", {})
        assert status == 403, out
        assert out["message"] == (
            'This service account may not create sparkapplications.sparkoperator.k8s.io in namespace "%s".'
            % limited.name
        ), out
        assert 'Grant "create" on "sparkapplications.sparkoperator.k8s.io"' in out["hint"], out
    finally:
        other.stop()
