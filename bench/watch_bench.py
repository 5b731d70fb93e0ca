"""Benchmark: what one idle open Spark panel costs the API server, and how fast a pod
phase change reaches it.

Runs the real service (as jupyter-server-proxy would) against the real test API
server, opens the session event stream the panel opens, and reads the API server's
audit log for the requests the service makes. The delay of a phase change through
the service is compared with a direct watch on the API server opened in the same
run (the baseline), since machines are noisy:

    python bench/watch_bench.py [--idle-seconds 330] [--pods 10]
"""

import argparse
import json
import os
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

from cluster import DRIVER_POD, NODE_NAME, Cluster, jupyter_namespace  # noqa: E402
from integration.conftest import Service  # noqa: E402


def audit_requests(audit_log, user, since, until, resources=None):
    """Requests `user` made between two epoch times, from the API server's audit log
    (only those on `resources`, e.g. {"pods"}, when given)."""
    from datetime import datetime

    ids = set()
    with open(audit_log) as f:
        for line in f:
            e = json.loads(line)
            if e["user"].get("username") != user:
                continue
            if resources is not None and e.get("objectRef", {}).get("resource") not in resources:
                continue
            received = datetime.fromisoformat(
                e["requestReceivedTimestamp"].replace("Z", "+00:00")
            ).timestamp()
            if since <= received <= until:
                ids.add(e["auditID"])
    return len(ids)


class RawWatch:
    """The baseline: a direct watch of the namespace's pods on the API server."""

    def __init__(self, kube, namespace, session):
        import http.client

        self.seen = {}
        host, port = kube.server.replace("https://", "").split(":")
        self.conn = http.client.HTTPSConnection(host, int(port), context=kube.context, timeout=None)
        self.conn.request(
            "GET",
            "/api/v1/namespaces/%s/pods?watch=1&labelSelector=spark-k8s.jupyter.org%%2Fsession%%3D%s"
            % (namespace, session),
            headers={"Authorization": "Bearer " + kube.token},
        )
        self.resp = self.conn.getresponse()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for line in self.resp:
                ev = json.loads(line)
                pod = ev["object"]
                if pod.get("status", {}).get("phase") == "Running":
                    self.seen.setdefault(pod["metadata"]["name"], time.monotonic())
        except (OSError, ValueError, AttributeError):
            pass


def bench_cluster():
    """The running test cluster (SPARK_K8S_TEST_STATE), or one started here; and whether it was."""
    state = os.environ.get("SPARK_K8S_TEST_STATE")
    own = not (state and (pathlib.Path(state) / "cluster.json").exists())
    cluster = Cluster(tempfile.mkdtemp(prefix="spark-k8s-bench-") if own else state)
    if own:
        cluster.start()
    return cluster, own


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle-seconds", type=float, default=330)
    parser.add_argument("--pods", type=int, default=10)
    args = parser.parse_args()

    cluster, own = bench_cluster()
    try:
        kube = cluster.kube()
        ns = "bench-" + uuid.uuid4().hex[:6]
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-"))
        _, _, kc = jupyter_namespace(cluster, ns, REPO / "deploy" / "rbac.yaml", tmp)
        service = Service(kc)
        user = "system:serviceaccount:%s:jupyter" % ns
        try:
            session = uuid.uuid4().hex
            stream = service.events(session)
            stream.next(lambda e, d: e == "snapshot")
            time.sleep(3)  # initial list+watch done
            start = time.time()
            time.sleep(args.idle_seconds)
            end = time.time()
            time.sleep(1)
            idle = audit_requests(cluster.info["audit_log"], user, start, end)
            per_minute = idle * 60 / args.idle_seconds

            raw = RawWatch(kube, ns, session)
            time.sleep(1)
            via_service = []
            for i in range(args.pods):
                name = "bench-%d" % i
                kube.ok(
                    "POST",
                    "/api/v1/namespaces/%s/pods" % ns,
                    {
                        "apiVersion": "v1",
                        "kind": "Pod",
                        "metadata": {
                            "name": name,
                            "labels": {
                                "spark-k8s.jupyter.org/session": session,
                                "spark-k8s.jupyter.org/driver-pod": DRIVER_POD,
                            },
                        },
                        "spec": {"nodeName": NODE_NAME, "containers": [{"name": "c", "image": "x"}]},
                    },
                )
                # The predicates run within this iteration; `name=name` binds it anyway.
                at, _, _ = stream.next(
                    lambda e, d, name=name: e == "pod" and d["name"] == name and d["phase"] == "Running"
                )
                kube.wait(lambda name=name: name in raw.seen, timeout=30, interval=0.01, what="raw watch")
                direct_at = raw.seen[name]
                via_service.append((at - direct_at) * 1000)
            stream.close()
            service.request("DELETE", "/sessions/%s/pods" % session)
        finally:
            service.stop()
        med = statistics.median(via_service)
        print(
            "idle panel: %d API requests in %.0f s = %.2f requests/minute (goal <= 1)"
            % (idle, args.idle_seconds, per_minute)
        )
        print(
            "phase change -> panel stream: median %.1f ms later than a direct API watch (max %.1f ms, %d pods; goal < 1000 ms)"
            % (med, max(via_service), len(via_service))
        )
    finally:
        if own:
            cluster.stop()


if __name__ == "__main__":
    main()
