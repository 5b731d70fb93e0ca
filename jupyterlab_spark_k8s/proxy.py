"""jupyter-server-proxy entry point: the Node service on a unix socket.

Being reachable only through Jupyter's authenticated proxy, the service needs no
authentication of its own; it runs on the Node runtime from PyPI.

jupyter-server-proxy starts a server process once and never again: if it dies, every
later request fails until Jupyter restarts. So the command it runs is this module's
small supervisor, which restarts the service when it exits (with a growing delay if it
keeps failing) and stops it when it is itself stopped.
"""

import signal
import subprocess
import sys
import time

from .cli import HERE, node_executable

SERVICE_PATH = "spark-k8s-api"

# Restart delays: a service that ran this long was healthy and is restarted at once.
HEALTHY_SECONDS = 30
FIRST_DELAY, MAX_DELAY = 0.2, 10.0


def setup_service():
    return {
        "command": [
            sys.executable,
            "-m",
            "jupyterlab_spark_k8s.proxy",
            node_executable(),
            str(HERE / "node" / "service.js"),
            "--socket",
            "{unix_socket}",
        ],
        "unix_socket": True,
        "timeout": 30,
        "absolute_url": False,
        "launcher_entry": {"enabled": False},
    }


def _die_with_parent():
    """In the child: receive SIGTERM when the supervisor dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def supervise(command):
    """Run `command` until this process is stopped, restarting it whenever it exits."""
    state = {"child": None, "stopping": False}

    def stop(signum, _frame):
        state["stopping"] = True
        child = state["child"]
        if child and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = FIRST_DELAY
    while not state["stopping"]:
        started = time.monotonic()
        child = subprocess.Popen(command, preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        state["child"] = child
        code = child.wait()
        if state["stopping"]:
            return 0
        lasted = time.monotonic() - started
        delay = FIRST_DELAY if lasted >= HEALTHY_SECONDS else min(delay * 2, MAX_DELAY)
        print(
            "spark-k8s service exited (%s) after %.0f s; restarting in %.1f s" % (code, lasted, delay),
            file=sys.stderr,
            flush=True,
        )
        deadline = time.monotonic() + delay
        while not state["stopping"] and time.monotonic() < deadline:
            time.sleep(0.05)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m jupyterlab_spark_k8s.proxy COMMAND [ARG...]")
    sys.exit(supervise(sys.argv[1:]))
