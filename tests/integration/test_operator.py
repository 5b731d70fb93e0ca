"""What `spark-k8s manifest` writes, run by the real kubeflow Spark operator (v2.5.2).

The operator runs out of cluster against the test API server with its webhook off
and submits with PySpark's own spark-submit, which creates the driver pod from the
application's pod template. kwok plays the driver (tests/cluster/kwok-stages.yaml):
Running after a second, then Succeeded, or Failed with a termination message when
the driver template carries the annotations `spark-k8s.test/outcome: fail` and
`spark-k8s.test/message` (the only thing the test adds to the product's manifests).
The application's state is moved by the operator alone: the test only watches it.
The controller manager's garbage collector deletes what an owner leaves behind.
"""

import json
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import uuid

import pytest
import yaml

from .conftest import REPO, node_executable

CLI = REPO / "jupyterlab_spark_k8s" / "node" / "cli.js"
GROUP = "/apis/sparkoperator.k8s.io/v1beta2"
FIELD_MANAGER = "spark-k8s-tests"
SCHEDULE_LABEL = "sparkoperator.k8s.io/scheduled-app-name"
JOB_VOLUME = "spark-k8s-job"
JOB_MOUNT = "/opt/spark-k8s/job"
OUTCOME = "spark-k8s.test/outcome"
MESSAGE = "spark-k8s.test/message"

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "c1",
            "metadata": {},
            "outputs": [],
            "source": ['dbutils.widgets.text("day", "monday")\n', "print(spark.range(3).count())"],
        }
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}

# Figures for the closing note (printed; `pytest -s` shows them).
FIGURES = {}


def manifests(tmp_path, name, namespace, *args):
    """The ConfigMap and application `spark-k8s manifest` writes for a small notebook."""
    assert CLI.exists(), "run `node scripts/bundle-node.mjs` first (scripts/setup.sh does)"
    (tmp_path / "etl.ipynb").write_text(json.dumps(NOTEBOOK))
    out = tmp_path / ("out-" + name)
    out.mkdir()
    cmd = [node_executable(), str(CLI), "manifest", "etl.ipynb", "--name", name, "--namespace", namespace]
    proc = subprocess.run([*cmd, *args, "-o", str(out)], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, "spark-k8s manifest failed:\n" + proc.stdout + proc.stderr
    docs = [d for f in sorted(out.glob("*.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    by_kind = {d["kind"]: d for d in docs}
    assert set(by_kind) in ({"ConfigMap", "SparkApplication"}, {"ConfigMap", "ScheduledSparkApplication"}), [
        d["kind"] for d in docs
    ]
    return by_kind


def path_of(obj):
    ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
    if obj["kind"] == "ConfigMap":
        return "/api/v1/namespaces/%s/configmaps/%s" % (ns, name)
    plural = {
        "SparkApplication": "sparkapplications",
        "ScheduledSparkApplication": "scheduledsparkapplications",
    }
    return "%s/namespaces/%s/%s/%s" % (GROUP, ns, plural[obj["kind"]], name)


def apply_as(kube, token, obj):
    """Server-side apply with strict field validation, as the Jupyter service account."""
    status, out = kube.request(
        "PATCH",
        path_of(obj) + "?fieldManager=%s&fieldValidation=Strict" % FIELD_MANAGER,
        obj,
        content_type="application/apply-patch+yaml",
        token=token,
    )
    assert status in (200, 201), "apply %s: %s %s" % (
        obj["metadata"]["name"],
        status,
        (out or {}).get("message"),
    )
    return out


def publish(kube, ns, docs, kind="SparkApplication"):
    """Apply the ConfigMap, then the application, then make the ConfigMap owned by it (as the service does)."""
    cm = apply_as(kube, ns.token, docs["ConfigMap"])
    app = apply_as(kube, ns.token, docs[kind])
    owner = {
        "apiVersion": app["apiVersion"],
        "kind": app["kind"],
        "name": app["metadata"]["name"],
        "uid": app["metadata"]["uid"],
    }
    kube.ok(
        "PATCH",
        path_of(docs["ConfigMap"]),
        {"metadata": {"ownerReferences": [owner]}},
        content_type="application/merge-patch+json",
        token=ns.token,
    )
    return cm, app


def fail_outcome(app, message):
    """The test's only change to a manifest: the fake kubelet ends this driver Failed with `message`."""
    meta = app["spec"]["driver"]["template"].setdefault("metadata", {})
    meta.setdefault("annotations", {}).update({OUTCOME: "fail", MESSAGE: message})


class StateWatch:
    """Every applicationState.state an application passes through, from a watch on it."""

    def __init__(self, kube, namespace, name, resource_version):
        self.states, self.objects = [], []
        self.done = threading.Event()
        query = urllib.parse.urlencode(
            {
                "watch": "true",
                "fieldSelector": "metadata.name=" + name,
                "resourceVersion": resource_version,
                "allowWatchBookmarks": "false",
                "timeoutSeconds": "120",
            }
        )
        req = urllib.request.Request(
            "%s%s/namespaces/%s/sparkapplications?%s" % (kube.server, GROUP, namespace, query)
        )
        req.add_header("Authorization", "Bearer " + kube.token)
        self.resp = urllib.request.urlopen(req, context=kube.context, timeout=130)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for line in self.resp:
                event = json.loads(line)
                obj = event["object"]
                self.objects.append(obj)
                state = ((obj.get("status") or {}).get("applicationState") or {}).get("state")
                if state and (not self.states or self.states[-1][1] != state):
                    self.states.append((time.monotonic(), state))
                if state in ("COMPLETED", "FAILED"):
                    break
        except (OSError, ValueError):
            pass
        finally:
            self.done.set()
            self.resp.close()

    def wait(self, timeout, operator_log):
        finished = self.done.wait(timeout)
        seq = [s for _, s in self.states]
        assert finished and seq and seq[-1] in ("COMPLETED", "FAILED"), (
            "the application did not finish within %ss; states seen: %s; see %s"
            % (timeout, seq, operator_log)
        )
        return seq


def driver_pod(kube, app):
    name = app["status"]["driverInfo"]["podName"]
    return kube.ok("GET", "/api/v1/namespaces/%s/pods/%s" % (app["metadata"]["namespace"], name))


def scheduled_runs(kube, namespace, name):
    selector = urllib.parse.quote("%s=%s" % (SCHEDULE_LABEL, name))
    return kube.ok(
        "GET", "%s/namespaces/%s/sparkapplications?labelSelector=%s" % (GROUP, namespace, selector)
    )["items"]


def owned_by(kube, namespace, uid):
    """Every pod, service and ConfigMap in `namespace` that `uid` owns, directly or through another."""
    objects = []
    for plural in ("pods", "services", "configmaps"):
        for obj in kube.ok("GET", "/api/v1/namespaces/%s/%s" % (namespace, plural))["items"]:
            objects.append((plural, obj["metadata"]))
    owned, found = {uid}, True
    while found:
        found = False
        for _, meta in objects:
            if meta["uid"] not in owned and any(o["uid"] in owned for o in meta.get("ownerReferences", [])):
                owned.add(meta["uid"])
                found = True
    return sorted(
        (plural, meta["name"]) for plural, meta in objects if meta["uid"] in owned and meta["uid"] != uid
    )


@pytest.fixture(scope="module")
def schedule(kube, operator_namespace, tmp_path_factory):
    """A ScheduledSparkApplication every minute, published first so its first run is due by the last test."""
    name = "nightly-" + uuid.uuid4().hex[:6]
    docs = manifests(
        tmp_path_factory.mktemp("schedule"),
        name,
        operator_namespace.name,
        "--schedule",
        "* * * * *",
        "--tz",
        "Europe/Paris",
    )
    publish(kube, operator_namespace, docs, kind="ScheduledSparkApplication")
    yield docs["ScheduledSparkApplication"]
    # No more runs once the module is done, whatever happened.
    kube.request("DELETE", path_of(docs["ScheduledSparkApplication"]))


def test_the_operator_runs_a_published_application_to_completed(
    kube, operator_namespace, operator_log, schedule, tmp_path
):
    ns = operator_namespace
    docs = manifests(tmp_path, "etl-ok", ns.name, "--param", "day=friday")
    app_doc = docs["SparkApplication"]
    sa = app_doc["spec"]["driver"]["serviceAccount"]
    status, _ = kube.request("GET", "/api/v1/namespaces/%s/serviceaccounts/%s" % (ns.name, sa))
    assert status == 200, "the driver service account %r the manifests name is not in deploy/rbac.yaml" % sa

    started = time.monotonic()
    cm, created = publish(kube, ns, docs)
    watch = StateWatch(kube, ns.name, "etl-ok", created["metadata"]["resourceVersion"])
    seq = watch.wait(90, operator_log)
    FIGURES["apply_to_completed_s"] = round(watch.states[-1][0] - started, 2)
    FIGURES["apply_to_submitted_s"] = round(watch.states[0][0] - started, 2)
    print("states:", seq, "figures:", FIGURES)

    # SUCCEEDING is how the operator passes from RUNNING to COMPLETED.
    assert [s for s in seq if s != "SUCCEEDING"] == ["SUBMITTED", "RUNNING", "COMPLETED"], (
        "states seen: %s; see %s" % (seq, operator_log)
    )
    app = kube.ok("GET", path_of(app_doc))
    # The status was written by the operator, never by this test.
    writers = {m["manager"] for m in app["metadata"]["managedFields"] if m.get("subresource") == "status"}
    assert writers and FIELD_MANAGER not in writers, writers

    pod = driver_pod(kube, app)
    assert pod["metadata"]["labels"]["spark-role"] == "driver"
    assert pod["status"]["phase"] == "Succeeded"
    owners = pod["metadata"].get("ownerReferences", [])
    assert [o["uid"] for o in owners] == [app["metadata"]["uid"]], owners
    # The job ConfigMap reached the driver through the pod template, with no webhook.
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes[JOB_VOLUME]["configMap"]["name"] == cm["metadata"]["name"]
    main = next(c for c in pod["spec"]["containers"] if c["name"] == "spark-kubernetes-driver")
    mounts = {m["name"]: m for m in main["volumeMounts"]}
    assert mounts[JOB_VOLUME]["mountPath"] == JOB_MOUNT and mounts[JOB_VOLUME].get("readOnly") is True
    assert main["terminationMessagePolicy"] == "FallbackToLogsOnError"
    # spark-submit ran the job script from the mount, with the widget value as arguments.
    args = main["args"]
    assert "local://%s/job.py" % JOB_MOUNT in args, args
    assert args[-2:] == ["--day", "friday"], args


def test_a_failing_driver_ends_failed_with_its_termination_message(
    kube, operator_namespace, operator_log, tmp_path
):
    ns = operator_namespace
    docs = manifests(tmp_path, "etl-bad", ns.name)
    message = "Cell 3 (Load orders) failed: ZeroDivisionError: division by zero"
    fail_outcome(docs["SparkApplication"], message)
    _, created = publish(kube, ns, docs)
    seq = StateWatch(kube, ns.name, "etl-bad", created["metadata"]["resourceVersion"]).wait(90, operator_log)
    assert [s for s in seq if s != "FAILING"] == ["SUBMITTED", "RUNNING", "FAILED"], (
        "states seen: %s; see %s" % (seq, operator_log)
    )
    app = kube.ok("GET", path_of(docs["SparkApplication"]))
    # The operator records the exit code; the message is the driver pod's termination message.
    assert "ExitCode: 1" in app["status"]["applicationState"]["errorMessage"], app["status"]
    terminated = next(
        c["state"]["terminated"]
        for c in driver_pod(kube, app)["status"]["containerStatuses"]
        if c["name"] == "spark-kubernetes-driver"
    )
    assert terminated["message"] == message and terminated["exitCode"] == 1


def test_deleting_an_application_deletes_what_it_owns(kube, operator_namespace, operator_log, tmp_path):
    ns = operator_namespace
    docs = manifests(tmp_path, "etl-gc", ns.name)
    cm, created = publish(kube, ns, docs)
    StateWatch(kube, ns.name, "etl-gc", created["metadata"]["resourceVersion"]).wait(90, operator_log)
    app = kube.ok("GET", path_of(docs["SparkApplication"]))
    owned = owned_by(kube, ns.name, app["metadata"]["uid"])
    # The job ConfigMap (owned as the service owns it), the driver pod, its services and
    # Spark's conf maps.
    assert ("configmaps", cm["metadata"]["name"]) in owned, owned
    assert ("pods", app["status"]["driverInfo"]["podName"]) in owned, owned
    assert {plural for plural, _ in owned} == {"configmaps", "pods", "services"}, owned

    # Deleted as the Jupyter service account, the way the panel deletes; the garbage
    # collector deletes everything it owned.
    kube.ok("DELETE", path_of(docs["SparkApplication"]), token=ns.token)

    def left():
        paths = ["/api/v1/namespaces/%s/%s/%s" % (ns.name, plural, name) for plural, name in owned]
        return [p for p in paths if kube.request("GET", p)[0] != 404]

    kube.wait(lambda: not left(), timeout=60, what="the garbage collector to delete %s" % owned)
    assert kube.request("GET", path_of(docs["SparkApplication"]))[0] == 404


def test_a_schedule_creates_runs_it_owns(kube, operator_namespace, operator_log, schedule):
    ns, name = operator_namespace.name, schedule["metadata"]["name"]
    sched_path = path_of(schedule)
    sched = kube.ok("GET", sched_path)
    assert sched["spec"]["timeZone"] == "Europe/Paris"
    # "* * * * *": the first run is due at the next minute (the module's other tests ran meanwhile).
    runs = kube.wait(
        lambda: scheduled_runs(kube, ns, name),
        timeout=75,
        what="a run of the schedule; see %s" % operator_log,
    )
    for run in runs:
        owners = [(o["kind"], o["uid"]) for o in run["metadata"]["ownerReferences"]]
        assert owners == [("ScheduledSparkApplication", sched["metadata"]["uid"])], owners
        # The run is the schedule's template: the job ConfigMap mounted through the pod template.
        template = schedule["spec"]["template"]["driver"]["template"]
        assert run["spec"]["driver"]["template"]["spec"]["volumes"] == template["spec"]["volumes"]

    def last_run():
        return (kube.ok("GET", sched_path).get("status") or {}).get("lastRunName")

    run_name = kube.wait(last_run, timeout=30, what="the schedule's status to name its run")
    status = kube.ok("GET", sched_path)["status"]
    assert status["scheduleState"] == "Scheduled", status
    assert run_name in [r["metadata"]["name"] for r in scheduled_runs(kube, ns, name)]

    # A run is an application like any other: the operator takes it to COMPLETED.
    def completed():
        app = kube.ok("GET", "%s/namespaces/%s/sparkapplications/%s" % (GROUP, ns, run_name))
        return ((app.get("status") or {}).get("applicationState") or {}).get("state") == "COMPLETED"

    kube.wait(completed, timeout=60, what="the scheduled run to complete; see %s" % operator_log)

    # Deleting the schedule deletes its runs (garbage collection of owned objects).
    kube.ok("DELETE", sched_path, token=operator_namespace.token)
    kube.wait(
        lambda: not scheduled_runs(kube, ns, name), timeout=60, what="the schedule's runs to be deleted"
    )
