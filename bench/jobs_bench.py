"""Benchmark: the Jobs view's stream with many applications in the namespace.

Runs the real service (as jupyter-server-proxy would) against the real test API
server, in a namespace holding `--apps` published SparkApplications (created
directly with the admin token; the namespace is not one the operator manages, so
nothing is submitted). It prints:

- the time from opening GET /jobs/events to its snapshot (the view opening);
- API requests per minute of an idle open stream, from the API server's audit log;
- the delay from the API server having a change (a status patch answered) to the
  stream delivering it, against a direct watch opened in the same run (median, p95).

    python bench/jobs_bench.py [--apps 200] [--changes 40] [--idle-seconds 330]
"""

import argparse
import http.client
import json
import pathlib
import statistics
import sys
import tempfile
import threading
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "cluster"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from watch_bench import audit_requests, bench_cluster  # noqa: E402

JOBS_RESOURCES = {"sparkapplications", "scheduledsparkapplications"}

from cluster import jupyter_namespace  # noqa: E402
from integration.conftest import EventStream, Service  # noqa: E402

GROUP = "/apis/sparkoperator.k8s.io/v1beta2"
MANAGED = {"spark-k8s.jupyter.org/managed-by": "jupyterlab-spark-k8s"}


def app_spec():
    """The spec of a benchmark's published application (never submitted: no operator)."""
    return {
        "type": "Python",
        "mode": "cluster",
        "sparkVersion": "4.0.1",
        "mainApplicationFile": "local:///opt/spark-k8s/job/job.py",
        "arguments": ["--day", "friday"],
        "driver": {"cores": 1, "memory": "512m"},
        "executor": {"cores": 1, "memory": "512m", "instances": 1},
    }


def application(ns, name):
    return {
        "apiVersion": "sparkoperator.k8s.io/v1beta2",
        "kind": "SparkApplication",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": dict(MANAGED, **{"spark-k8s.jupyter.org/app": name}),
        },
        "spec": app_spec(),
    }


class RawWatch:
    """The baseline: a direct watch of the namespace's SparkApplications."""

    def __init__(self, kube, namespace):
        self.seen = {}
        host, port = kube.server.replace("https://", "").split(":")
        self.conn = http.client.HTTPSConnection(host, int(port), context=kube.context, timeout=None)
        self.conn.request(
            "GET",
            "%s/namespaces/%s/sparkapplications?watch=1" % (GROUP, namespace),
            headers={"Authorization": "Bearer " + kube.token},
        )
        self.resp = self.conn.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for line in self.resp:
                obj = json.loads(line)["object"]
                msg = ((obj.get("status") or {}).get("applicationState") or {}).get("errorMessage")
                if msg:
                    self.seen.setdefault(msg, time.monotonic())
        except (OSError, ValueError, AttributeError):
            pass


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--idle-seconds", type=float, default=330)
    args = parser.parse_args()

    cluster, own = bench_cluster()
    try:
        kube = cluster.kube()
        ns = "jobs-bench-" + uuid.uuid4().hex[:6]
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-"))
        _, _, kc = jupyter_namespace(cluster, ns, REPO / "deploy" / "rbac.yaml", tmp)
        names = ["app-%03d" % i for i in range(args.apps)]
        for name in names:
            kube.ok("POST", "%s/namespaces/%s/sparkapplications" % (GROUP, ns), application(ns, name))
        service = Service(kc)
        user = "system:serviceaccount:%s:jupyter" % ns
        try:
            opened = time.monotonic()
            stream = EventStream(service, "/jobs/events")
            at, _, snap = stream.next(lambda e, d: e == "snapshot", timeout=60)
            first_open_ms = (at - opened) * 1000
            assert len(snap["runs"]) == args.apps, len(snap["runs"])
            # A second view shares the watches: its snapshot comes from memory.
            opened = time.monotonic()
            second = EventStream(service, "/jobs/events")
            at, _, snap2 = second.next(lambda e, d: e == "snapshot", timeout=60)
            second_open_ms = (at - opened) * 1000
            second.close()
            snapshot_bytes = len(json.dumps(snap2))

            time.sleep(3)
            start = time.time()
            time.sleep(args.idle_seconds)
            end = time.time()
            time.sleep(1)
            idle = audit_requests(cluster.info["audit_log"], user, start, end)
            # The view's own watches; the rest are the pod and event watches every panel
            # shares, which run whether or not a Jobs view is open.
            idle_jobs = audit_requests(cluster.info["audit_log"], user, start, end, JOBS_RESOURCES)
            per_minute = idle * 60 / args.idle_seconds

            raw = RawWatch(kube, ns)
            time.sleep(1)
            via_service, via_raw, behind_raw = [], [], []
            for i in range(args.changes):
                name = names[(i * 37) % len(names)]
                tick = "tick-%d-%s" % (i, uuid.uuid4().hex[:4])
                kube.ok(
                    "PATCH",
                    "%s/namespaces/%s/sparkapplications/%s/status" % (GROUP, ns, name),
                    {
                        "status": {
                            "applicationState": {"state": "RUNNING", "errorMessage": tick},
                            "driverInfo": {},
                        }
                    },
                    content_type="application/merge-patch+json",
                )
                answered = time.monotonic()
                got, _, _ = stream.next(
                    lambda e, d, tick=tick: e == "run" and d["run"].get("errorMessage") == tick, timeout=30
                )
                kube.wait(lambda tick=tick: tick in raw.seen, timeout=30, interval=0.005, what="raw watch")
                via_service.append((got - answered) * 1000)
                via_raw.append((raw.seen[tick] - answered) * 1000)
                behind_raw.append((got - raw.seen[tick]) * 1000)
            stream.close()
        finally:
            service.stop()
        print(
            "view opens with %d applications: snapshot %.0f ms after GET /jobs/events (first view, list+watch "
            "started), %.0f ms for a second view (%d bytes)"
            % (args.apps, first_open_ms, second_open_ms, snapshot_bytes)
        )
        print(
            "idle Jobs view: %d requests on Spark applications and schedules in %.0f s = %.2f/minute"
            " (goal <= 1); the service in all, with its pod and event watches: %d = %.2f/minute"
            % (idle_jobs, args.idle_seconds, idle_jobs * 60 / args.idle_seconds, idle, per_minute)
        )
        print(
            "status change -> /jobs/events: median %.1f ms, p95 %.1f ms after the API server answered the patch; "
            "a direct watch: median %.1f ms, p95 %.1f ms; the stream behind the direct watch: median %.1f ms, "
            "p95 %.1f ms (%d changes, %d applications; goal < 1000 ms)"
            % (
                statistics.median(via_service),
                pct(via_service, 95),
                statistics.median(via_raw),
                pct(via_raw, 95),
                statistics.median(behind_raw),
                pct(behind_raw, 95),
                len(via_service),
                args.apps,
            )
        )
        kube.request("DELETE", "/api/v1/namespaces/%s" % ns)
    finally:
        if own:
            cluster.stop()


if __name__ == "__main__":
    main()
