"""The "sparkconnect" profile's server lifecycle, through the service, against the real
kubeflow Spark operator (its SparkConnect controller) on the test API server, under exactly
the shipped Role (deploy/rbac.yaml): create → Ready with a live status stream, the
why-Pending words of an unschedulable server, delete on Stop, when the kernel dies and when
idle. kwok plays the server pod (it runs no Spark: connecting a kernel to a real Connect
server is covered by the connect profile's tests)."""

import datetime
import json
import queue
import subprocess
import threading
import time
import uuid

import pytest

from .conftest import DRIVER_POD, Service, make_operator_namespace

GROUP = "/apis/sparkoperator.k8s.io/v1alpha1"
SESSION_LABEL = "spark-k8s.jupyter.org/session"
DRIVER_LABEL = "spark-k8s.jupyter.org/driver-pod"
PID_ANNOTATION = "spark-k8s.jupyter.org/kernel-pid"
START_ANNOTATION = "spark-k8s.jupyter.org/kernel-start"
IDLE_ANNOTATION = "spark-k8s.jupyter.org/idle-minutes"
ACTIVITY_ANNOTATION = "spark-k8s.jupyter.org/last-activity"
# One idle "minute" of the service under test lasts this many seconds.
IDLE_UNIT_SECONDS = 1


def profile(**extra):
    p = {"name": "warehouse", "kind": "sparkconnect", "image": "apache/spark:4.0.1-python3", "idleMinutes": 0}
    p.update(extra)
    return p


def process_start(pid):
    """The kernel-start annotation the lab sends: field 22 of /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        stat = f.read()
    return stat[stat.rindex(")") + 2 :].split(" ")[19]


@pytest.fixture(scope="module")
def ns(cluster, operator_log, tmp_path_factory):
    return make_operator_namespace(cluster, tmp_path_factory, prefix="sc")


@pytest.fixture(scope="module")
def svc(ns):
    s = Service(
        ns.kubeconfig, {"SPARK_K8S_IDLE_UNIT_SECONDS": str(IDLE_UNIT_SECONDS), "JUPYTERHUB_USER": "alice"}
    )
    yield s
    s.stop()


def call(svc, method, path, body=None):
    conn = svc.connection(timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return resp.status, json.loads(raw) if raw else None


class StatusStream:
    """GET sparkconnect/<name>/events: each `data:` line a JSON status; records when the stream ends."""

    def __init__(self, svc, name):
        self.queue = queue.Queue()
        self.all = []
        self.ended = threading.Event()
        self.conn = svc.connection(timeout=None)
        self.conn.request("GET", "/sparkconnect/%s/events" % name)
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type") == "text/event-stream"
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("data: "):
                    status = json.loads(line[6:])
                    self.all.append(status)
                    self.queue.put((time.monotonic(), status))
        except (OSError, ValueError, AttributeError):
            pass
        self.ended.set()

    def next(self, predicate=lambda s: True, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching status; seen: %s" % json.dumps(self.all[-5:]))
            try:
                at, status = self.queue.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no matching status; seen: %s" % json.dumps(self.all[-5:])) from None
            if predicate(status):
                return at, status

    def close(self):
        try:
            self.resp.close()
            self.conn.close()
        except OSError:
            pass


def iso_seconds(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def cr_path(ns, name):
    return "%s/namespaces/%s/sparkconnects/%s" % (GROUP, ns.name, name)


def gone(kube, path):
    return kube.request("GET", path)[0] == 404


def test_create_ready_then_stop_deletes_it_and_its_pods(kube, ns, svc):
    session = str(uuid.uuid4())
    status, body = call(
        svc, "POST", "/sparkconnect", {"profile": profile(idleMinutes=600), "sessionId": session}
    )
    assert status == 201, body
    name = body["name"]
    # The operator may have made the server pod by the time the answer is sent.
    assert body["state"] in ("creating", "pending") and body["namespace"] == ns.name, body
    assert body["endpoint"] == "sc://%s-server.%s.svc:15002" % (name, ns.name)
    assert body["idleMinutes"] == 600 and body["idleDeadline"]

    # The resource as created: the session's labels and the reaper's annotations.
    cr = kube.ok("GET", cr_path(ns, name))
    labels, notes = cr["metadata"]["labels"], cr["metadata"]["annotations"]
    assert labels[SESSION_LABEL] == session and labels[DRIVER_LABEL] == DRIVER_POD
    assert labels["spark-k8s.jupyter.org/owner"] == "alice"
    assert notes[IDLE_ANNOTATION] == "600" and ACTIVITY_ANNOTATION in notes
    assert cr["spec"]["sparkVersion"] == "4.0.1" and cr["spec"]["image"] == "apache/spark:4.0.1-python3"
    assert cr["spec"]["server"]["template"]["spec"]["serviceAccountName"] == "spark-driver"
    assert (
        cr["spec"]["sparkConf"]["spark.kubernetes.authenticate.executor.serviceAccountName"]
        == "spark-executor"
    )

    stream = StatusStream(svc, name)
    try:
        # The first status comes at once; then the operator's server pod goes Ready.
        first_at, first = stream.next(timeout=10)
        assert first["name"] == name and first["state"] in ("creating", "pending", "ready"), first
        _, ready = stream.next(lambda s: s["state"] == "ready", timeout=90)
        assert ready["reason"] is None and ready["endpoint"] == body["endpoint"]
        cr = kube.ok("GET", cr_path(ns, name))
        assert cr["status"]["state"] == "Ready", cr.get("status")
        pod = kube.ok("GET", "/api/v1/namespaces/%s/pods/%s-server" % (ns.name, name))
        assert pod["metadata"]["labels"]["spark-role"] == "connect-server"
        assert pod["metadata"]["labels"][SESSION_LABEL] == session
        assert pod["spec"]["serviceAccountName"] == "spark-driver"
        svc_path = "/api/v1/namespaces/%s/services/%s-server" % (ns.name, name)
        ports = [p["port"] for p in kube.ok("GET", svc_path)["spec"]["ports"]]
        assert 15002 in ports

        # Stop: the resource goes, the garbage collector takes its pod and service.
        status, out = call(svc, "DELETE", "/sparkconnect/%s" % name)
        assert (status, out) == (200, {"deleted": True})
        _, deleted = stream.next(lambda s: s["state"] == "deleted", timeout=30)
        assert deleted["reason"] == "it was stopped"
        assert stream.ended.wait(10), "the stream ends after deleted"
        kube.wait(lambda: gone(kube, cr_path(ns, name)), timeout=30, what="the SparkConnect to go")
        pod_path = "/api/v1/namespaces/%s/pods/%s-server" % (ns.name, name)
        kube.wait(lambda: gone(kube, pod_path), timeout=60, what="its server pod to go")
        kube.wait(lambda: gone(kube, svc_path), timeout=60, what="its service to go")
        # Idempotent.
        assert call(svc, "DELETE", "/sparkconnect/%s" % name) == (200, {"deleted": True})
    finally:
        stream.close()


def test_an_unschedulable_server_is_pending_with_the_reason(kube, ns, svc):
    session = str(uuid.uuid4())
    req = {"profile": profile(nodeSelector={"disktype": "nvme-none"}), "sessionId": session}
    status, body = call(svc, "POST", "/sparkconnect", req)
    assert status == 201, body
    name = body["name"]
    stream = StatusStream(svc, name)
    try:
        _, pending = stream.next(
            lambda s: s["state"] == "pending" and "node affinity/selector" in (s["reason"] or ""), timeout=60
        )
        # The words of the scheduler's FailedScheduling event, as executor pods get them.
        assert pending["reason"].startswith("Not scheduled: "), pending
        kube.wait(
            lambda: kube.ok("GET", cr_path(ns, name)).get("status", {}).get("state") == "NotReady",
            timeout=30,
            what="the operator to say NotReady",
        )
    finally:
        stream.close()
        call(svc, "DELETE", "/sparkconnect/%s" % name)


def test_a_dead_kernels_server_is_deleted_with_the_reason(kube, ns, svc):
    kernel = subprocess.Popen(["sleep", "600"])
    try:
        req = {
            "profile": profile(),
            "sessionId": str(uuid.uuid4()),
            "kernel": {"pid": kernel.pid, "start": process_start(kernel.pid)},
        }
        status, body = call(svc, "POST", "/sparkconnect", req)
        assert status == 201, body
        name = body["name"]
        notes = kube.ok("GET", cr_path(ns, name))["metadata"]["annotations"]
        assert notes[PID_ANNOTATION] == str(kernel.pid) and notes[START_ANNOTATION]
        stream = StatusStream(svc, name)
        try:
            stream.next(lambda s: s["state"] == "ready", timeout=90)
            # Alive: nothing happens.
            time.sleep(2)
            assert kube.request("GET", cr_path(ns, name))[0] == 200
            kernel.kill()
            kernel.wait()
            _, deleted = stream.next(lambda s: s["state"] == "deleted", timeout=60)
            assert deleted["reason"] == "its kernel is gone"
            kube.wait(lambda: gone(kube, cr_path(ns, name)), timeout=30, what="the SparkConnect to go")
            assert "sparkconnect: deleted %s: its kernel is gone" % name in svc.logs()
        finally:
            stream.close()
    finally:
        if kernel.poll() is None:
            kernel.kill()
            kernel.wait()


def test_an_idle_server_is_deleted_and_activity_postpones_it(kube, ns, svc):
    # idleMinutes 4: four seconds of this service's (shortened) minutes.
    status, body = call(
        svc, "POST", "/sparkconnect", {"profile": profile(idleMinutes=4), "sessionId": str(uuid.uuid4())}
    )
    assert status == 201, body
    name = body["name"]
    created_deadline = body["idleDeadline"]
    stream = StatusStream(svc, name)
    try:
        time.sleep(1.5)
        status, out = call(svc, "POST", "/sparkconnect/%s/activity" % name)
        assert (status, out) == (204, None)
        _, later = stream.next(
            lambda s: s["idleDeadline"] and s["idleDeadline"] > created_deadline, timeout=10
        )
        _, deleted = stream.next(lambda s: s["state"] == "deleted", timeout=60)
        deleted_at = time.time()
        assert deleted["reason"] == "idle for 4 minutes"
        kube.wait(lambda: gone(kube, cr_path(ns, name)), timeout=30, what="the idle SparkConnect to go")
        # Not before the postponed deadline.
        assert deleted_at >= iso_seconds(later["idleDeadline"]), (later, deleted_at)
    finally:
        stream.close()


def test_bad_requests_are_refused_and_create_nothing(kube, ns, svc):
    before = kube.ok("GET", "%s/namespaces/%s/sparkconnects" % (GROUP, ns.name))["items"]
    status, body = call(svc, "POST", "/sparkconnect", {"profile": profile(image=""), "sessionId": "s-1"})
    assert status == 400 and "image" in body["message"], body
    bad_conf = profile(conf={"spark.driver.extraJavaOptions": "-Da=1 -Db=$(id)"})
    status, body = call(svc, "POST", "/sparkconnect", {"profile": bad_conf, "sessionId": "s-2"})
    assert status == 400 and "shell command line" in body["message"], body
    status, body = call(svc, "POST", "/sparkconnect", {"sessionId": "s-3"})
    assert status == 400 and "sparkconnect" in body["message"], body
    after = kube.ok("GET", "%s/namespaces/%s/sparkconnects" % (GROUP, ns.name))["items"]
    assert len(after) == len(before)
    # Unknown or malformed names.
    assert call(svc, "DELETE", "/sparkconnect/sc-not-there") == (200, {"deleted": True})
    assert call(svc, "POST", "/sparkconnect/sc-not-there/activity")[0] == 404
    assert call(svc, "DELETE", "/sparkconnect/Bad_Name")[0] == 400


def test_without_the_crd_the_service_says_what_is_missing(cluster, tmp_path):
    """A cluster without the operator's SparkConnect CRD (a fresh API server on the same
    etcd): the panel's request gets the clear error, and the service does not poll."""
    from cluster import ADMIN_TOKEN, kubeconfig

    with cluster.bare_apiserver() as server:
        kc = tmp_path / "bare.kubeconfig"
        kc.write_text(kubeconfig(server, cluster.info["ca"], None, token=ADMIN_TOKEN))
        bare = Service(kc)
        try:
            status, body = call(bare, "POST", "/sparkconnect", {"profile": profile(), "sessionId": "s-1"})
            assert status == 503 and body["code"] == "NotInstalled", body
            assert body["message"].startswith(
                "The SparkConnect resource (sparkoperator.k8s.io/v1alpha1, kubeflow spark-operator ≥ 2.3) "
                "is not installed in this cluster: ask an admin"
            ), body
            deadline = time.time() + 20
            while "serves no SparkConnects" not in bare.logs() and time.time() < deadline:
                time.sleep(0.2)
            assert "serves no SparkConnects" in bare.logs(), bare.logs()
        finally:
            bare.stop()


def test_a_missing_resource_type_answers_404_without_a_name(kube, ns):
    """What the service's "CRD missing" check (unit-tested in sparkconnect.spec.ts) relies on:
    the real API server answers a resource type it does not serve with a 404 whose details
    name nothing, while a missing object is named."""
    status, out = kube.request("POST", "%s/namespaces/%s/sparkconnectz" % (GROUP, ns.name), {"kind": "X"})
    assert status == 404 and not (out.get("details") or {}).get("name"), out
    status, out = kube.request("GET", cr_path(ns, "sc-absent"))
    assert status == 404 and out["details"]["name"] == "sc-absent", out
