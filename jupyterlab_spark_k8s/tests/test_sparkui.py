"""The /sparkui/<port>/ route: authenticated, prefix passed to Spark, redirects kept under it."""

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

TOKEN = "spark-k8s-test-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeSparkUI(http.server.BaseHTTPRequestHandler):
    """Stands in for Spark's UI: echoes the headers Spark reads, redirects / like Spark."""

    def do_GET(self):  # noqa: N802
        if self.path == "/":
            self.send_response(302)
            self.send_header("Location", "/jobs/")
            self.end_headers()
            return
        body = json.dumps({"path": self.path, "context": self.headers.get("X-Forwarded-Context")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    ui = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeSparkUI)
    threading.Thread(target=ui.serve_forever, daemon=True).start()
    port = free_port()
    root = tmp_path_factory.mktemp("root")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            "--allow-root",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.base_url=/user/alice/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    base = f"http://127.0.0.1:{port}/user/alice"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("jupyter server did not start: " + proc.stderr.read().decode()[-2000:])
    yield base, ui.server_address[1]
    proc.terminate()
    proc.wait(timeout=20)
    ui.shutdown()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, token=True):
    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"} if token else {})
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_unauthenticated_requests_never_reach_spark(servers):
    base, ui_port = servers
    status, headers, _ = get(f"{base}/sparkui/{ui_port}/jobs/", token=False)
    assert status in (302, 403)
    if status == 302:
        assert "/login" in headers["Location"]


def test_spark_learns_its_prefix_and_redirects_stay_under_it(servers):
    base, ui_port = servers
    status, _, body = get(f"{base}/sparkui/{ui_port}/jobs/")
    assert status == 200
    assert json.loads(body) == {"path": "/jobs/", "context": f"/user/alice/sparkui/{ui_port}"}

    status, headers, _ = get(f"{base}/sparkui/{ui_port}/")
    assert status == 302
    assert headers["Location"] == f"/user/alice/sparkui/{ui_port}/jobs/"

    status, headers, _ = get(f"{base}/sparkui/{ui_port}")
    assert status == 302 and headers["Location"] == f"/user/alice/sparkui/{ui_port}/"
