"""A real S3-compatible server on loopback for the storage tests: S3Proxy.

S3Proxy (Apache-2.0) serves the S3 API over a local directory (its filesystem
backend) and checks AWS signatures (v2 and v4) against one static access key. The jar
comes from Maven Central through tests/servers/build-s3.sh (cached). ``start`` picks a
free port on 127.0.0.1, generates the credentials and writes them to
``<dir>/credentials.json`` (mode 600: ``{"accessKey": …, "secretKey": …}``), starts the
server with them in its properties file (mode 600, never on a command line), and
creates the bucket through the S3 API (a signed request: the server is ready when it
answers it). ``env`` prints where things are, never a credential.

    python tests/servers/s3.py start DIR   # starts the server, creates the bucket
    python tests/servers/s3.py env DIR     # NAME=value lines (see ENV_NAMES)
    python tests/servers/s3.py stop DIR    # stops what DIR's start started

Log: ``DIR/s3proxy.log``; data: ``DIR/data``; process id (a process group): ``DIR/s3.json``.
"""

import datetime
import hashlib
import hmac
import json
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
ENV_NAMES = (
    "SPARK_K8S_TEST_S3_ENDPOINT",
    "SPARK_K8S_TEST_S3_BUCKET",
    "SPARK_K8S_TEST_S3_CREDENTIALS",
)
"""The names ``env`` prints; a test that finds them all set uses that server."""

BUCKET = "lakehouse"
REGION = "us-east-1"
READY_TIMEOUT = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _java():
    home = os.environ.get("JAVA_HOME")
    if home and (pathlib.Path(home) / "bin" / "java").exists():
        return str(pathlib.Path(home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise RuntimeError("java is not installed; run scripts/setup.sh --test")
    return java


def _jar():
    out = subprocess.run(
        ["bash", str(HERE / "build-s3.sh")], check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return out.strip().splitlines()[-1]


def signed_request(endpoint, method, path, credentials, body=b"", region=REGION):
    """An S3 request signed with AWS Signature Version 4; returns (status, body bytes)."""
    host = endpoint.split("://", 1)[1].rstrip("/")
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    payload = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": stamp}
    names = ";".join(sorted(headers))
    canonical = "\n".join(
        [method, path, "", "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)), names, payload]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + credentials["secretKey"]).encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=body or None, method=method)
    for name, value in headers.items():
        if name != "host":
            request.add_header(name, value)
    request.add_header(
        "Authorization",
        f"AWS4-HMAC-SHA256 Credential={credentials['accessKey']}/{scope}, "
        f"SignedHeaders={names}, Signature={signature}",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def start(directory):
    directory = pathlib.Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "s3.json").exists():
        raise RuntimeError(f"{directory} already has a server; stop it first")
    jar = _jar()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"accessKey": "AK" + secrets.token_hex(9).upper(), "secretKey": secrets.token_urlsafe(30)}
    _write_private(directory / "credentials.json", json.dumps(credentials))
    data = directory / "data"
    data.mkdir(exist_ok=True)
    properties = directory / "s3proxy.properties"
    _write_private(
        properties,
        "\n".join(
            [
                f"s3proxy.endpoint={endpoint}",
                "s3proxy.authorization=aws-v2-or-v4",
                f"s3proxy.identity={credentials['accessKey']}",
                f"s3proxy.credential={credentials['secretKey']}",
                "jclouds.provider=filesystem-nio2",
                f"jclouds.filesystem.basedir={data}",
                "",
            ]
        ),
    )
    log = open(directory / "s3proxy.log", "ab")
    proc = subprocess.Popen(
        [_java(), "-Xmx256m", "-jar", jar, "--properties", str(properties)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=directory,
    )
    state = {"pid": proc.pid, "endpoint": endpoint, "bucket": BUCKET}
    (directory / "s3.json").write_text(json.dumps(state))
    deadline = time.time() + READY_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"S3Proxy exited with {proc.returncode}; see {directory / 's3proxy.log'}")
        try:
            status, body = signed_request(endpoint, "PUT", "/" + BUCKET, credentials)
        except OSError:
            status = None
        if status in (200, 409):
            break
        if status is not None:
            stop(directory)
            raise RuntimeError(f"creating bucket {BUCKET} failed: HTTP {status} {body[:200]!r}")
        if time.time() > deadline:
            stop(directory)
            raise RuntimeError(
                f"S3Proxy did not answer within {READY_TIMEOUT}s; see {directory / 's3proxy.log'}"
            )
        time.sleep(0.3)
    return env(directory)


def env(directory):
    directory = pathlib.Path(directory).resolve()
    state = json.loads((directory / "s3.json").read_text())
    return {
        "SPARK_K8S_TEST_S3_ENDPOINT": state["endpoint"],
        "SPARK_K8S_TEST_S3_BUCKET": state["bucket"],
        "SPARK_K8S_TEST_S3_CREDENTIALS": str(directory / "credentials.json"),
    }


def _gone(pid):
    """Whether process `pid` has exited (a zombie of this process counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def stop(directory):
    directory = pathlib.Path(directory).resolve()
    path = directory / "s3.json"
    if not path.exists():
        return
    pid = json.loads(path.read_text())["pid"]
    try:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.time() + 15
        while time.time() < deadline and not _gone(pid):
            time.sleep(0.2)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    path.unlink()


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "env", "stop"):
        sys.exit(__doc__)
    if argv[1] == "start":
        start(argv[2])
    elif argv[1] == "stop":
        stop(argv[2])
        return
    for name, value in env(argv[2]).items():
        print(f"{name}={value}")


if __name__ == "__main__":
    main(sys.argv)
