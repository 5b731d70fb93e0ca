"""Benchmark: session start for each profile kind through ``start_session``, as a ratio to
building the same SparkSession by hand in the same run.

Each sample is a fresh Python process (a fresh JVM for classic sessions), timed inside
it from the first line of the start to a session ready for work:

- runtime: import the runtime from its archive (as the kernel does) and
  ``start_session(conf)`` (for Connect it reads the token from its file and makes the
  first call to the server);
- by hand: ``SparkSession.builder`` with the same settings and ``getOrCreate()`` (for
  Connect ``remote("sc://localhost:PORT/;token=…")`` plus ``spark.version``, the first call).

Kinds: local (``local[2]``), standalone (a real master + worker) and connect (a real
Spark Connect server with a token), both from tests/servers/spark.py (the servers the
environment names, else started here and stopped at the end), and kubernetes (client
mode, two executor pods) against the test cluster when SPARK_K8S_TEST_STATE names one
(in a namespace of its own, deleted at the end). Samples alternate runtime / by hand.
It prints medians and ratios; it is not pass/fail.

    python bench/session_start_bench.py [--runs 5] [--kinds local,standalone,connect]
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import textwrap
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jupyterlab_spark_k8s.tests.conftest import _spark_servers_module, runtime_prelude  # noqa: E402

RUNTIME = """
import time
_t0 = time.perf_counter()
{prelude}
rt.start_session({conf!r})
print("ELAPSED", time.perf_counter() - _t0)
rt.stop_session()
"""

BY_HAND = """
import time
_t0 = time.perf_counter()
from pyspark.sql import SparkSession
{build}
print("ELAPSED", time.perf_counter() - _t0)
spark.stop()
"""


def sample(code):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPARK_K8S_"))}
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("ELAPSED "):
            return float(line.split()[1])
    raise RuntimeError(f"a sample failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")


def classic_build(conf):
    lines = ["builder = SparkSession.builder"]
    lines += [
        f"builder = builder.config({k!r}, {v!r})"
        for k, v in conf.items()
        if not k.startswith("spark.jupyter.")
    ]
    lines.append("spark = builder.getOrCreate()")
    return "\n".join(lines)


def kinds(servers):
    common = {"spark.ui.showConsoleProgress": "false", "spark.sql.shuffle.partitions": "2"}
    local = {"spark.master": "local[2]", "spark.app.name": "bench-local", **common}
    standalone = {
        "spark.master": servers["SPARK_K8S_TEST_STANDALONE_MASTER"],
        "spark.app.name": "bench-standalone",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.executor.memory": "512m",
        "spark.cores.max": "1",
        "spark.jupyter.masterUi": servers["SPARK_K8S_TEST_STANDALONE_UI"],
        **common,
    }
    remote = servers["SPARK_K8S_TEST_CONNECT_REMOTE"]
    token_file = servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]
    connect = {"spark.remote": remote, "spark.jupyter.connect.tokenFile": token_file}
    port = remote.rsplit(":", 1)[1]
    connect_build = (
        f"token = open({token_file!r}).read().strip()\n"
        f"spark = SparkSession.builder.remote('sc://localhost:{port}/;token=' + token).getOrCreate()\n"
        "spark.version"
    )
    return {
        "local": (local, classic_build(local)),
        "standalone": (standalone, classic_build(standalone)),
        "connect": (connect, connect_build),
    }


def kubernetes_kind(cleanups):
    """The kubernetes kind against the test cluster SPARK_K8S_TEST_STATE names (a namespace of its own
    under deploy/rbac.yaml with the Jupyter pod, as the integration tests make), or None."""
    state = os.environ.get("SPARK_K8S_TEST_STATE")
    if not state:
        return None
    sys.path.insert(0, str(REPO / "tests" / "cluster"))
    import cluster as test_cluster

    cluster = test_cluster.Cluster(state)
    name = "bench-" + uuid.uuid4().hex[:8]
    folder = tempfile.mkdtemp(prefix="spark-k8s-bench-ns-")
    _, token_file, _ = test_cluster.jupyter_namespace(cluster, name, REPO / "deploy" / "rbac.yaml", folder)
    cleanups.append(lambda: cluster.kube().request("DELETE", f"/api/v1/namespaces/{name}"))
    conf = {
        "spark.master": "k8s://" + cluster.info["server"],
        "spark.app.name": "bench-k8s",
        "spark.kubernetes.namespace": name,
        "spark.kubernetes.authenticate.oauthTokenFile": str(token_file),
        "spark.kubernetes.authenticate.caCertFile": str(cluster.info["ca"]),
        "spark.kubernetes.container.image": "apache/spark:4.3.0-python3",
        "spark.kubernetes.driver.pod.name": test_cluster.DRIVER_POD,
        # As the panel labels a session's executors (the namespace's admission policy asks for them).
        "spark.kubernetes.executor.label.spark-k8s.jupyter.org/session": uuid.uuid4().hex,
        "spark.kubernetes.executor.label.spark-k8s.jupyter.org/driver-pod": test_cluster.DRIVER_POD,
        # What src/core/session/conf.ts adds to every kubernetes session.
        "spark.submit.deployMode": "client",
        "spark.authenticate": "true",
        "spark.network.crypto.enabled": "true",
        "spark.kubernetes.authenticate.executor.serviceAccountName": "spark-executor",
        "spark.sql.variable.substitute": "false",
        "spark.jupyter.driverPorts": "7078-7099",
        "spark.executor.instances": "2",
        "spark.executor.memory": "512m",
        "spark.driver.host": "127.0.0.1",
        # kwok's executors never register: the start does not wait for them.
        "spark.scheduler.minRegisteredResourcesRatio": "0",
        "spark.ui.showConsoleProgress": "false",
    }
    return conf, classic_build(conf)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kinds", default="local,standalone,connect")
    args = parser.parse_args()
    module = _spark_servers_module()
    started = None
    if all(os.environ.get(name) for name in module.ENV_NAMES):
        servers = {name: os.environ[name] for name in module.ENV_NAMES}
    else:
        started = tempfile.mkdtemp(prefix="spark-k8s-bench-servers-")
        servers = module.start(started)
    prelude = runtime_prelude()
    results = {}
    cleanups = []
    try:
        table = kinds(servers)
        kubernetes = kubernetes_kind(cleanups)
        if kubernetes is not None:
            table["kubernetes"] = kubernetes
            args.kinds += ",kubernetes"
        for kind in args.kinds.split(","):
            conf, build = table[kind]
            runtime, by_hand = [], []
            for _ in range(args.runs):
                runtime.append(sample(RUNTIME.format(prelude=prelude, conf=conf)))
                by_hand.append(sample(BY_HAND.format(build=build)))
            results[kind] = {
                "runtime_median_s": round(statistics.median(runtime), 3),
                "by_hand_median_s": round(statistics.median(by_hand), 3),
                "ratio": round(statistics.median(runtime) / statistics.median(by_hand), 2),
                "runs": args.runs,
            }
            print(
                f"{kind:10} start_session {results[kind]['runtime_median_s']:7.3f} s   by hand "
                f"{results[kind]['by_hand_median_s']:7.3f} s   ratio {results[kind]['ratio']:.2f}  (median of {args.runs})",
                flush=True,
            )
    finally:
        for cleanup in cleanups:
            try:
                cleanup()
            except Exception as exc:  # noqa: BLE001 - report, then stop the servers anyway
                print(f"cleanup failed: {exc}", file=sys.stderr)
        if started:
            module.stop(started)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
