"""The Jobs view's state mapping of the Apache Spark Kubernetes Operator (spark.apache.org/v1).

The Apache operator is not run here: its SparkApplications are created through the
real API server (the operator's CRD, 1.0.0) and given the statuses that operator
writes, through the status subresource, as its state machine goes (states and
their history keyed by number). GET /jobs/events must show them in the one state
model of the view, in words, and follow a change as it is written.
"""

import pytest

from .test_jobs import svc_events

GROUP = "/apis/spark.apache.org/v1"
PUBLISHED = {"spark-k8s.jupyter.org/managed-by": "jupyterlab-spark-k8s"}


def application(ns, name):
    return {
        "apiVersion": "spark.apache.org/v1",
        "kind": "SparkApplication",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": dict(PUBLISHED, **{"spark-k8s.jupyter.org/app": name}),
            "annotations": {"spark-k8s.jupyter.org/notebook-path": "etl.ipynb"},
        },
        "spec": {
            "pyFiles": "local:///opt/spark-k8s/job/job.py",
            "driverArgs": ["--day", "friday"],
            "runtimeVersions": {"sparkVersion": "4.0.1"},
            "sparkConf": {"spark.kubernetes.driver.pod.name": name + "-driver"},
        },
    }


def history(*states):
    """A stateTransitionHistory: (summary, second[, message]) in order."""
    out = {}
    for i, (summary, second, *message) in enumerate(states):
        out[str(i)] = {
            "currentStateSummary": summary,
            "lastTransitionTime": "2026-11-01T10:00:%02dZ" % second,
        }
        if message:
            out[str(i)]["message"] = message[0]
    return out


def status(*states, attempt=0):
    hist = history(*states)
    return {
        "currentState": hist[str(len(states) - 1)],
        "currentAttemptSummary": {"attemptInfo": {"id": attempt}, "stateTransitionHistory": hist},
        "stateTransitionHistory": hist,
    }


STARTED = [("Submitted", 1), ("DriverRequested", 2), ("DriverStarted", 4), ("DriverReady", 6)]

CASES = {
    "apache-new": (None, "new", None),
    "apache-running": (status(*STARTED, ("RunningHealthy", 8)), "running", None),
    "apache-done": (
        status(*STARTED, ("RunningHealthy", 8), ("Succeeded", 20), ("ResourceReleased", 21)),
        "completed",
        None,
    ),
    "apache-failed": (
        status(
            *STARTED,
            ("RunningHealthy", 8),
            ("Failed", 30, "Driver container failed with exit code 1"),
            ("ResourceReleased", 31),
            attempt=2,
        ),
        "failed",
        "Driver container failed with exit code 1",
    ),
    "apache-unschedulable": (
        status(
            ("Submitted", 1),
            ("SchedulingFailure", 2, "pods is forbidden: exceeded quota"),
            ("ResourceReleased", 3),
        ),
        "submission-failed",
        "pods is forbidden: exceeded quota",
    ),
}


def put_status(kube, ns, name, value):
    kube.ok(
        "PATCH",
        "%s/namespaces/%s/sparkapplications/%s/status" % (GROUP, ns, name),
        {"status": value},
        content_type="application/merge-patch+json",
    )


@pytest.fixture(scope="module")
def apache_apps(namespace, kube):
    ns = namespace.name
    for name, (value, _, _) in CASES.items():
        kube.ok("POST", "%s/namespaces/%s/sparkapplications" % (GROUP, ns), application(ns, name))
        if value:
            put_status(kube, ns, name, value)
    return ns


def test_apache_states_are_mapped_in_the_stream(service, apache_apps, kube):
    stream = svc_events(service)
    try:
        _, _, snap = stream.next(lambda e, d: e == "snapshot", timeout=30)
        runs = {r["name"]: r for r in snap["runs"] if r["operator"] == "apache"}
        assert sorted(runs) == sorted(CASES), snap["runs"]
        for name, (_, state, message) in CASES.items():
            run = runs[name]
            assert run["state"] == state, (name, run)
            assert run.get("errorMessage") == message, (name, run)
            if message:
                assert message in run["stateText"], run
        assert runs["apache-running"]["stateText"] == "Running"
        assert runs["apache-running"]["submittedAt"] == "2026-11-01T10:00:01Z"
        assert runs["apache-running"]["driverPod"] == "apache-running-driver"
        assert runs["apache-running"]["arguments"] == ["--day", "friday"]
        assert runs["apache-running"]["notebookPath"] == "etl.ipynb"
        assert runs["apache-done"]["endedAt"] == "2026-11-01T10:00:20Z"
        assert runs["apache-failed"]["attempts"] == 3
        assert runs["apache-new"]["attempts"] == 0

        # The operator finishing the running one: the view is told as it is written.
        put_status(
            kube,
            apache_apps,
            "apache-running",
            status(*STARTED, ("RunningHealthy", 8), ("Succeeded", 40)),
        )
        _, _, msg = stream.next(
            lambda e, d: (
                e == "run" and d["run"]["name"] == "apache-running" and d["run"]["state"] != "running"
            ),
            timeout=30,
        )
        assert msg["run"]["state"] == "succeeding", msg
        put_status(
            kube,
            apache_apps,
            "apache-running",
            status(*STARTED, ("RunningHealthy", 8), ("Succeeded", 40), ("ResourceReleased", 41)),
        )
        _, _, msg = stream.next(
            lambda e, d: (
                e == "run" and d["run"]["name"] == "apache-running" and d["run"]["state"] == "completed"
            ),
            timeout=30,
        )
        assert msg["run"]["endedAt"] == "2026-11-01T10:00:40Z", msg
    finally:
        stream.close()
