"""The service under bad input and faults, with the real components.

- Malformed requests through a real Jupyter server and jupyter-server-proxy: every answer
  is a 4xx JSON error with a code, and the service process lives (same pid).
- A flapping API server: a proxy in front of the real API server that closes every watch
  at once, answers 410 Gone, or stalls (half-open). The service makes a few requests per
  10 s, notices a stall in under a minute, and recovers within seconds when the server does.
- The API server restarted, and the service killed, during an open stream: the stream
  recovers (jupyter-server-proxy's command restarts the service).
"""

import collections
import http.client
import http.server
import json
import os
import queue
import random
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

import pytest

from .conftest import DRIVER_POD, REPO, EventStream, Service
from .test_service import executor_pod

TOKEN = "fault-test-token"
WATCH_PATH = "/api/v1/namespaces/%s/pods"


# --- A flapping API server ------------------------------------------------------------------


class FlakyApiServer:
    """A plain-HTTP proxy to the real API server whose behaviour the test switches.

    mode "pass" forwards everything; "close" ends every watch at once (as a server that
    closes watches does); "gone" answers every watch with a 410 Gone ERROR event;
    "stall" stops answering: open watches go silent (a half-open connection) and new
    requests hang until the mode changes. Every request is recorded (time, path, watch).
    """

    def __init__(self, upstream, ca_file):
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname, parsed.port)
        self.context = ssl.create_default_context(cafile=ca_file)
        self.mode = "pass"
        self.requests = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                proxy._handle(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.mode = "pass"
        self.server.shutdown()
        self.server.server_close()

    def count(self, path, since, until=None):
        """How many requests (lists and watches) went to `path` in [since, until)."""
        until = until or time.monotonic()
        with self.lock:
            return sum(1 for at, p, _ in self.requests if p == path and since <= at < until)

    def _handle(self, h):
        split = urllib.parse.urlsplit(h.path)
        query = urllib.parse.parse_qs(split.query)
        watch = query.get("watch") == ["true"]
        with self.lock:
            self.requests.append((time.monotonic(), split.path, watch))
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        if self.mode == "stall":
            while self.mode == "stall":
                time.sleep(0.1)
            h.close_connection = True
            return
        if watch and self.mode in ("close", "gone"):
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            if self.mode == "gone":
                event = {
                    "type": "ERROR",
                    "object": {
                        "kind": "Status",
                        "apiVersion": "v1",
                        "status": "Failure",
                        "message": "too old resource version",
                        "reason": "Expired",
                        "code": 410,
                    },
                }
                _chunk(h, (json.dumps(event) + "\n").encode())
            _chunk(h, b"")
            return
        self._forward(h, body, watch)

    def _forward(self, h, body, watch):
        conn = http.client.HTTPSConnection(*self.upstream, context=self.context, timeout=600)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "connection")}
        conn.request(h.command, h.path, body=body, headers=headers)
        resp = conn.getresponse()
        if not watch:
            data = resp.read()
            conn.close()
            h.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                    h.send_header(k, v)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
            return
        h.send_response(resp.status)
        h.send_header("Content-Type", resp.getheader("Content-Type", "application/json"))
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunks = queue.Queue()

        def pump():
            try:
                while True:
                    data = resp.read1(65536)
                    chunks.put(data)
                    if not data:
                        return
            except (OSError, AttributeError, ValueError, http.client.HTTPException):
                chunks.put(b"")  # the watch was cut (conn.close() below)

        threading.Thread(target=pump, daemon=True).start()
        try:
            while True:
                if self.mode in ("close", "gone"):
                    _chunk(h, b"")  # the server ends the watch
                    return
                if self.mode == "stall":
                    # Half-open: the connection stays, nothing more arrives, ever.
                    while self.mode == "stall":
                        time.sleep(0.1)
                    h.close_connection = True
                    return
                try:
                    data = chunks.get(timeout=0.1)
                except queue.Empty:
                    continue
                _chunk(h, data)
                if not data:
                    return
        except OSError:
            h.close_connection = True
        finally:
            conn.close()


def _chunk(h, data):
    h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
    h.wfile.flush()


@pytest.fixture
def flaky(namespace, tmp_path):
    """(proxy, service): the service with a kubeconfig pointing at the flapping proxy."""
    info = namespace.cluster.info
    proxy = FlakyApiServer(info["server"], info["ca"])
    kc = tmp_path / "flaky.kubeconfig"
    kc.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "flaky",
                # client-node speaks plain HTTP only with this flag (the proxy is on loopback).
                "clusters": [
                    {"name": "flaky", "cluster": {"server": proxy.url, "insecure-skip-tls-verify": True}}
                ],
                "users": [{"name": "user", "user": {"tokenFile": str(namespace.token_file)}}],
                "contexts": [
                    {
                        "name": "flaky",
                        "context": {"cluster": "flaky", "user": "user", "namespace": namespace.name},
                    }
                ],
            }
        )
    )
    svc = Service(kc)
    yield proxy, svc
    svc.stop()
    proxy.close()


def _windows(proxy, path, start, seconds=10, count=3):
    """Requests to `path` in `count` consecutive windows of `seconds` from `start` (waits)."""
    counts = []
    for i in range(count):
        end = start + (i + 1) * seconds
        time.sleep(max(0, end - time.monotonic()))
        counts.append(proxy.count(path, end - seconds, end))
    return counts


@pytest.mark.parametrize("mode", ["close", "gone"])
def test_a_flapping_api_server_gets_a_few_requests_per_10s_and_streams_recover(flaky, kube, namespace, mode):
    proxy, svc = flaky
    path = WATCH_PATH % namespace.name
    session = uuid.uuid4().hex
    stream = svc.events(session)
    try:
        stream.next(lambda e, d: e == "snapshot")
        # Connected and quiet first: the watch is open and healthy.
        time.sleep(2)
        proxy.mode = mode
        start = time.monotonic()
        counts = _windows(proxy, path, start)
        print("\n%s: requests to the pods collection per 10 s: %s" % (mode, counts))
        # Backoff with jitter: the first window holds the ramp (1, 2, 4 s…), later ones
        # at most two or three watch (and relist) requests, not thousands.
        assert counts[0] <= 12, counts
        assert max(counts[1:]) <= 5, counts
        assert svc.proc.poll() is None, svc.logs()

        # The server recovers: so does the stream, within seconds.
        proxy.mode = "pass"
        recovered = time.monotonic()
        kube.ok("POST", "/api/v1/namespaces/%s/pods" % namespace.name, executor_pod("flap-" + mode, session))
        at, _, _ = stream.next(lambda e, d: e == "pod" and d["name"] == "flap-" + mode, timeout=30)
        print("%s: the stream showed a new pod %.1f s after the server recovered" % (mode, at - recovered))
        assert at - recovered <= 15
    finally:
        stream.close()
        svc.request("DELETE", "/sessions/%s/pods" % session)


def test_a_half_open_watch_is_noticed_within_a_minute_and_recovers(flaky, kube, namespace):
    proxy, svc = flaky
    path = WATCH_PATH % namespace.name
    session = uuid.uuid4().hex
    stream = svc.events(session)
    try:
        stream.next(lambda e, d: e == "snapshot")
        time.sleep(2)
        proxy.mode = "stall"
        stalled = time.monotonic()
        at, _, data = stream.next(lambda e, d: e == "status" and d["connected"] is False, timeout=90)
        print("\nstall noticed after %.1f s: %s" % (at - stalled, data["error"]))
        assert at - stalled < 60
        assert "sent nothing" in data["error"] or "did not answer" in data["error"]
        assert proxy.count(path, stalled) <= 4

        proxy.mode = "pass"
        recovered = time.monotonic()
        kube.ok("POST", "/api/v1/namespaces/%s/pods" % namespace.name, executor_pod("after-stall", session))
        # (The relist reports the pod before the connected status: wait for the pod.)
        at, _, _ = stream.next(lambda e, d: e == "pod" and d["name"] == "after-stall", timeout=30)
        print("recovered %.1f s after the server did" % (at - recovered))
        assert at - recovered <= 15
    finally:
        stream.close()
        svc.request("DELETE", "/sessions/%s/pods" % session)


# --- Through a real Jupyter server and jupyter-server-proxy ---------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter(namespace, tmp_path_factory):
    """A real Jupyter server (token auth) with this source tree's extension and the service
    reached through jupyter-server-proxy, in the namespace's Jupyter pod environment."""
    port = _free_port()
    root = tmp_path_factory.mktemp("jupyter-root")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPARK_K8S_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])]),
        KUBECONFIG=str(namespace.kubeconfig),
        POD_NAME=DRIVER_POD,
        POD_IP="127.0.0.1",
    )
    log = open(tmp_path_factory.mktemp("jupyter-log") / "jupyter.log", "w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            "--allow-root",
            "--ServerApp.port=%d" % port,
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=%s" % TOKEN,
            "--ServerApp.root_dir=%s" % root,
            "--ServerApp.base_url=/user/alice/",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    server = Jupyter(port, "/user/alice/spark-k8s-api", log)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if server.request("GET", "/api/status", base="/user/alice")[0] == 200:
                break
        except OSError:
            pass
        time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("jupyter server did not start: " + server.logs()[-3000:])
    yield server
    proc.terminate()
    proc.wait(timeout=30)


class Jupyter:
    def __init__(self, port, api, log):
        self.port, self.api, self.log = port, api, log

    def logs(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def request(self, method, path, headers=None, body=None, base=None, timeout=60):
        """(status, content type, body bytes); `path` is sent as is (no quoting)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, (self.api if base is None else base) + path, skip_accept_encoding=True)
            conn.putheader("Authorization", "token " + TOKEN)
            for k, v in (headers or {}).items():
                conn.putheader(k, v.encode("utf-8"))
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type", ""), resp.read()
        finally:
            conn.close()

    def pid(self):
        status, _, body = self.request("GET", "/health")
        assert status == 200, body
        return json.loads(body)["pid"]


def _service_answer(status, ctype, body, what):
    """A service answer: JSON, never a 5xx; an error names its code."""
    assert status < 500, "%s: %d %r" % (what, status, body[:300])
    assert ctype.startswith("application/json"), "%s: %d %s %r" % (what, status, ctype, body[:300])
    data = json.loads(body)
    assert 200 <= status < 300 or ("code" in data and "message" in data), "%s: %r" % (what, data)
    return data


def _fuzz_requests(seed, n):
    """`n` random (method, path, headers, body): odd paths, methods, headers and encodings."""
    rng = random.Random(seed)
    alphabet = "/%?#&=;:@.~-_+!$'()*,[] abcXYZ019\\" + "\u00e9\u4e2d"
    segments = [
        *["", "sessions", "jobs", "applications", "schedules", "events", "pods", "log"],
        *["run", "rerun", "cluster", "secrets", "publish", "health", "..", ".", "%", "%2"],
        *["%ZZ", "%00", "%2F", "%E0%A4%A", "%C0%AF", "%FF%FE", "%25E0%25A4%25A", "x" * 300],
    ]
    for _ in range(n):
        parts = [rng.choice(segments) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.4:
            parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))
        path = "/" + "/".join(parts)
        if rng.random() < 0.3:
            path += "?" + rng.choice(["tail=%", "tail=-1", "follow=yes&tail=x", "a=%E0%A4%A", "=&&="])
        path = urllib.parse.quote(path, safe="/%?&=;:@.~-_+!$'()*,[]")
        method = rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE"])
        headers = {}
        if rng.random() < 0.3:
            headers["Content-Type"] = rng.choice(["application/json", "text/plain", "x/\u00ff"])
        if rng.random() < 0.2:
            headers["Accept"] = rng.choice(["text/event-stream", "*/*;q=%", "\u00e9"])
        body = None
        if method in ("POST", "PUT", "PATCH") and rng.random() < 0.7:
            body = rng.choice(
                [b"{", b"null", b"[]", b'{"suspend": "yes"}', b"\xff\xfe", b'{"a":' * 50, b"x" * 70000]
            )
        yield method, path, headers, body


REPRODUCED = [("GET", "///"), ("GET", "/sessions/%E0%A4%A/pods"), ("DELETE", "/jobs/applications/%E0%A4%A")]


def test_malformed_requests_to_the_service_get_json_errors_and_it_lives(service):
    """Straight to the service's socket: every answer is a JSON error with a code."""
    pid = service.proc.pid
    for method, path in REPRODUCED:
        status, ctype, body = _raw(service.connection(), method, path)
        data = _service_answer(status, ctype, body, path)
        if "%" in path:
            assert status == 400 and data["code"] == "BadRequest", data
    answers = collections.Counter()
    for method, path, headers, body in _fuzz_requests(8, 300):
        status, ctype, data = _raw(service.connection(), method, path, headers, body)
        if headers.get("Accept") == "text/event-stream" and status == 200:
            continue
        _service_answer(status, ctype, data, "%s %s %r" % (method, path, body[:40] if body else None))
        answers[status] += 1
    print("\nfuzz answers by status:", dict(answers))
    assert service.proc.poll() is None and service.proc.pid == pid, service.logs()[-3000:]
    assert service.request("GET", "/health")[0] == 200
    assert "unhandled" not in service.logs() and "uncaught" not in service.logs()


def _raw(conn, method, path, headers=None, body=None):
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v.encode("utf-8"))
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        if resp.getheader("Content-Type", "").startswith("text/event-stream"):
            return resp.status, resp.getheader("Content-Type"), b""
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def test_malformed_requests_through_jupyter_get_4xx_and_the_service_lives(jupyter):
    """Through Jupyter and jupyter-server-proxy: what reaches the service is answered with a
    JSON error; what Jupyter refuses itself (a path that is not UTF-8) is a 4xx; the
    service's pid never changes."""
    pid = jupyter.pid()
    for method, path in REPRODUCED:
        status, ctype, body = jupyter.request(method, path)
        assert 200 <= status < 500, (path, status, body)
        if ctype.startswith("application/json"):
            _service_answer(status, ctype, body, path)
    assert jupyter.pid() == pid
    answers = collections.Counter()
    for method, path, headers, body in _fuzz_requests(9, 300):
        if headers.get("Accept") == "text/event-stream":
            continue
        if method in ("POST", "PUT", "PATCH") and not body:
            body = b"{}"  # jupyter-server-proxy itself fails (500) on these without a body
        status, ctype, data = jupyter.request(method, path, headers=headers, body=body)
        what = "%s %s %r" % (method, path, body[:40] if body else None)
        if ctype.startswith("application/json"):
            _service_answer(status, ctype, data, what)
            answers["service %d" % status] += 1
        else:
            # Refused by Jupyter before the proxy (bad unicode in the path, a redirect).
            assert 300 <= status < 500, "%s: %d %s %r" % (what, status, ctype, data[:300])
            answers["jupyter %d" % status] += 1
    print("\nfuzz answers:", dict(answers))
    assert answers["service 404"] > 50
    assert jupyter.pid() == pid, "the service restarted: " + jupyter.logs()[-3000:]
    assert "unhandled" not in jupyter.logs() and "uncaught" not in jupyter.logs()


def test_a_killed_service_is_restarted_and_its_stream_resumes(jupyter, kube, namespace):
    session = uuid.uuid4().hex
    pid = jupyter.pid()
    stream = ProxyEventStream(jupyter, "/sessions/%s/events" % session)
    try:
        stream.next(lambda e, d: e == "snapshot")
        os.kill(pid, signal.SIGKILL)
        # The stream ends; a pod is created while the service is down.
        kube.ok("POST", "/api/v1/namespaces/%s/pods" % namespace.name, executor_pod("while-down", session))
        deadline = time.monotonic() + 30
        new_pid = None
        while time.monotonic() < deadline:
            try:
                new_pid = jupyter.pid()
                break
            except (AssertionError, OSError, ValueError):
                time.sleep(0.5)
        assert new_pid and new_pid != pid, jupyter.logs()[-3000:]
    finally:
        stream.close()
    # As EventSource does, the browser reconnects: the snapshot holds the pod, later changes follow.
    stream = ProxyEventStream(jupyter, "/sessions/%s/events" % session)
    try:
        _, _, snap = stream.next(lambda e, d: e == "snapshot", timeout=30)
        if not any(p["name"] == "while-down" for p in snap["pods"]):
            stream.next(lambda e, d: e == "pod" and d["name"] == "while-down", timeout=30)
        kube.ok("DELETE", "/api/v1/namespaces/%s/pods/while-down?gracePeriodSeconds=0" % namespace.name)
        stream.next(lambda e, d: e == "pod-deleted" and d["name"] == "while-down", timeout=30)
    finally:
        stream.close()


def test_the_stream_through_jupyter_survives_an_api_server_restart(jupyter, kube, namespace, cluster):
    session = uuid.uuid4().hex
    stream = ProxyEventStream(jupyter, "/sessions/%s/events" % session)
    try:
        stream.next(lambda e, d: e == "snapshot")
        cluster.restart_apiserver(down_seconds=2)
        kube.ok("POST", "/api/v1/namespaces/%s/pods" % namespace.name, executor_pod("restart-proxy", session))
        stream.next(lambda e, d: e == "pod" and d["name"] == "restart-proxy", timeout=60)
    finally:
        stream.close()
        jupyter.request("DELETE", "/sessions/%s/pods" % session)


class ProxyEventStream(EventStream):
    """The server-sent event stream of a session, through Jupyter's proxy."""

    def __init__(self, jupyter, path):
        self.queue = queue.Queue()
        self.conn = http.client.HTTPConnection("127.0.0.1", jupyter.port, timeout=None)
        self.conn.request(
            "GET",
            jupyter.api + path,
            headers={"Accept": "text/event-stream", "Authorization": "token " + TOKEN},
        )
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
