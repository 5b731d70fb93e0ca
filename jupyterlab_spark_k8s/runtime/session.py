"""The Spark session: start, stop, info for the panel, and the names a notebook sees.

Every failure a user can cause or meet (no Java, no PySpark, a bad conf value) raises
SparkK8sError whose message says what went wrong and what to do.
"""

import contextlib
import errno
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time

from . import connect
from .contract import CONTRACT, KERNEL_PID_ANNOTATION, KERNEL_START_ANNOTATION, SESSION_LABEL, SESSION_MIME
from .errors import SparkK8sError
from .notebook import dbutils
from .output import publish
from .render import display, displayHTML
from .secrets import configure_secrets
from .sql import install_path_mapping
from .state import _state, require_session
from .storage import prepare_storage
from .widgets import getArgument

__all__ = ["announce", "require_session", "session_info", "start_session", "stop_session"]


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkK8sError(
            f"PySpark is not installed in this kernel's Python ({sys.executable}). Install it in "
            "the kernel's environment, for example run `%pip install pyspark` in a "
            "cell, then restart the kernel and start the session again."
        ) from None


def _find_java():
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        if os.access(candidate, os.X_OK):
            return candidate
        raise SparkK8sError(
            f"JAVA_HOME is set to {home!r} but {candidate} is not an executable Java. Point JAVA_HOME "
            "at a Java 17 or 21 installation, or unset it, then restart the kernel."
        )
    found = shutil.which("java")
    if not found:
        raise SparkK8sError(
            "Java was not found: Spark needs a Java 17 or 21 runtime in the kernel's "
            "environment. Install one (Debian/Ubuntu: apt install openjdk-17-jre-headless) "
            "or set JAVA_HOME, then restart the kernel."
        )
    return found


def _check_conf(conf):
    """A shape guard only: profiles are validated once, in core (sessionConf)."""
    if not isinstance(conf, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in conf.items()
    ):
        raise SparkK8sError(
            "start_session takes the Spark conf as a dict of strings, as the Spark panel resolves it."
        )


class _CaptureStderr:
    """Capture file descriptor 2 while the JVM starts: its errors land there."""

    def __enter__(self):
        self.text = ""
        try:
            sys.stderr.flush()
            self._saved = os.dup(2)
            self._file = tempfile.TemporaryFile(mode="w+b")
            os.dup2(self._file.fileno(), 2)
        except (OSError, ValueError):
            self._saved = None
        return self

    def __exit__(self, *exc):
        if self._saved is None:
            return False
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self.text = self._file.read().decode("utf-8", "replace")
        self._file.close()
        if self.text:
            # Keep the JVM's log where the server's operator expects it.
            try:
                sys.__stderr__.write(self.text)
                sys.__stderr__.flush()
            except (OSError, ValueError, AttributeError):
                pass
        return False


_CLUE_WORDS = ("Error", "Exception", "Invalid", "invalid", "Could not", "Caused by")


def _startup_reason(error, captured):
    lines = [line.strip() for line in captured.splitlines()]
    clues = [
        line
        for line in lines
        if line and any(word in line for word in _CLUE_WORDS) and not line.startswith("at ")
    ]
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    detail = "; ".join(dict.fromkeys(clues[:3])) or first
    if detail != first and "JAVA_GATEWAY_EXITED" not in first:
        detail = first + " (" + detail + ")"
    return detail


def _ui_port(url):
    if not url:
        return None
    try:
        return int(url.rstrip("/").rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def _is_alive(spark):
    if connect.is_connect(spark):
        return connect.is_alive(spark)
    try:
        return not spark.sparkContext._jsc.sc().isStopped()
    except Exception:  # noqa: BLE001 - a dead JVM answers with any error
        return False


def session_info():
    """What the panel shows about the current session (a reloaded page asks again)."""
    if _state["spark"] is None or not _is_alive(_state["spark"]):
        return {"state": "stopped"}
    return dict(_state["info"])


def _process_start(pid):
    """Field 22 of /proc/PID/stat: start time in clock ticks (guards against pid reuse)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2 :].split(" ")[19]
    except (OSError, ValueError, IndexError):
        return None


def _kubernetes_conf(conf, pod_template):
    """Mark executor pods with this kernel process, so the service can reap orphans."""
    conf = dict(conf)
    prefix = "spark.kubernetes.executor.annotation."
    conf[prefix + KERNEL_PID_ANNOTATION] = str(os.getpid())
    start = _process_start(os.getpid())
    if start:
        conf[prefix + KERNEL_START_ANNOTATION] = start
    if pod_template:
        fd, path = tempfile.mkstemp(prefix="spark-k8s-executor-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(pod_template, f)
        conf["spark.kubernetes.executor.podTemplateFile"] = path
    return conf


# The conf key a kubernetes session names its range of driver ports with (src/core/session/conf.ts).
DRIVER_PORTS_CONF = CONTRACT["driverPorts"]["conf"]
# Sessions of one pod take their driver ports in turn: a pair tested free is bound by the JVM
# before the next session looks (the lock is held across the SparkContext's start).
_PORTS_LOCK = os.path.join(tempfile.gettempdir(), "spark-k8s-driver-ports.lock")
_PORTS_LOCK_WAIT = 180


def _port_free(port):
    """Whether nothing listens on `port` at any address (IPv4 and, where there is one, IPv6)."""
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue  # no IPv6 in this pod
        try:
            # As the JVM binds: TIME_WAIT connections of a stopped session do not hold the port.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
        finally:
            sock.close()
    return True


def _port_range(spec):
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", spec)
    first, last = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if not (0 < first < last <= 65535):
        raise SparkK8sError(
            f"{DRIVER_PORTS_CONF} is {spec!r}: it takes the range of driver ports the pod's "
            "NetworkPolicy admits as FIRST-LAST, e.g. 7078-7099."
        )
    return first, last


def _pick_driver_ports(spec):
    """A free (driver, block manager) pair in `spec` ("FIRST-LAST"): (p, p + 1) for p = FIRST, FIRST + 2…"""
    first, last = _port_range(spec)
    pairs = range(first, last, 2)
    for port in pairs:
        if _port_free(port) and _port_free(port + 1):
            return port, port + 1
    raise SparkK8sError(
        f"{len(pairs)} Spark sessions already run in this pod (they hold the driver ports "
        f"{first}-{last} its NetworkPolicy admits); stop one (Stop in its notebook's Spark panel, "
        "or shut its kernel down), then start again."
    )


@contextlib.contextmanager
def _driver_ports(conf):
    """`conf` with spark.driver.port and spark.driver.blockManager.port taken from the range it
    asks for (DRIVER_PORTS_CONF), held against the pod's other sessions while the body starts Spark.

    Without the range, or when the conf names its ports itself, `conf` as it is.
    """
    spec = conf.get(DRIVER_PORTS_CONF)
    if spec is None or "spark.driver.port" in conf:
        yield conf
        return
    import fcntl

    with open(_PORTS_LOCK, "a") as lock:
        deadline = time.monotonic() + _PORTS_LOCK_WAIT
        while True:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SparkK8sError(
                        f"Another Spark session of this pod has been starting for over "
                        f"{_PORTS_LOCK_WAIT} s and holds the driver ports; stop it or wait, "
                        "then start again."
                    ) from None
                time.sleep(0.2)
        try:
            driver, block_manager = _pick_driver_ports(spec)
            yield {
                **conf,
                "spark.driver.port": str(driver),
                "spark.driver.blockManager.port": str(block_manager),
            }
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def runtime_archive():
    """The zip this package was imported from, or None when it was imported from a directory."""
    marker = ".zip" + os.sep
    here = os.path.abspath(__file__)
    if marker not in here:
        return None
    archive = here[: here.index(marker) + len(".zip")]
    return archive if os.path.isfile(archive) else None


def _ship_runtime(sc):
    """Put the runtime zip on the executors' Python path (UDFs may use it)."""
    archive = runtime_archive()
    if archive is None:
        return
    # A job's --py-files already ships it; Spark refuses the same file name from a second path.
    if os.path.basename(archive) in (getattr(sc, "_python_includes", None) or []):
        return
    try:
        sc.addPyFile(archive)
    except Exception as exc:  # noqa: BLE001 - the session works without it on executors
        print(f"Warning: could not ship {archive} to the executors: {exc}", file=sys.stderr)


MASTER_UI_CONF = CONTRACT["standalone"]["masterUi"]


def _kind(master):
    if master.startswith("k8s://"):
        return "kubernetes"
    if master.startswith("spark://"):
        return "standalone"
    return "local"


def start_session(conf, user_ns=None, pod_template=None, secret_scopes=None):
    """Start (or return) the SparkSession for `conf`; bind spark, sc, display… in `user_ns`.

    `spark.remote` (sc://…) starts a Spark Connect session (see ``connect``); otherwise a
    classic session on `spark.master` (local, k8s://, spark://).
    `pod_template` (a Pod as a dict) shapes executor pods beyond what Spark conf can say.
    `secret_scopes` is the resolved mapping {scope: {"secret": name, "env": {key: variable}}}.
    """
    _check_conf(conf)
    if secret_scopes is not None:
        configure_secrets(secret_scopes)
    remote = bool(conf.get("spark.remote"))
    if conf.get("spark.master", "").startswith("k8s://") and not remote:
        conf = _kubernetes_conf(conf, pod_template)
    _require_pyspark()
    if _state["spark"] is not None:
        if _is_alive(_state["spark"]):
            _bind(user_ns)
            return session_info()
        _state["spark"] = None
    if remote:
        return _start_connect(conf, user_ns)
    _find_java()
    conf = prepare_storage(conf)
    from pyspark.sql import SparkSession

    with _driver_ports(conf) as conf:
        builder = SparkSession.builder
        for key, value in conf.items():
            builder = builder.config(key, value)
        with _CaptureStderr() as captured:
            try:
                spark = builder.getOrCreate()
                error = None
            except Exception as exc:  # noqa: BLE001 - every start failure is reported
                spark = None
                error = exc
    if error is not None:
        raise SparkK8sError(
            f"Spark could not start: {_startup_reason(error, captured.text)}. Check the profile's "
            "Spark conf and memory settings, then start again."
        ) from None
    sc = spark.sparkContext
    _ship_runtime(sc)
    _state["spark"] = spark
    _state["info"] = {
        "state": "ready",
        "appId": sc.applicationId,
        "appName": sc.appName,
        "master": sc.master,
        "sparkVersion": spark.version,
        "pythonVersion": ".".join(str(n) for n in sys.version_info[:3]),
        "uiPort": _ui_port(sc.uiWebUrl),
        "kind": _kind(sc.master),
    }
    if conf.get(MASTER_UI_CONF):
        _state["info"]["masterUi"] = conf[MASTER_UI_CONF]
    # The label of a kubernetes session's executor pods: a reloaded panel finds them again.
    session_id = conf.get("spark.kubernetes.executor.label." + SESSION_LABEL)
    if session_id:
        _state["info"]["sessionId"] = session_id
    _bind(user_ns)
    install_path_mapping()
    return session_info()


def _start_connect(conf, user_ns):
    spark, info = connect.start(conf)
    _state["spark"] = spark
    _state["own_conf"] = {k: v for k, v in conf.items() if k.startswith(connect.OWN_PREFIX)}
    _state["info"] = info
    _bind(user_ns)
    install_path_mapping()
    return session_info()


def _bind(user_ns):
    if user_ns is None:
        return
    _state["user_ns"] = user_ns
    spark = _state["spark"]
    user_ns["spark"] = spark
    user_ns["sc"] = connect.spark_context(spark)
    user_ns["display"] = display
    user_ns["displayHTML"] = displayHTML
    user_ns["dbutils"] = dbutils
    user_ns["getArgument"] = getArgument


def stop_session():
    """Stop the session and unbind its names; safe to call twice."""
    spark = _state["spark"]
    _state["spark"] = None
    _state["info"] = None
    _state["own_conf"] = None
    if spark is not None:
        if connect.is_connect(spark):
            connect.stop(spark)
        else:
            spark.stop()
    user_ns = _state["user_ns"]
    if user_ns is not None:
        for name in ("spark", "sc"):
            user_ns.pop(name, None)
    return {"state": "stopped"}


def announce(info):
    """Publish session info for the Spark panel as a display message."""
    publish({SESSION_MIME: info, "text/plain": json.dumps(info)})
