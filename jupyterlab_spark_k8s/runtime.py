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
import re
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


def start_session(conf, user_ns=None, pod_template=None, secret_scopes=None):
    """Start (or return) the SparkSession for `conf`; bind spark, sc, display in `user_ns`.

    `pod_template` (a Pod as a dict) shapes executor pods beyond what Spark conf can say.
    """
    _check_conf(conf)
    if secret_scopes:
        dbutils.secrets.scopes.update(secret_scopes)
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
    _install_path_mapping()
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
    user_ns["dbutils"] = dbutils
    user_ns["getArgument"] = dbutils.widgets.getArgument


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
    """End of a generated script: stop Spark so the JVM exits cleanly.

    A notebook run by dbutils.notebook.run shares its caller's session: leave it running.
    """
    if os.environ.get("SPARK_K8S_CHILD_RUN") != "1":
        stop_session()


# ---------------------------------------------------------------------------
# SQL cells and display


_VARIABLE = re.compile(r"\$\{(\w+)\}")
_GET_ARGUMENT = re.compile(r"""getArgument\(\s*(['"])(\w+)\1\s*\)""")


def _sql_literal(value):
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _substitute(statement):
    """Databricks' ${name} (text) and getArgument('name') (a string literal) from widgets."""
    widgets = dbutils.widgets

    def variable(m):
        return widgets.get(m.group(1)) if widgets._defined(m.group(1)) else m.group(0)

    statement = _VARIABLE.sub(variable, statement)
    return _GET_ARGUMENT.sub(lambda m: _sql_literal(widgets.get(m.group(2))), statement)


_SQL_PATH = re.compile(r"""(['"`])(dbfs:/|/dbfs/|/Volumes/)([^'"`]*)\1""")


def map_sql_paths(statement):
    """Quoted dbfs:/, /dbfs/ and /Volumes/ paths in SQL, moved to the storage root."""
    return _SQL_PATH.sub(lambda m: m.group(1) + map_path(m.group(2) + m.group(3)) + m.group(1), statement)


def map_code_paths(lines):
    """An IPython input transformer: string literals that are Databricks paths, mapped.

    Only complete string tokens change, so no code can be created or broken.
    """
    import ast
    import io
    import tokenize

    source = "".join(lines)
    if "dbfs" not in source and "/Volumes/" not in source:
        return lines
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return lines
    changed = False
    out = []
    for tok in tokens:
        if tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                value = None
            if isinstance(value, str) and map_path(value) != value:
                tok = tok._replace(string=repr(map_path(value)))
                changed = True
        out.append(tok)
    if not changed:
        return lines
    return tokenize.untokenize(out).splitlines(keepends=True)


def _install_path_mapping():
    if _in_ipython():
        from IPython import get_ipython

        transformers = get_ipython().input_transformers_post
        if not any(getattr(t, "__name__", "") == "map_code_paths" for t in transformers):
            transformers.append(map_code_paths)


def sql_cell(items, limit=DEFAULT_ROW_LIMIT):
    """Run a %sql cell's instructions in order; display and return the last result.

    Items are ("sql", statement, marker_names), ("create_widget", type, name,
    default, choices_query_or_None) and ("remove_widget", name).
    """
    spark = require_session()
    result = None
    for item in items:
        kind = item[0]
        if kind == "create_widget":
            _, wtype, name, default, choices_query = item
            choices = [str(r[0]) for r in spark.sql(choices_query).collect()] if choices_query else None
            if wtype == "text":
                dbutils.widgets.text(name, default)
            else:
                getattr(dbutils.widgets, wtype)(name, default, choices or [default])
        elif kind == "remove_widget":
            dbutils.widgets.remove(item[1])
        else:
            _, statement, markers = item
            statement = map_sql_paths(_substitute(statement))
            args = {name: dbutils.widgets.get(name) for name in markers}
            result = spark.sql(statement, args=args) if args else spark.sql(statement)
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


# ---------------------------------------------------------------------------
# Databricks magics other than %sql


def markdown(text):
    """%md: show the text as Markdown."""
    _publish({"text/markdown": text, "text/plain": text})


def sh(script):
    """%sh: run the script with bash on the driver; a failing exit status fails the cell."""
    import subprocess

    proc = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode("utf-8", "replace")
    if out:
        print(out, end="" if out.endswith("\n") else "\n")
    if proc.returncode != 0:
        raise SparkK8sError("%%sh exited with status %d." % proc.returncode)
    return None


def pip(args):
    """%pip: install into the kernel's Python; executors need the package in their image."""
    import shlex
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "pip", *shlex.split(args)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    print(proc.stdout.decode("utf-8", "replace"), end="")
    print("Note: %pip installs into this kernel only. Executors on the cluster need the package in "
          "their image (or ship it with spark.submit.pyFiles).")
    if proc.returncode != 0:
        raise SparkK8sError("pip exited with status %d." % proc.returncode)


def unsupported(language):
    """%scala, %r: not runnable by a Python kernel. The cell says so on stderr and does
    not fail, so a "run all" goes on with the rest of the notebook."""
    message = (
        "SparkK8sError: %%%s cells are not supported here: this notebook runs on a Python kernel. "
        "Rewrite the cell in Python or SQL; the other cells still run." % language
    )
    print(message, file=sys.stderr)
    return None


def fs_magic(command):
    """%fs ls|head|cp|mv|rm|mkdirs|put PATH…: dbutils.fs from a cell."""
    import shlex

    words = shlex.split(command)
    if not words:
        raise SparkK8sError("%fs needs a command: ls, head, cp, mv, rm, mkdirs or put.")
    verb, args = words[0], words[1:]
    recurse = "-r" in args
    args = [a for a in args if a != "-r"]
    fs = dbutils.fs
    if verb == "ls":
        rows = fs.ls(args[0] if args else "/")
        _publish(_table_bundle(["path", "name", "size", "modificationTime"],
                               [tuple(r) for r in rows], False, len(rows) or 1))
        return None
    if verb == "head":
        print(fs.head(*args))
        return None
    if verb in ("cp", "mv"):
        return getattr(fs, verb)(args[0], args[1], recurse)
    if verb == "rm":
        return fs.rm(args[0], recurse)
    if verb == "mkdirs":
        return fs.mkdirs(args[0])
    if verb == "put":
        return fs.put(args[0], args[1], True)
    raise SparkK8sError("%%fs %s is not supported; use ls, head, cp, mv, rm, mkdirs or put." % verb)


# ---------------------------------------------------------------------------
# dbutils


class _Widgets:
    """dbutils.widgets with Databricks semantics: string values, first declaration wins."""

    def __init__(self):
        self._defs = {}
        self._values = {}

    def _defined(self, name):
        return str(name) in self._defs or str(name) in self._values

    def _declare(self, kind, name, default, choices=None, label=None):
        name = str(name)
        if name in self._defs:
            return
        default = "" if default is None else str(default)
        if choices is not None:
            choices = [str(c) for c in choices]
            if kind != "combobox":
                for value in default.split(",") if kind == "multiselect" else [default]:
                    if value not in choices:
                        raise SparkK8sError("The default %r of widget %r is not one of its choices %r."
                                            % (value, name, choices))
        self._defs[name] = {"type": kind, "default": default, "choices": choices, "label": label or name}

    def text(self, name, defaultValue="", label=None):
        self._declare("text", name, defaultValue, None, label)

    def dropdown(self, name, defaultValue, choices, label=None):
        self._declare("dropdown", name, defaultValue, choices, label)

    def combobox(self, name, defaultValue, choices, label=None):
        self._declare("combobox", name, defaultValue, choices, label)

    def multiselect(self, name, defaultValue, choices, label=None):
        self._declare("multiselect", name, defaultValue, choices, label)

    def get(self, name):
        name = str(name)
        if name in self._values:
            value = self._values[name]
        elif name in self._defs:
            value = self._defs[name]["default"]
        else:
            raise SparkK8sError("No widget named %r is defined: declare it (dbutils.widgets.text(%r, "
                                "\"default\")) or pass it as a parameter." % (name, name))
        return ",".join(value) if isinstance(value, (list, tuple)) else str(value)

    def getArgument(self, name, defaultValue=None):
        if defaultValue is not None and not self._defined(name):
            return str(defaultValue)
        return self.get(name)

    def getAll(self):
        return {name: self.get(name) for name in list(dict.fromkeys([*self._defs, *self._values]))}

    def remove(self, name):
        self._defs.pop(str(name), None)
        self._values.pop(str(name), None)

    def removeAll(self):
        self._defs.clear()
        self._values.clear()

    def set_values(self, values):
        """Values from the parameter bar, a %run or a job's arguments; they win over defaults."""
        for name, value in dict(values).items():
            self._values[str(name)] = value

    def describe(self):
        """Declared widgets with their current values, for the parameter bar."""
        return {name: dict(spec, value=self.get(name)) for name, spec in self._defs.items()}


def _dbfs_root():
    root = os.environ.get("SPARK_K8S_DBFS_ROOT")
    spark = _state["spark"]
    if not root and spark is not None:
        root = spark.conf.get("spark.jupyter.dbfsRoot", None)
    return (root or "file://" + os.path.expanduser("~/dbfs")).rstrip("/")


def map_path(path):
    """dbfs:/x, /dbfs/x and /Volumes/x to the configured storage root; other paths unchanged."""
    path = str(path)
    for prefix in ("dbfs:/", "/dbfs/"):
        if path.startswith(prefix):
            return _dbfs_root() + "/" + path[len(prefix):].lstrip("/")
    if path.startswith("/Volumes/"):
        return _dbfs_root() + path
    return path


def _file_info(path, name, size, mtime):
    from collections import namedtuple

    info = namedtuple("FileInfo", ["path", "name", "size", "modificationTime"])
    return info(path, name, size, mtime)


class _Fs:
    """dbutils.fs on any Hadoop path through Spark's JVM (file:, s3a:, …)."""

    def _fs(self, path):
        spark = require_session()
        jvm = spark.sparkContext._jvm
        p = jvm.org.apache.hadoop.fs.Path(map_path(path))
        return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), p, jvm

    def ls(self, path):
        fs, p, _ = self._fs(path)
        out = []
        for st in fs.listStatus(p):
            name = st.getPath().getName() + ("/" if st.isDirectory() else "")
            out.append(_file_info(str(st.getPath().toString()) + ("/" if st.isDirectory() else ""), name,
                                  st.getLen(), st.getModificationTime()))
        return out

    def mkdirs(self, path):
        fs, p, _ = self._fs(path)
        return bool(fs.mkdirs(p))

    def rm(self, path, recurse=False):
        fs, p, _ = self._fs(path)
        return bool(fs.delete(p, bool(recurse)))

    def cp(self, src, dst, recurse=False):
        sfs, sp, jvm = self._fs(src)
        dfs, dp, _ = self._fs(dst)
        if sfs.getFileStatus(sp).isDirectory() and not recurse:
            raise SparkK8sError("%s is a directory: use recurse=True." % src)
        conf = require_session().sparkContext._jsc.hadoopConfiguration()
        return bool(jvm.org.apache.hadoop.fs.FileUtil.copy(sfs, sp, dfs, dp, False, conf))

    def mv(self, src, dst, recurse=False):
        copied = self.cp(src, dst, recurse)
        return copied and self.rm(src, True)

    def head(self, path, maxBytes=65536):
        fs, p, _ = self._fs(path)
        stream = fs.open(p)
        try:
            data = bytearray()
            while len(data) < maxBytes:
                b = stream.read()
                if b < 0:
                    break
                data.append(b)
        finally:
            stream.close()
        return data.decode("utf-8", "replace")

    def put(self, path, contents, overwrite=False):
        fs, p, _ = self._fs(path)
        if fs.exists(p) and not overwrite:
            raise SparkK8sError("%s exists: pass overwrite=True to replace it." % path)
        stream = fs.create(p, bool(overwrite))
        try:
            stream.write(bytearray(str(contents).encode("utf-8")))
        finally:
            stream.close()
        return True


class NotebookExit(Exception):
    """dbutils.notebook.exit(value): ends the notebook with a value."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value

    def _render_traceback_(self):
        return ["Notebook exited: %s" % self.value]


class _Notebook:
    def exit(self, value):
        raise NotebookExit(str(value))

    def run(self, path, timeout_seconds=0, arguments=None):
        """Run another notebook in a namespace of its own (sharing this Spark session)
        with its widgets set from `arguments`; return what it passed to exit().

        The callee is translated by the `spark-k8s` command (installed with the
        extension), exactly as `spark-k8s script` would translate it.
        """
        import subprocess

        cli = shutil.which("spark-k8s")
        if not cli:
            raise SparkK8sError("dbutils.notebook.run needs the spark-k8s command (pip install "
                                "jupyterlab-spark-k8s in the kernel's environment); use %run to inline a notebook.")
        target = str(path)
        if not os.path.splitext(target)[1]:
            target += ".ipynb"
        proc = subprocess.run([cli, "script", target], capture_output=True, text=True,
                              timeout=timeout_seconds or None)
        if proc.returncode != 0:
            raise SparkK8sError("dbutils.notebook.run(%r): %s" % (path, proc.stderr.strip()))
        saved = {k: os.environ.get(k) for k in ("SPARK_K8S_WIDGETS", "SPARK_K8S_CHILD_RUN")}
        os.environ["SPARK_K8S_WIDGETS"] = json.dumps({str(k): str(v) for k, v in (arguments or {}).items()})
        os.environ["SPARK_K8S_CHILD_RUN"] = "1"
        try:
            exec(compile(proc.stdout, target, "exec"), {"__name__": "__spark_k8s_child__"})
        except Exception as exc:  # noqa: BLE001 - the child's NotebookExit is its own class
            if type(exc).__name__ == "NotebookExit":
                return exc.value
            raise
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return None


class _Secrets:
    """dbutils.secrets: a scope is a Kubernetes Secret, a key its data key.

    In a job the values come from environment variables SPARK_K8S_SECRET_<SCOPE>_<KEY>
    (set from secretKeyRef); in a session the kernel reads the Secret with the pod's own
    credentials. Every value read is redacted from what the notebook prints or displays.
    """

    def __init__(self):
        self.scopes = {}

    def _secret_name(self, scope):
        mapped = self.scopes.get(scope)
        if mapped:
            return mapped
        name = re.sub(r"[^a-z0-9-]+", "-", scope.lower()).strip("-")[:253]
        return name or "secret"

    @staticmethod
    def env_name(scope, key):
        return "SPARK_K8S_SECRET_" + re.sub(r"[^A-Z0-9]", "_", ("%s_%s" % (scope, key)).upper())

    def _api(self, path):
        import ssl
        import urllib.error
        import urllib.request

        conf = dict(require_session().sparkContext.getConf().getAll())
        master = conf.get("spark.master", "")
        if not master.startswith("k8s://"):
            raise SparkK8sError("Secrets come from Kubernetes: start a kubernetes session, or set the "
                                "environment variable the job would have.")
        token_file = conf.get("spark.kubernetes.authenticate.oauthTokenFile",
                              "/var/run/secrets/kubernetes.io/serviceaccount/token")
        ca_file = conf.get("spark.kubernetes.authenticate.caCertFile",
                           "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
        namespace = conf.get("spark.kubernetes.namespace", "default")
        with open(token_file) as f:
            token = f.read().strip()
        req = urllib.request.Request(master[len("k8s://"):] + "/api/v1/namespaces/%s/%s" % (namespace, path),
                                     headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=ca_file), timeout=15) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as err:
            if err.code == 404:
                raise SparkK8sError("Secret %r does not exist in namespace %r." % (path.split("/")[-1], namespace)) from None
            if err.code == 403:
                raise SparkK8sError("This pod's service account may not read secrets in %r: grant get on "
                                    "secrets (deploy/rbac.yaml)." % namespace) from None
            raise SparkK8sError("Reading %s failed: HTTP %d." % (path, err.code)) from None

    def getBytes(self, scope, key):
        import base64

        env = os.environ.get(self.env_name(scope, key))
        if env is not None:
            value = env.encode("utf-8")
        else:
            data = self._api("secrets/" + self._secret_name(scope)).get("data") or {}
            if key not in data:
                raise SparkK8sError("Secret %r (scope %r) has no key %r; it has: %s."
                                    % (self._secret_name(scope), scope, key, ", ".join(sorted(data)) or "none"))
            value = base64.b64decode(data[key])
        _redact_value(value.decode("utf-8", "replace"))
        return value

    def get(self, scope, key):
        return self.getBytes(scope, key).decode("utf-8")

    def list(self, scope):
        from collections import namedtuple

        meta = namedtuple("SecretMetadata", ["key"])
        data = self._api("secrets/" + self._secret_name(scope)).get("data") or {}
        return [meta(k) for k in sorted(data)]

    def listScopes(self):
        from collections import namedtuple

        scope = namedtuple("SecretScope", ["name"])
        return [scope(name) for name in sorted(self.scopes)]


class _DBUtils:
    def __init__(self):
        self.widgets = _Widgets()
        self.secrets = _Secrets()
        self.fs = _Fs()
        self.notebook = _Notebook()


dbutils = _DBUtils()

# ---------------------------------------------------------------------------
# Redaction of secret values from everything the notebook prints or displays

REDACTED = "[REDACTED]"
_secret_values = set()


def redact(text):
    for value in sorted(_secret_values, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


class _RedactingStream:
    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(redact(text) if isinstance(text, str) else text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _redact_data(data):
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {k: _redact_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_redact_data(v) for v in data]
    return data


def _redact_value(value):
    if len(value) < 3 or value in _secret_values:
        return
    _secret_values.add(value)
    if not isinstance(sys.stdout, _RedactingStream):
        sys.stdout = _RedactingStream(sys.stdout)
        sys.stderr = _RedactingStream(sys.stderr)
    if _in_ipython():
        from IPython import get_ipython

        pub = get_ipython().display_pub
        if not getattr(pub, "_spark_k8s_redacting", False):
            publish = pub.publish

            def redacting_publish(data, metadata=None, *args, **kwargs):
                return publish(_redact_data(data), metadata, *args, **kwargs)

            pub.publish = redacting_publish
            pub._spark_k8s_redacting = True


def _widget_values_from_env():
    """A job passes widget values as JSON in SPARK_K8S_WIDGETS."""
    raw = os.environ.get("SPARK_K8S_WIDGETS")
    if raw:
        dbutils.widgets.set_values(json.loads(raw))


_widget_values_from_env()


def run_inline(path, params, codes, user_ns):
    """%run: the callee's translated cells run in the caller's namespace, widgets set from params."""
    if params:
        dbutils.widgets.set_values(params)
    for code in codes:
        try:
            exec(compile(code, path, "exec"), user_ns)
        except NotebookExit as done:
            return done.value
    return None


class _WidgetsBundle:
    """Declared widgets as JSON, for the parameter bar (through user_expressions)."""

    def _repr_json_(self):
        return dbutils.widgets.describe()


def widgets_bundle():
    return _WidgetsBundle()
