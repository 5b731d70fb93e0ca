"""The live Spark UI of a running driver, through the service (issue 10).

A real Spark driver (local PySpark, its UI on 127.0.0.1:PORT) plays the driver
of a published application: the application is published through the service
with `spark.ui.port=PORT`, the real kubeflow operator submits it, and kwok gives
the driver pod the IP 127.0.0.1 (the annotation spark-k8s.test/pod-ip, see
tests/cluster/kwok-stages.yaml). GET /jobs/applications/<name>/ui/… must then
answer with that driver's own pages, its links under the proxy's prefix.
"""

import json
import re
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from .conftest import UnixHTTPConnection  # noqa: F401 (the service's transport)
from .test_jobs import call, driver_runs_for, published, states_of, svc_events
from .test_operator import GROUP, manifests

POD_IP = "spark-k8s.test/pod-ip"
# What jupyter-server-proxy sends the service: the context its users see.
CONTEXT = "/user/ada/spark-k8s-api"
JOB_DESCRIPTION = "counted for the proxied UI test"

DRIVER = textwrap.dedent(
    """
    import sys
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName(sys.argv[2])
        .config("spark.ui.port", sys.argv[1])
        .config("spark.port.maxRetries", "0")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setJobDescription(sys.argv[3])
    spark.range(100).count()
    print("READY", flush=True)
    sys.stdin.read()
    spark.stop()  # the UI goes with it
    """
)


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def spark_driver():
    """A real Spark driver whose UI listens on 127.0.0.1:port; (port, app name, process)."""
    port, app_name = free_port(), "proxied-ui-" + uuid.uuid4().hex[:6]
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(port), app_name, JOB_DESCRIPTION],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip() == "READY":
            break
    assert lines and lines[-1].strip() == "READY", "the Spark driver did not start:\n" + "".join(lines[-40:])
    yield port, app_name, proc
    if proc.poll() is None:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=60)


def get(svc, path, headers=None, method="GET"):
    conn = svc.connection(timeout=60)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), body.decode(errors="replace")


@pytest.fixture(scope="module")
def ui_service(operator_namespace):
    from .conftest import Service

    svc = Service(operator_namespace.kubeconfig)
    yield svc
    svc.stop()


def test_the_running_driver_ui_is_proxied(ui_service, operator_namespace, spark_driver, tmp_path):
    svc, ns = ui_service, operator_namespace
    port, app_name, driver = spark_driver
    name = "etl-ui"
    docs = manifests(tmp_path, name, ns.name)
    app = docs["SparkApplication"]
    app["spec"].setdefault("sparkConf", {})["spark.ui.port"] = str(port)
    driver_runs_for(app, 600)
    app["spec"]["driver"]["template"]["metadata"]["annotations"][POD_IP] = "127.0.0.1"
    stream = svc_events(svc)
    try:
        stream.next(lambda e, d: e == "snapshot", timeout=20)
        published(svc, docs)
        states_of(stream, name, "running", 120)
    finally:
        stream.close()
    ui = "/jobs/applications/%s/ui" % name
    try:
        # The route without its slash: to the slash (relative to the service root,
        # where jupyter-server-proxy puts its own prefix back).
        status, headers, _ = get(svc, ui, {"X-Forwarded-Context": CONTEXT})
        assert status == 302 and headers["location"] == ui + "/", (status, headers)
        # Spark's own redirect from its root to /jobs/, kept under the route.
        status, headers, _ = get(svc, ui + "/", {"X-Forwarded-Context": CONTEXT})
        assert status == 302 and headers["location"] == ui + "/jobs/", (status, headers)

        started = time.monotonic()
        status, headers, page = get(
            svc, ui + "/jobs/", {"X-Forwarded-Context": CONTEXT, "Cookie": "_xsrf=secret; jupyter-token=t"}
        )
        elapsed = time.monotonic() - started
        assert status == 200 and headers["content-type"].startswith("text/html"), (status, page[:500])
        # That driver's own page: its application name and its job.
        assert app_name in page and JOB_DESCRIPTION in page, page[:2000]
        # Spark wrote its links under the prefix the browser sees.
        prefix = CONTEXT + ui
        assert 'href="%s/stages/"' % prefix in page, page[:3000]
        assert 'src="%s/static/' % prefix in page, page[:3000]
        assert "set-cookie" not in headers
        print("proxied /jobs/ page: %.2f s, %d bytes" % (elapsed, len(page)))

        # Spark's REST API (its pages' scripts read it) and a static file.
        status, _, body = get(svc, ui + "/api/v1/applications")
        assert status == 200 and app_name in body, body[:500]
        script = re.search(r'src="%s(/static/[^"]+\.js)"' % re.escape(prefix), page).group(1)
        status, headers, _ = get(svc, ui + script, method="HEAD")
        assert status == 200 and "javascript" in headers["content-type"], (script, status, headers)

        # Only reading: the driver never sees a write.
        status, _, body = get(svc, ui + "/jobs/", method="POST")
        assert status == 405 and "read only" in body, body
        # The driver's UI going away while the pod runs is an error in words.
        driver.stdin.close()
        driver.wait(timeout=60)
        status, _, body = get(svc, ui + "/jobs/")
        assert status == 502 and "cannot be reached" in body and "spark.ui.port" in body, body
    finally:
        call(svc, "DELETE", "/jobs/applications/%s" % name)


def _application(namespace, name, labels):
    return {
        "apiVersion": "sparkoperator.k8s.io/v1beta2",
        "kind": "SparkApplication",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "type": "Python",
            "mode": "cluster",
            "sparkVersion": "4.0.1",
            "mainApplicationFile": "local:///x.py",
            "driver": {},
            "executor": {},
        },
    }


PUBLISHED = {
    "spark-k8s.jupyter.org/managed-by": "jupyterlab-spark-k8s",
    "spark-k8s.jupyter.org/app": "x",
}


def test_the_proxy_refuses_what_it_must_not_reach(service, namespace, kube):
    """A namespace the operator does not manage: the states are set through the status subresource."""
    ns = namespace.name
    base = "%s/namespaces/%s/sparkapplications" % (GROUP, ns)

    def status_of(name, status):
        kube.ok(
            "PATCH",
            "%s/%s/status" % (base, name),
            {"status": status},
            content_type="application/merge-patch+json",
        )

    # Not published from a notebook: left alone, even while it runs.
    kube.ok("POST", base, _application(ns, "foreign-ui", {}))
    status_of("foreign-ui", {"applicationState": {"state": "RUNNING"}, "driverInfo": {"podName": "x"}})
    status, _, body = get(service, "/jobs/applications/foreign-ui/ui/jobs/")
    assert status == 403 and "not published from a notebook" in body, body

    # Published but not running (new, then completed): words, and where to look instead.
    kube.ok("POST", base, _application(ns, "done-ui", PUBLISHED))
    status, _, body = get(service, "/jobs/applications/done-ui/ui/jobs/")
    assert status == 409 and "not running" in body, body
    status_of("done-ui", {"applicationState": {"state": "COMPLETED"}, "driverInfo": {"podName": "gone"}})
    status, _, body = get(service, "/jobs/applications/done-ui/ui/jobs/")
    assert status == 409 and "Completed" in body and "Spark UI (history)" in body, body

    # Running, but its driver pod is gone.
    kube.ok("POST", base, _application(ns, "lost-ui", PUBLISHED))
    status_of(
        "lost-ui", {"applicationState": {"state": "RUNNING"}, "driverInfo": {"podName": "lost-ui-driver"}}
    )
    status, _, body = get(service, "/jobs/applications/lost-ui/ui/")
    assert status == 404 and "lost-ui-driver" in body and "deleted" in body, body

    # No such application; not a name.
    status, _, body = get(service, "/jobs/applications/nope/ui/")
    assert status == 404 and 'no Spark application "nope"' in json.loads(body)["message"], body
    status, _, body = get(service, "/jobs/applications/No%20Way/ui/")
    assert status == 400 and "not the name" in body, body
