"""Spark Connect sessions: the token, the channel, the start, and what Connect has not.

A conf with ``spark.remote`` (``sc://host:port``) starts a Spark Connect session. The
bearer token comes from a reference the conf names (``spark.jupyter.connect.tokenFile``,
``…tokenSecret`` = ``secret:key``, ``…tokenEnv``), is read here in the kernel, registered
for redaction at once and handed to gRPC only: it is never in the conf sent to the
server, the session info, a log or an error. With ``spark.jupyter.connect.tls`` the
channel is TLS (the token as call credentials); without, a token is only sent to a
server on this machine (loopback), as PySpark itself does.

Connect has no SparkContext and no RDDs: ``sc`` is bound to an object that says so
(``NoSparkContext``). ``ConnectJobs`` stands in for the SparkContext where the runtime
tags, watches and cancels a cell's work (``progress``, ``notebook``): tags are Connect
session tags, cancel is ``interruptTag``, and progress comes from Spark 4's Connect
progress handler.
"""

import contextlib
import itertools
import os
import socket
import sys
import threading
import urllib.parse
from collections import OrderedDict

from .contract import CONTRACT
from .errors import SparkK8sError
from .redaction import redact, redact_value

_CONNECT = CONTRACT["connect"]
TLS_CONF = _CONNECT["tls"]
TOKEN_FILE_CONF = _CONNECT["tokenFile"]
TOKEN_SECRET_CONF = _CONNECT["tokenSecret"]
TOKEN_ENV_CONF = _CONNECT["tokenEnv"]
UI_URL_CONF = _CONNECT["uiUrl"]
DEFAULT_PORT = int(_CONNECT["port"])
CONNECT_MODE_ENV = "SPARK_CONNECT_MODE_ENABLED"
OWN_PREFIX = "spark.jupyter."
"""Keys under this prefix are the runtime's; they are never sent to the server."""
REACH_TIMEOUT = 10
"""Seconds to wait for the server's port to answer before saying it cannot be reached."""
NO_CONTEXT = (
    "Spark Connect has no SparkContext/RDDs: use DataFrames (spark.range, spark.read, spark.sql, "
    "spark.createDataFrame …) and the DataFrame API instead of sc and RDDs."
)


def is_connect(spark):
    """Whether `spark` is a Spark Connect session."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


class NoSparkContext:
    """What ``sc`` is in a Spark Connect session: every use says Connect has none."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        raise SparkK8sError(NO_CONTEXT)

    def __repr__(self):
        return "<no SparkContext: this is a Spark Connect session; use DataFrames (spark.…)>"


NO_SPARK_CONTEXT = NoSparkContext()

_JVM_NAMES = ("sparkContext", "_jsc", "_jvm", "_jconf", "_jsparkSession", "rdd")


def _is_no_context_error(value):
    """PySpark's own "not on Connect" errors for sc, the JVM and RDDs (spark.sparkContext, df.rdd)."""
    error_class = getattr(value, "getCondition", None) or getattr(value, "getErrorClass", None)
    with contextlib.suppress(Exception):
        error_class = error_class() if callable(error_class) else None
    if error_class not in ("JVM_ATTRIBUTE_NOT_SUPPORTED", "NOT_IMPLEMENTED"):
        return False
    return any(name in str(value) for name in _JVM_NAMES)


def install_hint(shell=None):
    """In IPython, PySpark's error for sc/RDD use on Connect is shown as our clear message."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is None or getattr(shell, "_spark_k8s_connect_hint", False):
        return
    try:
        from pyspark.errors import PySparkAttributeError, PySparkNotImplementedError
    except ImportError:
        return

    def handler(self, etype, value, tb, tb_offset=None):
        if _is_no_context_error(value):
            error = SparkK8sError(f"{NO_CONTEXT} ({str(value).strip().splitlines()[0]})")
            return self.showtraceback((SparkK8sError, error, None), tb_offset=tb_offset)
        return self.showtraceback((etype, value, tb), tb_offset=tb_offset)

    shell.set_custom_exc((PySparkAttributeError, PySparkNotImplementedError), handler)
    shell._spark_k8s_connect_hint = True


def spark_context(spark):
    """What `sc` is for `spark`: its SparkContext, or on Spark Connect an object that says it has none."""
    return NO_SPARK_CONTEXT if is_connect(spark) else spark.sparkContext


def jobs_context(spark):
    """What tags and cancels `spark`'s work: its SparkContext, or on Spark Connect its ConnectJobs."""
    if not is_connect(spark):
        return spark.sparkContext
    return current_jobs(spark) or ConnectJobs(spark)


# ---------------------------------------------------------------------------------------
# The endpoint and the token.


def parse_remote(remote):
    """(host, port) of ``sc://host[:port]``; a clear error for anything else."""
    text = str(remote).strip()
    if ";" in text:
        # Parameters (token=…) never come in the address: refuse without echoing them.
        raise SparkK8sError(
            "spark.remote must be only sc://host:port: parameters after ';' (a token among them) "
            "are not taken from the address. Name the token in the profile (a file, a Secret or an "
            "environment variable), then start again."
        )
    parsed = urllib.parse.urlparse(text)
    try:
        port = parsed.port
    except ValueError:
        port = -1
    if parsed.scheme != "sc" or not parsed.hostname or port == -1 or parsed.path not in ("", "/"):
        raise SparkK8sError(
            f"spark.remote is {text!r}: a Spark Connect address is sc://host:port (port {DEFAULT_PORT} "
            "when left out). Fix it in the profile, then start again."
        )
    return parsed.hostname, port or DEFAULT_PORT


def _read_token_file(path):
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            token = f.read().strip()
    except OSError as exc:
        raise SparkK8sError(
            f"The Spark Connect token file {path!r} cannot be read ({exc.strerror}): check the path in the "
            "profile and that the kernel's user may read it, then start again."
        ) from None
    if not token:
        raise SparkK8sError(
            f"The Spark Connect token file {path!r} is empty: put the token in it, then start again."
        )
    return token


def _read_token_env(variable):
    token = (os.environ.get(variable) or "").strip()
    if not token:
        raise SparkK8sError(
            f"The environment variable {variable!r} that should hold the Spark Connect token is not set in "
            "the kernel: set it in the kernel's environment (or name a file or Secret in the profile), "
            "then restart the kernel."
        )
    return token


def _read_token_secret(reference):
    from .secrets import read_kubernetes_secret

    name, _, key = str(reference).partition(":")
    if not name or not key:
        raise SparkK8sError(
            f"{TOKEN_SECRET_CONF} is {reference!r}: it names the token's Secret as SECRET:KEY. Fix the profile."
        )
    return read_kubernetes_secret(name, key).decode("utf-8").strip()


def read_token(conf):
    """The token the conf refers to (registered for redaction), or None."""
    given = [key for key in (TOKEN_FILE_CONF, TOKEN_SECRET_CONF, TOKEN_ENV_CONF) if conf.get(key)]
    if len(given) > 1:
        raise SparkK8sError(
            f"The conf names the Spark Connect token in more than one way ({', '.join(given)}): keep one."
        )
    if not given:
        return None
    key = given[0]
    reader = {
        TOKEN_FILE_CONF: _read_token_file,
        TOKEN_SECRET_CONF: _read_token_secret,
        TOKEN_ENV_CONF: _read_token_env,
    }
    token = reader[key](conf[key])
    redact_value(token)
    return token


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        import ipaddress

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=REACH_TIMEOUT):
            return
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
    raise SparkK8sError(
        f"The Spark Connect server at {host}:{port} cannot be reached ({reason}): check that it runs and "
        "that the profile's address and port are right (and that a NetworkPolicy lets this pod reach it), "
        "then start again."
    )


# ---------------------------------------------------------------------------------------
# The gRPC channel: TLS or not, the token as a bearer header.


def _bearer_interceptor(token):
    import grpc

    header = ("authorization", "Bearer " + token)

    class Details(grpc.ClientCallDetails):
        def __init__(self, details):
            self.method = details.method
            self.timeout = details.timeout
            self.metadata = list(details.metadata or []) + [header]
            self.credentials = details.credentials
            self.wait_for_ready = getattr(details, "wait_for_ready", None)
            self.compression = getattr(details, "compression", None)

    class Bearer(
        grpc.UnaryUnaryClientInterceptor,
        grpc.UnaryStreamClientInterceptor,
        grpc.StreamUnaryClientInterceptor,
        grpc.StreamStreamClientInterceptor,
    ):
        def intercept_unary_unary(self, continuation, details, request):
            return continuation(Details(details), request)

        def intercept_unary_stream(self, continuation, details, request):
            return continuation(Details(details), request)

        def intercept_stream_unary(self, continuation, details, requests):
            return continuation(Details(details), requests)

        def intercept_stream_stream(self, continuation, details, requests):
            return continuation(Details(details), requests)

        def __repr__(self):
            return "<bearer token>"

    return Bearer()


def channel_builder(host, port, token, tls):
    """A PySpark ChannelBuilder for host:port that holds the token outside its parameters."""
    import grpc
    from pyspark.sql.connect.client import DefaultChannelBuilder

    class Builder(DefaultChannelBuilder):
        def __init__(self):
            shown = f"[{host}]" if ":" in host else host
            super().__init__(f"sc://{shown}:{port}")
            self._tls = tls
            self._call_credentials = None
            if token is not None and tls:
                self._call_credentials = grpc.access_token_call_credentials(token)
            elif token is not None:
                self.add_interceptor(_bearer_interceptor(token))

        @property
        def token(self):
            # Never handed out (PySpark would also choose its own channel from it).
            return None

        @property
        def secure(self):
            return self._tls

        def toChannel(self):  # noqa: N802 - PySpark's name
            if not self._tls:
                return self._insecure_channel(self.endpoint)
            credentials = grpc.ssl_channel_credentials()
            if self._call_credentials is not None:
                credentials = grpc.composite_channel_credentials(credentials, self._call_credentials)
            return self._secure_channel(self.endpoint, credentials)

    return Builder()


# ---------------------------------------------------------------------------------------
# Start.


def _status_code(exc):
    for attribute in ("getGrpcStatusCode", "grpc_status_code"):
        value = getattr(exc, attribute, None)
        with contextlib.suppress(Exception):
            value = value() if callable(value) else value
            if value is not None:
                return str(getattr(value, "name", value))
    text = str(exc)
    for code in ("UNAUTHENTICATED", "PERMISSION_DENIED", "UNAVAILABLE", "DEADLINE_EXCEEDED"):
        if code in text:
            return code
    return None


def _first_line(exc):
    text = redact(str(exc)).strip()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("details = "):
            return line[len("details = ") :].strip('"')
    return text.splitlines()[0] if text else type(exc).__name__


def _start_error(exc, endpoint, tls, token):
    code = _status_code(exc)
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        if token is None:
            return SparkK8sError(
                f"The Spark Connect server at {endpoint} wants a token ({code}): name it in the profile "
                "(a file, a Kubernetes Secret or an environment variable), then start again."
            )
        return SparkK8sError(
            f"The Spark Connect server at {endpoint} refused the token ({code}): the token the profile names "
            "is wrong or expired. Put the right one in its file, Secret or variable, then start again."
        )
    if tls and "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return SparkK8sError(
            f"The Spark Connect server at {endpoint} has a TLS certificate this kernel does not trust "
            "(CERTIFICATE_VERIFY_FAILED): give the kernel its CA (the file named by "
            "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH in the kernel's environment) or have the server use a "
            "certificate from a trusted CA, then start again."
        )
    if code in ("UNAVAILABLE", "DEADLINE_EXCEEDED"):
        hint = (
            "the server may not speak TLS: turn TLS off in the profile if it does not"
            if tls
            else "if the server speaks TLS, turn TLS on in the profile"
        )
        return SparkK8sError(
            f"The Spark Connect server at {endpoint} did not answer ({_first_line(exc)}): check that it runs "
            f"and is a Spark Connect server; {hint}. Then start again."
        )
    return SparkK8sError(
        f"Spark Connect at {endpoint} failed to start a session: {_first_line(exc)}. Check the server and the "
        "profile's session conf, then start again."
    )


def session_conf(conf):
    """The conf sent to the server: without the runtime's own keys and the address."""
    return {
        key: value
        for key, value in conf.items()
        if not key.startswith(OWN_PREFIX) and key not in ("spark.remote", "spark.master", "spark.app.name")
    }


def _short_retries(spark):
    """Retry an unreachable server briefly while starting (PySpark's default waits minutes)."""
    with contextlib.suppress(Exception):
        from pyspark.sql.connect.client.retries import DefaultPolicy

        client = spark.client
        saved = client.get_retry_policies()
        client.set_retry_policies([DefaultPolicy(max_retries=3, max_backoff=2000)])
        return saved
    return None


def start(conf):
    """A started Spark Connect session for `conf` and its session info."""
    try:
        import grpc  # noqa: F401
        from pyspark.sql.connect.session import SparkSession as ConnectSession
    except ImportError as exc:
        raise SparkK8sError(
            f"Spark Connect needs its client libraries in the kernel's Python ({sys.executable}): {exc}. "
            "Install them, e.g. `%pip install 'pyspark[connect]'` (or this extension's `connect` extra), "
            "then restart the kernel."
        ) from None
    host, port = parse_remote(conf["spark.remote"])
    endpoint = f"{host}:{port}"
    tls = str(conf.get(TLS_CONF, "false")).strip().lower() == "true"
    token = read_token(conf)
    if token is not None and not tls and not _is_loopback(host):
        raise SparkK8sError(
            f"The profile sends a Spark Connect token to {endpoint} without TLS, where anyone on the network "
            "could read it: turn TLS on in the profile (only a server on this machine may go without)."
        )
    _check_reachable(host, port)
    # PySpark's functions, UDFs and readers dispatch to their Connect forms in this mode.
    os.environ[CONNECT_MODE_ENV] = "1"
    spark = None
    try:
        spark = ConnectSession(connection=channel_builder(host, port, token, tls))
        saved = _short_retries(spark)
        version = spark.version  # the first call: reachability and the token are checked here
        if saved is not None:
            spark.client.set_retry_policies(saved)
        options = session_conf(conf)
        if options:
            spark.conf._set_all(configs=options, silent=False)
    except SparkK8sError:
        os.environ.pop(CONNECT_MODE_ENV, None)
        raise
    except Exception as exc:  # noqa: BLE001 - every start failure is reported in plain words
        if spark is not None:
            with contextlib.suppress(Exception):
                spark.stop()
        os.environ.pop(CONNECT_MODE_ENV, None)
        raise _start_error(exc, endpoint, tls, token) from None
    ConnectSession._set_default_and_active_session(spark)
    install_hint()
    jobs = ConnectJobs(spark)
    spark.registerProgressHandler(jobs.on_progress)
    _jobs["current"] = jobs
    info = {
        "state": "ready",
        "kind": "connect",
        "server": endpoint,
        "sessionId": spark.session_id,
        "sparkVersion": version,
        "pythonVersion": ".".join(str(n) for n in sys.version_info[:3]),
    }
    if conf.get(UI_URL_CONF):
        info["uiUrl"] = conf[UI_URL_CONF]
    return spark, info


def is_alive(spark):
    return not getattr(spark, "is_stopped", True)


def stop(spark):
    if _jobs.get("current") is not None and _jobs["current"].spark is spark:
        _jobs["current"] = None
    with contextlib.suppress(Exception):
        spark.clearProgressHandlers()
    spark.stop()
    os.environ.pop(CONNECT_MODE_ENV, None)


# ---------------------------------------------------------------------------------------
# Tags, cancel and progress of a cell's work on Connect (what a SparkContext gives classically).

_jobs = {"current": None}
_KEPT_TAGS = 32


def current_jobs(spark=None):
    """The ConnectJobs of the running Connect session (or of `spark`), or None."""
    jobs = _jobs.get("current")
    if jobs is None or (spark is not None and jobs.spark is not spark):
        return None
    return jobs if is_alive(jobs.spark) else None


class ConnectJobs:
    """The subset of SparkContext the runtime uses to tag, watch and cancel work, on Connect.

    Each Connect operation (one ExecutePlan) that reported progress is one "job" here,
    numbered in order; its stages and task counts come from the progress handler.
    """

    uiWebUrl = None  # noqa: N815 - SparkContext's name

    def __init__(self, spark):
        self.spark = spark
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._by_tag = OrderedDict()  # tag -> {operation id: job}
        self._groups = threading.local()

    # SparkContext's tagging calls, as progress.CellRun and notebook.run make them.
    def setJobGroup(self, group, description=None, interruptOnCancel=False):  # noqa: N802, N803
        self.spark.addTag(group)
        self._groups.group = group

    def addJobTag(self, tag):  # noqa: N802
        self.spark.addTag(tag)

    def removeJobTag(self, tag):  # noqa: N802
        self.spark.removeTag(tag)

    def setLocalProperty(self, key, value):  # noqa: N802
        if key == "spark.jobGroup.id" and value is None:
            group = getattr(self._groups, "group", None)
            if group is not None:
                self._groups.group = None
                with contextlib.suppress(Exception):
                    self.spark.removeTag(group)

    def cancelJobsWithTag(self, tag):  # noqa: N802
        self.spark.interruptTag(tag)

    def cancelJobGroup(self, group):  # noqa: N802
        self.spark.interruptTag(group)

    # Spark 4's Connect progress handler: called on the thread that runs the operation.
    def on_progress(self, stages=None, inflight_tasks=0, operation_id=None, done=False):
        from .progress import current_run

        run = current_run()
        if run is None or not operation_id:
            return
        stages = list(stages or [])
        with self._lock:
            operations = self._by_tag.get(run.tag)
            if operations is None:
                operations = self._by_tag[run.tag] = {}
                while len(self._by_tag) > _KEPT_TAGS:
                    self._by_tag.popitem(last=False)
            job = operations.get(operation_id)
            if job is None:
                if not stages or done:
                    return  # an operation without tasks (DDL, a schema): no job, as classically
                job = operations[operation_id] = {"id": next(self._ids), "status": "running", "stages": []}
            if stages:
                active = int(inflight_tasks or 0)
                rows = []
                for stage in sorted(stages, key=lambda s: s.stage_id):
                    running = 0 if stage.done else active
                    active -= running
                    rows.append(
                        {
                            "id": int(stage.stage_id),
                            "name": "",
                            "total": int(stage.num_tasks),
                            "done": int(stage.num_completed_tasks),
                            "active": running,
                            "failed": 0,
                        }
                    )
                job["stages"] = rows
            if done:
                # The last report may predate the last tasks: an operation that ended and was
                # not cancelled ran them all (a failed one raises in the cell).
                job["status"] = "succeeded"
                for stage in job["stages"]:
                    if not run.cancelled:
                        stage["done"] = stage["total"]
                    stage["active"] = 0

    # The status source progress.CellProgress reads.
    def job_ids(self, tag, group=None):
        with self._lock:
            return sorted(job["id"] for job in self._by_tag.get(tag, {}).values())

    def job(self, job_id):
        with self._lock:
            for operations in self._by_tag.values():
                for job in operations.values():
                    if job["id"] == job_id:
                        return {**job, "stages": [dict(s) for s in job["stages"]]}
        return None

    def cancel(self, tag, group=None):
        self.spark.interruptTag(tag)
        if group and group != tag:
            self.spark.interruptTag(group)
