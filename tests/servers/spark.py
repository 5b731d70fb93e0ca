"""Real Spark servers on loopback for the tests, from PySpark's own distribution.

A standalone master with one small worker (1 core, 1 GiB), and a Spark Connect server
(local Spark inside, its own UI) that only admits clients with a bearer token. Every
server listens on 127.0.0.1 on free ports picked at start, so several instances can
run at once. The token is written to ``<dir>/connect-token`` (mode 600) and handed to
the server in its environment (``SPARK_CONNECT_AUTHENTICATE_TOKEN``), never on a
command line; ``env`` prints where it is, never the token.

    python tests/servers/spark.py start DIR   # starts all three, waits until ready
    python tests/servers/spark.py env DIR     # NAME=value lines (see ENV_NAMES)
    python tests/servers/spark.py stop DIR    # stops what DIR's start started

Logs: ``DIR/master.log``, ``DIR/worker.log``, ``DIR/connect.log``; process ids (each a
process group) in ``DIR/pids.json``.
"""

import json
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ENV_NAMES = (
    "SPARK_K8S_TEST_STANDALONE_MASTER",
    "SPARK_K8S_TEST_STANDALONE_UI",
    "SPARK_K8S_TEST_CONNECT_REMOTE",
    "SPARK_K8S_TEST_CONNECT_TOKEN_FILE",
)
"""The names ``env`` prints; a test that finds them all set uses those servers."""

CONNECT_UI_ENV = "SPARK_K8S_TEST_CONNECT_UI"
"""Also printed: the Connect server's Spark UI."""

READY_TIMEOUT = 240
WORKER_CORES = 1
WORKER_MEMORY = "1g"
CONNECT_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


def pyspark_home():
    """PySpark's installation (bin/, jars/), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("pyspark")
    if spec is None:
        raise RuntimeError(f"PySpark is not installed in {sys.executable}; run scripts/setup.sh --test")
    return pathlib.Path(spec.origin).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _base_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "SPARK_"))}
    env.update(
        SPARK_HOME=str(home),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOCAL_HOSTNAME="127.0.0.1",
        # A small footprint: the machine running the tests is shared.
        SPARK_DAEMON_MEMORY="256m",
        SPARK_NO_DAEMONIZE="1",
        PYSPARK_PYTHON=sys.executable,
    )
    return env


def _spawn(args, log_path, env):
    log = open(log_path, "wb")  # noqa: SIM115 - the child owns it
    try:
        return subprocess.Popen(
            args,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        ).pid
    finally:
        log.close()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of this process counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _tail(path, lines=15):
    try:
        return "\n".join(pathlib.Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait(what, check, pid, log_path, deadline):
    while time.monotonic() < deadline:
        if not _alive(pid):
            raise RuntimeError(
                f"The {what} exited while starting; its log {log_path} ends:\n{_tail(log_path)}"
            )
        try:
            if check():
                return
        except (OSError, ValueError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise RuntimeError(
        f"The {what} was not ready after {READY_TIMEOUT} s; its log {log_path} ends:\n{_tail(log_path)}"
    )


def _json(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _listening(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start(directory):
    """Start master, worker and Connect server; wait until each is ready; return the env."""
    directory = pathlib.Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "pids.json").exists():
        raise RuntimeError(f"{directory} already has servers (pids.json): stop them first.")
    home = pyspark_home()
    spark_class = str(home / "bin" / "spark-class")
    env = _base_env(home)
    ports = {name: free_port() for name in ("master", "masterUi", "workerUi", "connect", "connectUi")}
    pids = {}
    deadline = time.monotonic() + READY_TIMEOUT

    def save():
        (directory / "pids.json").write_text(json.dumps(pids))

    try:
        master = f"spark://127.0.0.1:{ports['master']}"
        master_ui = f"http://127.0.0.1:{ports['masterUi']}"
        pids["master"] = _spawn(
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1"]
            + ["--port", str(ports["master"]), "--webui-port", str(ports["masterUi"])],
            directory / "master.log",
            env,
        )
        save()
        pids["worker"] = _spawn(
            [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1"]
            + ["--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY]
            + ["--webui-port", str(ports["workerUi"]), "--work-dir", str(directory / "work"), master],
            directory / "worker.log",
            {**env, "SPARK_WORKER_DIR": str(directory / "work")},
        )
        save()
        token = secrets.token_urlsafe(32)
        token_file = directory / "connect-token"
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
        connect_conf = {
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(ports["connect"]),
            "spark.ui.port": str(ports["connectUi"]),
            "spark.ui.showConsoleProgress": "false",
            # Progress reaches the client often enough for a short test job to show it.
            "spark.connect.progress.reportInterval": "200ms",
            "spark.sql.shuffle.partitions": "2",
            "spark.sql.warehouse.dir": str(directory / "connect-warehouse"),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={directory / 'connect-derby'}",
        }
        args = [
            str(home / "bin" / "spark-submit"),
            "--class",
            CONNECT_CLASS,
            "--master",
            "local[2]",
            "--driver-memory",
            "768m",
        ]
        for key, value in connect_conf.items():
            args += ["--conf", f"{key}={value}"]
        args += ["--name", "spark-k8s test Connect server", "spark-internal"]
        pids["connect"] = _spawn(
            args,
            directory / "connect.log",
            # The launcher sizes the Connect server as a daemon (SPARK_DAEMON_MEMORY).
            {**env, "SPARK_DAEMON_MEMORY": "768m", "SPARK_CONNECT_AUTHENTICATE_TOKEN": token},
        )
        save()
        _wait(
            "standalone master",
            lambda: _json(master_ui + "/json/").get("status") == "ALIVE",
            pids["master"],
            directory / "master.log",
            deadline,
        )
        _wait(
            "standalone worker",
            lambda: any(w.get("state") == "ALIVE" for w in _json(master_ui + "/json/").get("workers", [])),
            pids["worker"],
            directory / "worker.log",
            deadline,
        )
        _wait(
            "Spark Connect server",
            lambda: _listening(ports["connect"]),
            pids["connect"],
            directory / "connect.log",
            deadline,
        )
    except BaseException:
        stop(directory)
        raise
    values = {
        "SPARK_K8S_TEST_STANDALONE_MASTER": master,
        "SPARK_K8S_TEST_STANDALONE_UI": master_ui,
        "SPARK_K8S_TEST_CONNECT_REMOTE": f"sc://127.0.0.1:{ports['connect']}",
        "SPARK_K8S_TEST_CONNECT_TOKEN_FILE": str(token_file),
        CONNECT_UI_ENV: f"http://127.0.0.1:{ports['connectUi']}",
    }
    (directory / "env.json").write_text(json.dumps(values))
    return values


def env(directory):
    """The env of DIR's running servers (the token file's path, never the token)."""
    path = pathlib.Path(directory) / "env.json"
    if not path.exists():
        raise RuntimeError(f"{directory} has no running servers: run `start {directory}` first.")
    return json.loads(path.read_text())


def stop(directory):
    """Stop every process group DIR's start started (safe to call twice)."""
    path = pathlib.Path(directory) / "pids.json"
    if not path.exists():
        return
    pids = json.loads(path.read_text())
    for pid in pids.values():
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + 20
    for pid in pids.values():
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
    path.unlink()
    (pathlib.Path(directory) / "env.json").unlink(missing_ok=True)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "env", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "stop":
        stop(argv[2])
        return 0
    try:
        values = start(argv[2]) if argv[1] == "start" else env(argv[2])
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    for name, value in values.items():
        print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
