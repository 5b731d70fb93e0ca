"""Fixtures for tests against the real API server: the cluster, a namespace under the
shipped Role, the Jupyter ("driver") pod, and the Node service on a unix socket."""

import http.client
import json
import os
import pathlib
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "cluster"))

# NODE_NAME is re-exported for the tests.
from cluster import DRIVER_POD, NODE_NAME, Cluster, jupyter_namespace  # noqa: E402, F401

RBAC = REPO / "deploy" / "rbac.yaml"
# The bundled service (SPARK_K8S_SERVICE_JS: another bundle of it, e.g. of a work tree).
SERVICE_JS = pathlib.Path(
    os.environ.get("SPARK_K8S_SERVICE_JS") or REPO / "jupyterlab_spark_k8s" / "node" / "service.js"
)


def node_executable():
    sys.path.insert(0, str(REPO))
    from jupyterlab_spark_k8s.cli import node_executable as find

    return find()


@pytest.fixture(scope="session")
def cluster():
    """The running test cluster (SPARK_K8S_TEST_STATE), or one started for this session."""
    state = os.environ.get("SPARK_K8S_TEST_STATE")
    if state and (pathlib.Path(state) / "cluster.json").exists():
        yield Cluster(state)
        return
    tmp = tempfile.mkdtemp(prefix="spark-k8s-cluster-")
    c = Cluster(tmp)
    c.start()
    yield c
    c.stop()


@pytest.fixture(scope="session")
def kube(cluster):
    return cluster.kube()


class Namespace:
    def __init__(self, cluster, name, token, token_file, kubeconfig):
        self.cluster, self.name, self.token = cluster, name, token
        self.token_file, self.kubeconfig = token_file, kubeconfig


def make_namespace(cluster, kube, tmp_path_factory, rbac=RBAC, prefix="nb"):
    name = "%s-%s" % (prefix, uuid.uuid4().hex[:8])
    token, token_file, kc = jupyter_namespace(cluster, name, rbac, tmp_path_factory.mktemp(name))
    return Namespace(cluster, name, token, token_file, kc)


@pytest.fixture(scope="module")
def namespace(cluster, kube, tmp_path_factory):
    return make_namespace(cluster, kube, tmp_path_factory)


class Service:
    """The Node service on a unix socket, as jupyter-server-proxy runs it."""

    def __init__(self, kubeconfig_path, env_extra=None):
        self.dir = tempfile.mkdtemp(prefix="spark-k8s-svc-")
        self.socket = os.path.join(self.dir, "service.sock")
        env = dict(os.environ, KUBECONFIG=str(kubeconfig_path), POD_NAME=DRIVER_POD, POD_IP="127.0.0.1")
        env.update(env_extra or {})
        self.log = open(os.path.join(self.dir, "service.log"), "w+")
        self.proc = subprocess.Popen(
            [node_executable(), str(SERVICE_JS), "--socket", self.socket],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 20
        while time.time() < deadline and not os.path.exists(self.socket):
            time.sleep(0.05)
        assert os.path.exists(self.socket), self.logs()

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def connection(self, timeout=30):
        conn = UnixHTTPConnection(self.socket, timeout=timeout)
        return conn

    def request(self, method, path, timeout=30):
        conn = self.connection(timeout)
        conn.request(method, path)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, json.loads(body) if body else None

    def events(self, session_id):
        return EventStream(self, "/sessions/%s/events" % session_id)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


class EventStream:
    """Reads a server-sent event stream in a thread; `next()` waits for a matching event."""

    def __init__(self, service, path):
        self.queue = queue.Queue()
        self.conn = service.connection(timeout=None)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        event, data = None, []
        try:
            for raw in self.resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and event:
                    self.queue.put((time.monotonic(), event, json.loads("\n".join(data))))
                    event, data = None, []
        except (OSError, ValueError, AttributeError):
            pass  # the stream was closed

    def next(self, predicate=lambda e, d: True, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching event")
            try:
                at, event, data = self.queue.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no matching event") from None
            if predicate(event, data):
                return at, event, data

    def close(self):
        try:
            self.resp.close()
            self.conn.close()
        except OSError:
            pass


@pytest.fixture(scope="module")
def service(namespace):
    svc = Service(namespace.kubeconfig)
    yield svc
    svc.stop()


# The kubeflow Spark operator the test cluster runs (tests/cluster/cluster.py): it manages
# SparkApplications in namespaces labelled OPERATOR_LABEL, and logs to `operator_log`.


def make_operator_namespace(cluster, tmp_path_factory, rbac=RBAC, prefix="op"):
    """A namespace under the shipped Role (and service accounts) that the Spark operator manages."""
    from cluster import OPERATOR_LABEL

    name = "%s-%s" % (prefix, uuid.uuid4().hex[:8])
    labels = {OPERATOR_LABEL[0]: OPERATOR_LABEL[1]}
    token, token_file, kc = jupyter_namespace(
        cluster, name, rbac, tmp_path_factory.mktemp(name), labels=labels
    )
    return Namespace(cluster, name, token, token_file, kc)


@pytest.fixture(scope="session")
def operator_log(cluster):
    """The Spark operator's log file (its failures are explained there)."""
    log = cluster.info.get("operator_log")
    assert log, (
        "the test cluster in %s runs no Spark operator (started by an older cluster.py?): stop it and "
        "start it again with tests/cluster/cluster.py" % cluster.state
    )
    return pathlib.Path(log)


@pytest.fixture(scope="module")
def operator_namespace(cluster, operator_log, tmp_path_factory):
    return make_operator_namespace(cluster, tmp_path_factory)
