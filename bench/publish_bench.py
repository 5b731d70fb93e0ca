"""Benchmark: publish click -> objects created, through the real service.

Runs the service (as jupyter-server-proxy would) under the shipped Role against the
real test API server and publishes N distinct versions of one notebook (built by
`spark-k8s manifest`, so the product's own objects) with POST /publish: strict
server-side dry run of both objects, server-side apply of the ConfigMap and the
application, the ConfigMap's owner reference, removal of the previous version. The
baseline, in the same run and interleaved: a direct server-side apply of the same two
objects with the admin token (two requests, no dry run, no cleanup). Figures, not
assertions:

    python bench/publish_bench.py [--versions 20]
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "cluster"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from watch_bench import bench_cluster  # noqa: E402

from cluster import jupyter_namespace  # noqa: E402
from integration.conftest import Service, node_executable  # noqa: E402

CLI_JS = REPO / "jupyterlab_spark_k8s" / "node" / "cli.js"


def objects_for(work, name, namespace, i):
    """`spark-k8s manifest` of a one-cell notebook whose content differs by version."""
    import yaml

    nb = work / ("%s.ipynb" % name)
    nb.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "source": "print('version %d')" % i,
                        "outputs": [],
                        "execution_count": None,
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    out = subprocess.run(
        [node_executable(), str(CLI_JS), "manifest", nb.name, "--name", name, "--namespace", namespace],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def post(service, body):
    conn = service.connection(60)
    conn.request(
        "POST", "/publish", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    resp = conn.getresponse()
    data = json.loads(resp.read())
    conn.close()
    if resp.status != 200:
        raise RuntimeError("publish failed: %s" % data)
    return data


def direct_apply(kube, objects, namespace):
    for obj in objects:
        obj = json.loads(json.dumps(obj))
        obj["metadata"]["namespace"] = namespace
        if obj["kind"] == "ConfigMap":
            path = "/api/v1/namespaces/%s/configmaps/%s" % (namespace, obj["metadata"]["name"])
        else:
            path = "/apis/%s/namespaces/%s/%ss/%s" % (
                obj["apiVersion"],
                namespace,
                obj["kind"].lower(),
                obj["metadata"]["name"],
            )
        kube.ok(
            "PATCH",
            path + "?fieldManager=bench-baseline&force=true",
            obj,
            content_type="application/apply-patch+yaml",
        )


def audit_count(audit_log, user, since, until):
    from datetime import datetime

    ids = set()
    with open(audit_log) as f:
        for line in f:
            e = json.loads(line)
            if e["user"].get("username") != user:
                continue
            at = datetime.fromisoformat(e["requestReceivedTimestamp"].replace("Z", "+00:00")).timestamp()
            if since <= at <= until:
                ids.add(e["auditID"])
    return len(ids)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=20)
    args = parser.parse_args()

    cluster, own = bench_cluster()
    try:
        kube = cluster.kube()
        suffix = uuid.uuid4().hex[:6]
        ns, base_ns = "bench-pub-" + suffix, "bench-base-" + suffix
        tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-publish-"))
        _, _, kc = jupyter_namespace(cluster, ns, REPO / "deploy" / "rbac.yaml", tmp)
        kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": base_ns}})
        versions = [objects_for(tmp, "bench-etl", ns, i) for i in range(args.versions)]
        service = Service(kc)
        user = "system:serviceaccount:%s:jupyter" % ns
        via_service, direct, removed = [], [], 0
        try:
            post(service, {"objects": versions[0], "dryRun": True})  # warm up the connection
            start = time.time()
            for objects in versions:
                t0 = time.perf_counter()
                out = post(service, {"objects": objects})
                via_service.append((time.perf_counter() - t0) * 1000)
                removed += len(out["removed"])
                t0 = time.perf_counter()
                direct_apply(kube, objects, base_ns)
                direct.append((time.perf_counter() - t0) * 1000)
            end = time.time()
        finally:
            service.stop()
        time.sleep(1)
        requests = audit_count(cluster.info["audit_log"], user, start, end)
        med, med_base = statistics.median(via_service), statistics.median(direct)
        print("publish (%d versions, one application, %d old ConfigMaps removed)" % (len(versions), removed))
        print("  %-40s %9s %9s" % ("", "median", "p95"))
        print("  %-40s %7.1f ms %7.1f ms" % ("POST /publish (service)", med, p95(via_service)))
        print(
            "  %-40s %7.1f ms %7.1f ms" % ("direct SSA of the two objects (baseline)", med_base, p95(direct))
        )
        print(
            "  ratio of medians: %.2fx; API requests per publish: %.1f"
            % (med / med_base, requests / len(versions))
        )
    finally:
        if own:
            cluster.stop()


if __name__ == "__main__":
    main()
