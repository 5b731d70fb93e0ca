"""Spark's own History Server, on demand, behind Jupyter's authenticated proxy at ``<base>/sparkhistory/``.

After a run its pods are gone; its event log (``<run output>/event-logs``, written by the
job: README "Publishing") is what Spark's History Server replays into the Spark UI. One
History Server per Jupyter server is started on the first request, from PySpark's own
distribution (``bin/spark-class org.apache.spark.deploy.history.HistoryServer``, Java 17+),
listening on a free loopback port (``SPARK_LOCAL_IP=127.0.0.1``: nothing but this proxy
reaches it), and stopped with the Jupyter server (on exit, on SIGTERM through the JVM's
parent-death signal, or when another location is asked for).

The run output location it reads, first found of:

1. ``?location=`` on a request (the lab passes its setting ``runOutput``); a location other
   than the running server's restarts it there, and the browser is redirected to the same
   page without the parameter;
2. the config trait ``c.SparkK8s.run_output`` (jupyter_server_config.py);
3. the environment variable ``SPARK_K8S_RUN_OUTPUT`` of the Jupyter server.

Spark learns the prefix from the ``X-Forwarded-Context`` header (its ``uiRoot``), as for the
live UI in sparkui.py. ``<base>/spark-k8s/runs/ui?location=&run=`` redirects to a run's
application in it (``…/sparkhistory/history/<app id>/jobs/``), found by application id or
name. Only local paths and ``file:`` URIs are read here (s3a://: issue 12).
"""

import asyncio
import atexit
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import urllib.parse

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from jupyter_server_proxy.handlers import LocalProxyHandler
from tornado import httpclient, web
from tornado.ioloop import IOLoop
from traitlets import Unicode
from traitlets.config import Configurable

from .runs import EVENT_LOG_FOLDER, RunOutputError, check_segment, local_folder, notebook_path, read_notebook

PREFIX = "sparkhistory"
HISTORY_SERVER_CLASS = "org.apache.spark.deploy.history.HistoryServer"
RUN_OUTPUT_ENV = "SPARK_K8S_RUN_OUTPUT"
# How often the History Server looks for new event logs, and how long a run's page waits for it.
UPDATE_INTERVAL_S = 3
APP_WAIT_S = 2 * UPDATE_INTERVAL_S + 2
START_TIMEOUT_S = 120


class SparkK8s(Configurable):
    """Server-side settings of jupyterlab-spark-k8s (``c.SparkK8s.…``)."""

    run_output = Unicode(
        "",
        config=True,
        help="Run output location (local path or file: URI) whose event-logs folder Spark's History "
        "Server at <base>/sparkhistory/ reads when no ?location= is given. Empty: the environment "
        "variable SPARK_K8S_RUN_OUTPUT.",
    )


def java_executable():
    """The java the History Server would run, or None."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def spark_home():
    """PySpark's distribution (bin/spark-class, jars/), or a RunOutputError saying what to install."""
    home = os.environ.get("SPARK_HOME")
    if not home:
        try:
            from pyspark.find_spark_home import _find_spark_home
        except ImportError:
            raise RunOutputError(
                503,
                "Spark's History Server comes with PySpark, which is not installed where the Jupyter "
                "server runs: install it there (pip install 'jupyterlab-spark-k8s[spark]').",
            ) from None
        home = _find_spark_home()
    if not os.path.isfile(os.path.join(home, "bin", "spark-class")):
        raise RunOutputError(
            503, f"{home} (SPARK_HOME) has no bin/spark-class: point SPARK_HOME at a Spark 4."
        )
    return home


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent():
    """In the child before exec: get SIGTERM when the Jupyter server dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - elsewhere the atexit and signal handlers stop it
        pass


class HistoryServer:
    """The one History Server of this Jupyter server: started, restarted and stopped here."""

    def __init__(self, log):
        self.log = log
        self.location = None
        self.event_logs = None
        self.port = None
        self.process = None
        self.workdir = None
        self._lock = asyncio.Lock()
        atexit.register(self.stop_now)

    @property
    def running(self):
        return self.process is not None and self.process.returncode is None

    def status(self):
        return {
            "running": self.running,
            "location": self.location,
            "eventLogDir": self.event_logs,
            "pid": self.process.pid if self.running else None,
        }

    @staticmethod
    def event_log_dir(location):
        """``<location>/event-logs`` as a local folder that exists, or a RunOutputError in words."""
        folder = os.path.join(local_folder(location), EVENT_LOG_FOLDER)
        if not os.path.isdir(folder):
            raise RunOutputError(
                404,
                f"There is no event-log folder at {folder}: no run has written its Spark event log to "
                f"the run output location {location} yet. Runs published with this run output location "
                "write it there; check the location (the setting runOutput) and the run's driver log.",
            )
        return folder

    async def ensure(self, location):
        """The server running on `location`'s event logs (started or restarted as needed)."""
        async with self._lock:
            if self.running and (location is None or location == self.location):
                return
            if location is None:
                raise RunOutputError(
                    400,
                    "Spark's History Server does not know which run output location to read: open it "
                    "from the Jobs view (it passes ?location=), or set c.SparkK8s.run_output or the "
                    f"environment variable {RUN_OUTPUT_ENV} of the Jupyter server.",
                )
            folder = self.event_log_dir(location)
            if not java_executable():
                raise RunOutputError(
                    503,
                    "Spark's History Server needs Java (17 or later), and none was found for the Jupyter "
                    "server: install a JDK/JRE, or set JAVA_HOME before starting Jupyter.",
                )
            home = spark_home()
            await self._stop()
            await self._start(home, location, folder)

    async def _start(self, home, location, folder):
        self.workdir = tempfile.mkdtemp(prefix="spark-k8s-history-")
        port = _free_port()
        properties = {
            "spark.history.fs.logDirectory": "file:" + folder,
            "spark.history.ui.port": str(port),
            "spark.history.fs.update.interval": f"{UPDATE_INTERVAL_S}s",
            "spark.history.fs.cleaner.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
        }
        conf = os.path.join(self.workdir, "history.properties")
        with open(conf, "w", encoding="utf-8") as handle:
            for key, value in properties.items():
                # Java properties: escape what the format reads as syntax.
                escaped = value.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=")
                handle.write(f"{key}={escaped}\n")
        env = dict(os.environ)
        env.update(SPARK_HOME=home, SPARK_LOCAL_IP="127.0.0.1", SPARK_CONF_DIR=self.workdir)
        env.setdefault("SPARK_DAEMON_MEMORY", "1g")
        logfile = os.path.join(self.workdir, "history-server.log")
        command = [os.path.join(home, "bin", "spark-class"), HISTORY_SERVER_CLASS, "--properties-file", conf]
        with open(logfile, "wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
                cwd=self.workdir,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        self.port, self.location, self.event_logs = port, location, folder
        self.log.info(
            "jupyterlab_spark_k8s: Spark History Server (pid %s) reading %s", self.process.pid, folder
        )
        client = httpclient.AsyncHTTPClient()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                break
            try:
                await client.fetch(f"http://127.0.0.1:{port}/api/v1/version", request_timeout=5)
                return
            except (httpclient.HTTPClientError, OSError):
                await asyncio.sleep(0.25)
        code = self.process.returncode
        await self._stop()
        tail = self._log_tail(logfile)
        what = f"exited with code {code}" if code is not None else f"did not answer in {START_TIMEOUT_S} s"
        raise RunOutputError(500, f"Spark's History Server {what}. The end of its log ({logfile}):\n{tail}")

    @staticmethod
    def _log_tail(path, lines=25):
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return "(no log)"

    async def _stop(self):
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()

    async def stop(self):
        async with self._lock:
            await self._stop()

    def stop_now(self):
        """At interpreter exit (no event loop): SIGTERM, a short wait, SIGKILL."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
            for _ in range(50):
                if os.waitpid(process.pid, os.WNOHANG)[0]:
                    return
                time.sleep(0.1)
            os.kill(process.pid, signal.SIGKILL)
        except (ChildProcessError, ProcessLookupError, OSError):
            pass

    async def find_app(self, run):
        """The application id of `run` (an application id or name), waiting for a scan; or None."""
        client = httpclient.AsyncHTTPClient()
        deadline = time.monotonic() + APP_WAIT_S
        while True:
            response = await client.fetch(
                f"http://127.0.0.1:{self.port}/api/v1/applications", request_timeout=10, raise_error=False
            )
            if response.code == 200:
                apps = json.loads(response.body)
                for app in apps:
                    if app.get("id") == run:
                        return run
                named = [app for app in apps if app.get("name") == run]
                if named:
                    return max(named, key=lambda a: (a.get("attempts") or [{}])[0].get("startTime", ""))["id"]
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(0.5)


def _history(handler):
    return handler.settings["spark_k8s_history"]


def _configured_location(handler):
    return handler.settings.get("spark_k8s_run_output") or os.environ.get(RUN_OUTPUT_ENV) or None


class _RunOutputErrorPage:
    """Handlers whose RunOutputError is shown as a page in words, not a traceback."""

    def write_error(self, status_code, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, RunOutputError):
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(_error_page(status_code, exc.message))
            return
        super().write_error(status_code, **kwargs)


class SparkHistoryHandler(_RunOutputErrorPage, LocalProxyHandler):
    """``<base>/sparkhistory/…`` to the History Server; only authenticated users get through."""

    def proxy_request_headers(self):
        """The browser's headers without its Jupyter credentials (the JVM needs none)."""
        headers = super().proxy_request_headers()
        for name in ("Authorization", "Cookie"):
            if name in headers:
                del headers[name]
        return headers

    def _rewrite_location_header(self, location, host, port, proxied_path):
        """Spark's redirects under the prefix, once.

        Spark prefixes some with its uiRoot; Jetty may make one relative to the path it saw
        (``../user/…/history/<id>/``); an application's ``/`` → ``/jobs/`` comes as an absolute
        URL on the browser's host without the prefix. All become a path under the prefix.
        """
        parsed = urllib.parse.urlparse(location)
        if parsed.netloc and parsed.netloc not in (self.request.host, f"{host}:{port}", f"127.0.0.1:{port}"):
            return location
        context = url_path_join(self.base_url, PREFIX)
        path = urllib.parse.urljoin("/" + proxied_path.lstrip("/"), parsed.path)
        if path != context and not path.startswith(context + "/"):
            path = url_path_join(context, path)
        return urllib.parse.urlunparse(parsed._replace(scheme="", netloc="", path=path))

    async def _ensure(self):
        """Start the server if needed; True when the request was answered (a redirect)."""
        history = _history(self)
        requested = self.get_query_argument("location", None)
        if requested is not None:
            await history.ensure(requested.strip())
            rest = [(k, v) for k, v in urllib.parse.parse_qsl(self.request.query, True) if k != "location"]
            target = self.request.path + ("?" + urllib.parse.urlencode(rest) if rest else "")
            self.redirect(target)
            return True
        await history.ensure(None if history.running else _configured_location(self))
        self.proxy_base = PREFIX
        return False

    async def http_get(self, proxied_path):
        if not proxied_path:
            self.redirect(url_path_join(self.base_url, PREFIX) + "/")
            return None
        if await self._ensure():
            return None
        return await LocalProxyHandler.proxy(self, _history(self).port, proxied_path)

    async def open(self, proxied_path):
        raise web.HTTPError(400, "Spark's History Server has no websockets")

    async def _other(self, proxied_path):
        if await self._ensure():
            return None
        return await LocalProxyHandler.proxy(self, _history(self).port, proxied_path or "/")

    post = put = delete = head = patch = options = _other


class RunUIHandler(_RunOutputErrorPage, JupyterHandler):
    """``<base>/spark-k8s/runs/ui?location=&run=[&job=]``: redirect to the run's Spark UI after it ended."""

    @web.authenticated
    async def get(self):
        history = _history(self)
        location = self.get_query_argument("location", "").strip() or None
        run = check_segment(self.get_query_argument("run", ""), "run")
        job = self.get_query_argument("job", "")
        await history.ensure(location or (None if history.running else _configured_location(self)))
        app = None
        if job:
            app = await IOLoop.current().run_in_executor(None, _recorded_app_id, history.location, job, run)
        app = app or await history.find_app(run)
        if not app:
            raise RunOutputError(
                404,
                f"Spark's History Server has no application {run!r} in {history.event_logs}: its event log "
                "is not there (the run did not start Spark, ran without this run output location, or is "
                "still being written). The list of applications it has: "
                + url_path_join(self.base_url, PREFIX, "/"),
            )
        self.redirect(
            url_path_join(self.base_url, PREFIX, "history", urllib.parse.quote(app, safe=""), "jobs/")
        )


def _recorded_app_id(location, job, run):
    """The Spark application id the run's executed notebook records, if it does."""
    try:
        _, notebook = read_notebook(notebook_path(location, job, run))
    except RunOutputError:
        return None
    meta = (notebook.get("metadata") or {}).get("spark_k8s") or {}
    info = meta.get("run") if isinstance(meta.get("run"), dict) else {}
    app = info.get("applicationId")
    return app if isinstance(app, str) and app else None


class HistoryStatusHandler(APIHandler):
    """``GET <base>/spark-k8s/history/status``: whether the History Server runs, and on what."""

    @web.authenticated
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(_history(self).status()))


def _error_page(status, message):
    from html import escape

    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Spark History Server</title></head>"
        "<body style='font-family: sans-serif; margin: 2em'>"
        f"<h1>Spark History Server: error {status}</h1><p style='white-space: pre-wrap'>{escape(message)}</p>"
        "</body></html>"
    )


def setup_handlers(server_app):
    web_app = server_app.web_app
    config = SparkK8s(parent=server_app)
    web_app.settings["spark_k8s_run_output"] = config.run_output
    web_app.settings["spark_k8s_history"] = HistoryServer(server_app.log)
    base_url = web_app.settings["base_url"]
    proxy_options = {"absolute_url": False, "host_allowlist": ["localhost", "127.0.0.1"]}
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base_url, PREFIX) + "(/.*|)", SparkHistoryHandler, proxy_options),
            (url_path_join(base_url, "spark-k8s", "runs", "ui"), RunUIHandler),
            (url_path_join(base_url, "spark-k8s", "history", "status"), HistoryStatusHandler),
        ],
    )
