"""A Spark Connect session over TLS, with the token as call credentials.

Spark's Connect server speaks plain gRPC; in production TLS ends at a proxy or ingress in
front of it. Here a TLS terminator on loopback (Python's ssl, a certificate made for the
test with openssl, ALPN h2 as gRPC needs) forwards to the real server of
tests/servers/spark.py. The kernel trusts the test's CA through gRPC's own
GRPC_DEFAULT_SSL_ROOTS_FILE_PATH. With `tls` the session starts and runs a query, the
server admitting it only with the token; a certificate the client does not trust is a clear
error; the token is in no output.
"""

import contextlib
import os
import pathlib
import socket
import ssl
import subprocess
import threading

import pytest

from .conftest import run_python


def _pump(source, target):
    with contextlib.suppress(OSError):
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    for sock in (source, target):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class TlsTerminator:
    """Accepts TLS on 127.0.0.1:<port> and forwards the plaintext to `upstream` (host, port)."""

    def __init__(self, upstream, cert, key):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.context.set_alpn_protocols(["h2"])
        self.upstream = upstream
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.handshakes = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        self.handshakes += 1
        upstream = socket.create_connection(self.upstream)
        threading.Thread(target=_pump, args=(tls, upstream), daemon=True).start()
        _pump(upstream, tls)

    def close(self):
        self.listener.close()


@pytest.fixture(scope="module")
def tls_server(spark_servers, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "server.crt", folder / "server.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    host, port = spark_servers["SPARK_K8S_TEST_CONNECT_REMOTE"][len("sc://") :].rsplit(":", 1)
    proxy = TlsTerminator((host, int(port)), str(cert), str(key))
    try:
        yield proxy, cert
    finally:
        proxy.close()


def _start(spark_servers, port, roots):
    conf = {
        "spark.remote": f"sc://127.0.0.1:{port}",
        "spark.jupyter.connect.tls": "true",
        "spark.jupyter.connect.tokenFile": spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"],
    }
    env = dict(os.environ)
    if roots:
        env["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(roots)
    return run_python(
        f"""
        try:
            info = rt.start_session({conf!r})
            print("STARTED", info["kind"], info["server"])
            print("COUNT", rt.require_session().range(7).count())
            rt.stop_session()
        except rt.SparkK8sError as exc:
            print("ERROR:", exc)
        """,
        env=env,
        timeout=240,
    )


def test_tls_with_the_token_as_call_credentials(spark_servers, tls_server):
    proxy, cert = tls_server
    token = pathlib.Path(spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]).read_text().strip()
    done = _start(spark_servers, proxy.port, cert)
    out = done.stdout + done.stderr
    assert f"STARTED connect 127.0.0.1:{proxy.port}" in done.stdout, out
    assert "COUNT 7" in done.stdout, out
    assert proxy.handshakes >= 1
    assert token not in out


def test_an_untrusted_certificate_is_a_clear_error(spark_servers, tls_server):
    proxy, _ = tls_server
    done = _start(spark_servers, proxy.port, None)
    out = done.stdout + done.stderr
    assert "ERROR: The Spark Connect server at" in done.stdout, out
    assert "TLS certificate this kernel does not trust" in done.stdout, out
    assert "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH" in done.stdout, out
    assert "STARTED" not in done.stdout
