"""The kernel side of jupyterlab-spark-k8s, in one file.

The JupyterLab extension sends this file's text into the notebook's kernel and
calls ``start_session(conf)``; ``spark-k8s script`` copies it into generated
scripts. It depends on nothing but PySpark and the standard library, so the
kernel's environment needs nothing from this package installed.

Every failure a user can cause or meet (no Java, no PySpark, a bad conf value)
raises ``SparkK8sError`` whose message says what went wrong and what to do.
"""

import html
import json
import os
import shutil
import sys
import tempfile

SESSION_MIME = "application/vnd.spark-k8s.session+json"
DEFAULT_ROW_LIMIT = 1000

_state = {"spark": None, "info": None, "user_ns": None}


class SparkK8sError(Exception):
    """A failure with a message meant for the notebook's author."""


def _in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def _publish(bundle):
    """Display a mime bundle in Jupyter; print its text form elsewhere."""
    if _in_ipython():
        from IPython.display import display as ipy_display

        ipy_display(bundle, raw=True)
    else:
        print(bundle.get("text/plain", ""))


# ---------------------------------------------------------------------------
# Session


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkK8sError(
            "PySpark is not installed in this kernel's Python (%s). Install it in "
            "the kernel's environment, for example run `%%pip install pyspark` in a "
            "cell, then restart the kernel and start the session again." % sys.executable
        ) from None


def _find_java():
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = os.path.join(home, "bin", "java")
        if os.access(candidate, os.X_OK):
            return candidate
        raise SparkK8sError(
            "JAVA_HOME is set to %r but %s is not an executable Java. Point JAVA_HOME "
            "at a Java 17 or 21 installation, or unset it, then restart the kernel."
            % (home, candidate)
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
    if not isinstance(conf, dict):
        raise SparkK8sError("The session conf must be a dict of Spark properties.")
    for key, value in conf.items():
        if not isinstance(key, str) or not key.startswith("spark."):
            raise SparkK8sError(
                "%r is not a Spark property: conf keys start with 'spark.'. "
                "Fix the profile's conf in Settings > Spark sessions." % (key,)
            )
        if not isinstance(value, str):
            raise SparkK8sError("The value of %r must be a string." % key)


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


def _startup_reason(error, captured):
    lines = [line.strip() for line in captured.splitlines()]
    clues = [
        line
        for line in lines
        if line
        and any(
            word in line
            for word in ("Error", "Exception", "Invalid", "invalid", "Could not", "Caused by")
        )
        and not line.startswith("at ")
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
    try:
        return not spark.sparkContext._jsc.sc().isStopped()
    except Exception:  # noqa: BLE001 - a dead JVM answers with any error
        return False


def session_info():
    """What the panel shows about the current session."""
    spark = _state["spark"]
    if spark is None:
        return {"state": "stopped"}
    return dict(_state["info"])


KERNEL_PID_ANNOTATION = "spark-k8s.jupyter.org/kernel-pid"
KERNEL_START_ANNOTATION = "spark-k8s.jupyter.org/kernel-start"


def _process_start(pid):
    """Field 22 of /proc/PID/stat: start time in clock ticks (guards against pid reuse)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
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


def start_session(conf, user_ns=None, pod_template=None):
    """Start (or return) the SparkSession for `conf`; bind spark, sc, display in `user_ns`.

    `pod_template` (a Pod as a dict) shapes executor pods beyond what Spark conf can say.
    """
    _check_conf(conf)
    if conf.get("spark.master", "").startswith("k8s://"):
        conf = _kubernetes_conf(conf, pod_template)
    _require_pyspark()
    if _state["spark"] is not None:
        if _is_alive(_state["spark"]):
            _bind(user_ns)
            return session_info()
        _state["spark"] = None
    _find_java()
    from pyspark.sql import SparkSession

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
            "Spark could not start: %s. Check the profile's Spark conf and memory "
            "settings, then start again." % _startup_reason(error, captured.text)
        ) from None
    sc = spark.sparkContext
    ui_url = sc.uiWebUrl
    _state["spark"] = spark
    _state["info"] = {
        "state": "ready",
        "appId": sc.applicationId,
        "appName": sc.appName,
        "master": sc.master,
        "sparkVersion": spark.version,
        "pythonVersion": "%d.%d.%d" % sys.version_info[:3],
        "uiPort": _ui_port(ui_url),
    }
    _bind(user_ns)
    return session_info()


def _bind(user_ns):
    if user_ns is None:
        return
    _state["user_ns"] = user_ns
    spark = _state["spark"]
    user_ns["spark"] = spark
    user_ns["sc"] = spark.sparkContext
    user_ns["display"] = display
    user_ns["displayHTML"] = displayHTML


def stop_session():
    """Stop the session and unbind its names; safe to call twice."""
    spark = _state["spark"]
    _state["spark"] = None
    _state["info"] = None
    if spark is not None:
        spark.stop()
    user_ns = _state["user_ns"]
    if user_ns is not None:
        for name in ("spark", "sc"):
            user_ns.pop(name, None)
    return {"state": "stopped"}


def announce(info):
    """Publish session info for the Spark panel as a display message."""
    _publish({SESSION_MIME: info, "text/plain": json.dumps(info)})


def require_session():
    spark = _state["spark"]
    if spark is None:
        raise SparkK8sError(
            "No Spark session is running in this kernel: start one from the Spark "
            "panel (or run the cell again to start the default profile)."
        )
    return spark


def finish_script():
    """End of a generated script: stop Spark so the JVM exits cleanly."""
    stop_session()


# ---------------------------------------------------------------------------
# SQL cells and display


def sql_cell(statements, limit=DEFAULT_ROW_LIMIT):
    """Run a %sql cell's statements in order; display and return the last result."""
    spark = require_session()
    result = None
    for statement in statements:
        result = spark.sql(statement)
    if result is not None and result.columns:
        display(result, limit=limit)
    return result


def _is_spark_dataframe(obj):
    module = type(obj).__module__ or ""
    return module.startswith("pyspark.sql") and type(obj).__name__ == "DataFrame"


def _cell_text(value):
    if value is None:
        return "null"
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def _table_bundle(columns, rows, truncated, limit):
    cells = [[_cell_text(v) for v in row] for row in rows]
    note = (
        "Showing the first %s rows; the result has more." % format(limit, ",")
        if truncated
        else "%s row%s" % (format(len(rows), ","), "" if len(rows) == 1 else "s")
    )
    widths = [len(c) for c in columns]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values):
        return "|" + "|".join(" %s " % v.ljust(widths[i]) for i, v in enumerate(values)) + "|"

    text = "\n".join([sep, line(columns), sep] + [line(r) for r in cells] + [sep, note])
    head = "".join("<th>%s</th>" % html.escape(c) for c in columns)
    body = "".join(
        "<tr>%s</tr>" % "".join("<td>%s</td>" % html.escape(v) for v in row) for row in cells
    )
    markup = (
        '<div class="jp-SparkK8s-table"><table class="dataframe"><thead><tr>%s</tr></thead>'
        "<tbody>%s</tbody></table><p class=\"jp-SparkK8s-tableNote\">%s</p></div>"
        % (head, body, html.escape(note))
    )
    return {"text/html": markup, "text/plain": text}


def display(*objs, limit=DEFAULT_ROW_LIMIT):
    """Databricks-style display: a Spark DataFrame as a bounded table, others as Jupyter shows them."""
    for obj in objs:
        if _is_spark_dataframe(obj):
            rows = obj.take(limit + 1)
            truncated = len(rows) > limit
            _publish(_table_bundle(obj.columns, rows[:limit], truncated, limit))
        elif _in_ipython():
            from IPython.display import display as ipy_display

            ipy_display(obj)
        else:
            print(obj)


def displayHTML(markup):
    """Show raw HTML, as Databricks' displayHTML does."""
    _publish({"text/html": str(markup), "text/plain": "<HTML>"})
