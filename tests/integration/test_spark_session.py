"""Real PySpark in client mode against the real API server: Spark's own Kubernetes
scheduler backend creates the executor pods, kwok runs them, Stop deletes them,
and a killed kernel's pods are deleted by the service's reaper."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid

import pytest

from .conftest import DRIVER_POD, REPO, Service

SESSION_LABEL = "spark-k8s.jupyter.org/session"
CORE = REPO / "build" / "test" / "core" / "index.js"


def session_conf(namespace, session_id, info):
    """The conf the panel builds (core.sessionConf), computed by the compiled core."""
    assert CORE.exists(), "run `npm run build:test` first (scripts/test.sh does)"
    profile = {
        "name": "k8s",
        "kind": "kubernetes",
        "image": "apache/spark:4.3.0-python3",
        "executorInstances": 2,
        "executorMemory": "512m",
        # No executor can register with a fake node: do not wait for them.
        "conf": {"spark.scheduler.minRegisteredResourcesRatio": "0", "spark.ui.enabled": "false"},
    }
    script = "const c = require(%s); process.stdout.write(JSON.stringify(c.sessionConf(%s, %s)))" % (
        json.dumps(str(CORE)),
        json.dumps(profile),
        json.dumps({"appName": "e2e", "cluster": info, "sessionId": session_id}),
    )
    return json.loads(
        subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True).stdout
    )


# The runtime archive the build made: the bytes the kernel and jobs load.
ARCHIVE = REPO / "jupyterlab_spark_k8s" / "spark_k8s_runtime.zip"

KERNEL = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import spark_k8s_runtime as rt
    info = rt.start_session(json.loads(sys.argv[2]))
    print("READY", json.dumps(info), flush=True)
    if sys.stdin.readline().strip() == "stop":
        rt.stop_session()
        print("STOPPED", flush=True)
""")


def start_kernel(conf):
    return subprocess.Popen(
        [sys.executable, "-c", KERNEL, str(ARCHIVE), json.dumps(conf)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_ready(kernel):
    line = kernel.stdout.readline()
    assert line.startswith("READY"), kernel.stderr.read()[-4000:]
    return json.loads(line[6:])


def pods_of(kube, namespace, session):
    path = "/api/v1/namespaces/%s/pods?labelSelector=%s%%3D%s" % (namespace.name, SESSION_LABEL, session)
    return kube.ok("GET", path)["items"]


def running(kube, namespace, session, n):
    pods = pods_of(kube, namespace, session)
    return len(pods) == n and all(p["status"].get("phase") == "Running" for p in pods) and pods


@pytest.fixture(scope="module")
def service(namespace):
    svc = Service(namespace.kubeconfig)
    yield svc
    svc.stop()


def test_executors_are_pods_and_stop_deletes_them(service, kube, namespace):
    _, info = service.request("GET", "/cluster")
    session = uuid.uuid4().hex
    conf = session_conf(namespace, session, info)
    assert conf["spark.master"] == "k8s://" + info["server"]
    kernel = start_kernel(conf)
    try:
        ready = wait_ready(kernel)
        assert ready["master"].startswith("k8s://https://127.0.0.1:")
        pods = kube.wait(
            lambda: running(kube, namespace, session, 2), timeout=120, what="2 Running executors"
        )
        for pod in pods:
            meta = pod["metadata"]
            assert meta["labels"]["spark-role"] == "executor"
            assert meta["labels"]["spark-k8s.jupyter.org/driver-pod"] == DRIVER_POD
            assert meta["annotations"]["spark-k8s.jupyter.org/kernel-pid"] == str(kernel.pid)
            owner = meta["ownerReferences"][0]
            assert (owner["kind"], owner["name"]) == ("Pod", DRIVER_POD)
        kernel.stdin.write("stop\n")
        kernel.stdin.flush()
        assert kernel.stdout.readline().startswith("STOPPED")
        kube.wait(lambda: not pods_of(kube, namespace, session), timeout=60, what="executors deleted on stop")
    finally:
        if kernel.poll() is None:
            os.killpg(kernel.pid, signal.SIGKILL)


def test_killed_kernel_executors_are_reaped(service, kube, namespace):
    _, info = service.request("GET", "/cluster")
    session = uuid.uuid4().hex
    kernel = start_kernel(session_conf(namespace, session, info))
    wait_ready(kernel)
    kube.wait(lambda: running(kube, namespace, session, 2), timeout=120, what="2 Running executors")
    # SIGKILL the kernel and its JVM together: no Spark shutdown hook runs.
    os.killpg(kernel.pid, signal.SIGKILL)
    kernel.wait()
    kube.wait(lambda: not pods_of(kube, namespace, session), timeout=60, what="the reaper")
    # The reaper logs after its delete call returns, which may be after the pods are gone.
    kube.wait(
        lambda: "reaper: deleted 2 executor pod(s) of session %s" % session in service.logs(),
        timeout=10,
        what="the reaper's log line",
    )


def test_secrets_are_read_from_a_real_secret_and_never_printed(service, kube, namespace):
    import base64

    kube.ok(
        "POST",
        "/api/v1/namespaces/%s/secrets" % namespace.name,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "prod-db"},
            "data": {
                "password": base64.b64encode(b"correct-horse-battery").decode(),
                "user": base64.b64encode(b"etl").decode(),
            },
        },
    )
    _, info = service.request("GET", "/cluster")
    conf = session_conf(namespace, uuid.uuid4().hex, info)
    conf["spark.executor.instances"] = "1"
    script = textwrap.dedent("""
        import json, sys
        sys.path.insert(0, sys.argv[1])
        import spark_k8s_runtime as rt
        rt.start_session(json.loads(sys.argv[2]), secret_scopes=json.loads(sys.argv[3]))
        value = rt.dbutils.secrets.get("prod-db", "password")
        print("read", len(value), "chars:", value)
        print("keys", [m.key for m in rt.dbutils.secrets.list("prod-db")])
        try:
            rt.dbutils.secrets.get("prod-db", "nope")
        except rt.SparkK8sError as e:
            print("error", e)
        rt.stop_session()
    """)
    # The scopes as the panel resolves them (core): every Secret under its own name.
    resolve = (
        "const c = require(%s); process.stdout.write(JSON.stringify(c.resolveScopes(c.kernelScopes({}, %s))))"
        % (json.dumps(str(CORE)), json.dumps([{"name": "prod-db", "keys": ["password", "user"]}]))
    )
    scopes = subprocess.run(["node", "-e", resolve], check=True, capture_output=True, text=True).stdout
    proc = subprocess.run(
        [sys.executable, "-c", script, str(ARCHIVE), json.dumps(conf), scopes],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "read 21 chars: [REDACTED]" in proc.stdout
    assert "keys ['password', 'user']" in proc.stdout
    assert "has no key 'nope'; it has: password, user" in proc.stdout
    assert "correct-horse" not in proc.stdout
