"""Script and job mode: widget values from the environment or the command line, the run, the end.

A generated script (``python3 notebook.py``) or a published Spark job runs the runtime
outside a kernel. A published job's script is one call, ``run_job(cells, …)``, which
sets job mode (``SPARK_K8S_JOB=1``): there a cell that cannot run (%scala, %r) fails the
job instead of being skipped.

Widget values, which win over the widgets' defaults, come from

- ``SPARK_K8S_WIDGETS``: a JSON object {name: value};
- then the command line of a script or job: ``--name value`` or ``--name=value``.

``run_job`` semantics (Databricks'):

- the code cells run in order in one namespace (the script's globals) with ``spark``,
  ``sc``, ``dbutils``, ``display`` and ``displayHTML``; the session is the one
  spark-submit configured (its conf is not in the script), with the secret scopes;
- the driver log shows a header per cell (``=== Cell N (title) ===``) and what it
  printed and displayed, as text; secret values are redacted from everything the process
  writes to its stdout and stderr (file descriptors 1 and 2: subprocesses and logging
  handlers included), and from the executed notebook;
- Spark's SQL variable substitution (``${env:NAME}``, ``${spark.x}``) is off in the job's
  session: it would print a secret environment variable into a result;
- ``dbutils.notebook.exit(value)`` ends the job successfully (exit code 0) with `value`
  as its result; the remaining cells do not run (``sys.exit()`` / ``sys.exit(0)`` too,
  without a result);
- an exception fails the job (exit code 1): ``Cell N (title) failed: Type: message`` is
  the last line the job writes to stderr and the container's termination message
  (``SPARK_K8S_TERMINATION_LOG``, else ``/dev/termination-log`` when it exists);
- with ``SPARK_K8S_RUN_OUTPUT`` set, the executed notebook is written to
  ``<run output>/<job id>/<run id>/notebook.ipynb`` (see ``executed``); a failure to
  write it is a warning, not a failed job;
- Spark's event log: when the submitted conf enables it with a local (or ``file:``)
  ``spark.eventLog.dir``, that folder is created before the session starts (Spark
  refuses a missing one). The conf is read from the JVM spark-submit started (its
  system properties), before any SparkContext exists.
"""

import datetime
import json
import linecache
import os
import sys
import traceback

from .context import is_job_mode, job_id, run_id, set_notebook_path, spark_application_id
from .contract import JOB_MODE_ENV, RUN_OUTPUT_ENV, RUNTIME_NAME, TERMINATION_LOG_ENV, WIDGETS_ENV
from .errors import NotebookExit, SparkK8sError
from .executed import Recorder, executed_notebook, local_path, run_location, write_notebook
from .jobs import jobs
from .notebook import in_notebook_run
from .output import in_ipython
from .redaction import redact, redact_process_output, restore_process_output
from .session import start_session, stop_session
from .state import current_spark
from .widgets import kernel_widgets

JOB_ENV = JOB_MODE_ENV
"""The variable that turns on job mode (``SPARK_K8S_JOB``)."""

DEFAULT_TERMINATION_LOG = "/dev/termination-log"
# Kubernetes keeps at most 4096 bytes of a termination message.
_TERMINATION_MESSAGE_BYTES = 4096

__all__ = [
    "JOB_ENV",
    "finish_script",
    "is_job_mode",
    "job_parameters",
    "load_widget_values",
    "prepare_event_log",
    "run_job",
    "widget_values_from_argv",
    "widget_values_from_env",
]


def widget_values_from_env(environ=None):
    raw = (os.environ if environ is None else environ).get(WIDGETS_ENV)
    if not raw:
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise SparkK8sError(f"{WIDGETS_ENV} must be a JSON object of widget values, not {raw!r}.")
    return {str(k): v if isinstance(v, (list, tuple)) else str(v) for k, v in values.items()}


def widget_values_from_argv(argv):
    """``--name value`` and ``--name=value`` pairs; other arguments are left alone."""
    values = {}
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            if eq:
                values[name] = value
            elif i + 1 < len(args):
                values[name] = args[i + 1]
                i += 1
        i += 1
    return values


def job_parameters(argv=None, environ=None):
    """A job's parameters: SPARK_K8S_WIDGETS, then its arguments (which win)."""
    values = widget_values_from_env(environ)
    values.update(widget_values_from_argv(sys.argv[1:] if argv is None else argv))
    return values


def _script_argv():
    """The arguments of a script or job, or None in a kernel, a test runner or `python -c`."""
    if in_ipython():
        return None
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    is_script = (
        main_file is not None
        and getattr(main, "__spec__", None) is None
        and str(main_file).endswith(".py")
        and bool(sys.argv)
        and os.path.abspath(sys.argv[0]) == os.path.abspath(main_file)
    )
    return sys.argv[1:] if is_script or (is_job_mode() and sys.argv) else None


def load_widget_values():
    """At import: give the kernel's widgets the values a script or job was started with.

    In job mode a malformed SPARK_K8S_WIDGETS is left for ``run_job`` to report as the
    job's failure (with a termination message) instead of breaking the import.
    """
    try:
        kernel_widgets.set_values(widget_values_from_env())
    except SparkK8sError:
        if not is_job_mode():
            raise
    argv = _script_argv()
    if argv:
        kernel_widgets.set_values(widget_values_from_argv(argv))


def finish_script():
    """End of a generated script or job: stop Spark so the JVM exits cleanly.

    A notebook run by dbutils.notebook.run shares its caller's session: leave it running.
    """
    if not in_notebook_run():
        stop_session()


# ---------------------------------------------------------------------------
# A published job's run


def _submitted_conf():
    """The Spark conf spark-submit was given, read before any SparkContext exists.

    Under spark-submit the JVM is already running (PYSPARK_GATEWAY_PORT) with the conf
    as system properties; elsewhere nothing is read (no JVM is started early).
    """
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        return {}
    try:
        from pyspark import SparkConf, SparkContext

        SparkContext._ensure_initialized()
        return dict(SparkConf().getAll())
    except Exception:  # noqa: BLE001 - the session start reports a broken JVM
        return {}


def prepare_event_log(conf=None):
    """Create the event-log folder of a local ``spark.eventLog.dir``; return it (or None)."""
    conf = _submitted_conf() if conf is None else conf
    if str(conf.get("spark.eventLog.enabled", "false")).strip().lower() != "true":
        return None
    directory = conf.get("spark.eventLog.dir") or "file:/tmp/spark-events"
    path = local_path(directory)
    if path is not None:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            print(f"Warning: could not create the Spark event log folder {path}: {exc}", file=sys.stderr)
    return directory


def _one_line(text):
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return ""


def _label(cell):
    title = " ".join(str(cell.get("title") or "").split())
    return f"Cell {cell['index']}" + (f" ({title})" if title else "")


def _describe(exc):
    """``Type: first line of the message`` (the message alone for a plain SparkK8sError)."""
    message = _one_line(exc)
    if type(exc) is SparkK8sError:
        return message or SparkK8sError.__name__
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _iso(moment):
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _run_cells(cells, namespace, recorder, records, outcome):
    """Run the code cells in order; fill `records` and `outcome` (status, result, error)."""
    count = 0
    for cell in cells:
        if cell.get("type") != "code":
            continue
        code = cell.get("code", cell.get("source"))
        if not code or not code.strip():
            continue
        count += 1
        label = _label(cell)
        recorder.log(f"=== {label} ===")
        records[cell["index"]] = {"execution_count": count, "outputs": recorder.start_cell()}
        filename = f"<cell {cell['index']}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
        try:
            exec(compile(code, filename, "exec"), namespace)  # noqa: S102 - the notebook's own cells
        except NotebookExit as done:
            outcome["result"] = done.value
            return
        except SystemExit as done:
            if done.code in (None, 0):
                return
            outcome["status"] = "failed"
            outcome["error"] = f"{label} failed: SystemExit: {done.code}"
            recorder.error("SystemExit", str(done.code), [f"SystemExit: {done.code}\n"])
            return
        except BaseException as exc:  # noqa: BLE001 - every failure fails the job, named
            # Drop this frame: the traceback starts in the cell.
            lines = traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next)
            recorder.error(type(exc).__name__, str(exc), lines)
            recorder.log("".join(lines), "stderr")
            outcome["status"] = "failed"
            outcome["error"] = f"{label} failed: {_describe(exc)}"
            return
        finally:
            recorder.outputs = None


def _termination_log():
    path = os.environ.get(TERMINATION_LOG_ENV)
    if path:
        return path
    if os.path.exists(DEFAULT_TERMINATION_LOG) and os.access(DEFAULT_TERMINATION_LOG, os.W_OK):
        return DEFAULT_TERMINATION_LOG
    return None


def write_termination_message(message):
    """The container's termination message (what the operator shows); ignored when not writable."""
    path = _termination_log()
    if not path:
        return
    data = message.encode("utf-8")[:_TERMINATION_MESSAGE_BYTES].decode("utf-8", "ignore")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(data)
    except OSError:
        pass


def run_job(cells, notebook_path=None, secret_scopes=None, user_ns=None):
    """Run a published notebook as a Spark job's driver, then exit (0: succeeded, 1: failed).

    `cells`: the notebook's cells in order, as the job script passes them::

        {"index": 1-based position, "title": str or None, "type": "code"|"markdown"|"raw",
         "source": the original source,
         "code": a code cell's translated Python (absent: the source is plain Python)}

    `notebook_path`: the notebook's path (the notebook context). `secret_scopes`: the
    resolved scopes (values come from SPARK_K8S_SECRET_* variables). `user_ns`: the
    namespace the cells run in (the script's globals()).
    """
    os.environ[JOB_MODE_ENV] = "1"
    redact_process_output()
    started = _now()
    set_notebook_path(notebook_path)
    namespace = {"__name__": "__main__"} if user_ns is None else user_ns
    namespace.setdefault(RUNTIME_NAME, sys.modules[__package__])
    outcome = {"status": "succeeded", "result": None, "error": None}
    records = {}
    parameters = {}
    with Recorder() as recorder:
        try:
            parameters = job_parameters()
            kernel_widgets.set_values(parameters)
            prepare_event_log()
            start_session({}, user_ns=namespace, secret_scopes=secret_scopes or {})
            current_spark().conf.set("spark.sql.variable.substitute", "false")
        except Exception as exc:  # noqa: BLE001 - reported as the job's failure
            outcome["status"] = "failed"
            outcome["error"] = f"The job could not start: {_describe(exc)}"
        else:
            _run_cells(cells, namespace, recorder, records, outcome)
        the_job, the_run = job_id(), run_id() or "run-" + started.strftime("%Y%m%dT%H%M%SZ")
        run = {
            "status": outcome["status"],
            "result": outcome["result"],
            "error": outcome["error"],
            "parameters": parameters,
            "jobId": the_job,
            "runId": the_run,
            # Spark's own id: the History Server names the run's event log by it.
            "applicationId": spark_application_id(),
            "notebookPath": notebook_path,
            "started": _iso(started),
            "finished": _iso(_now()),
            "taskValues": jobs.taskValues.values(),
        }
        run_output = os.environ.get(RUN_OUTPUT_ENV)
        if run_output:
            folder = run_location(run_output, the_job, the_run)
            try:
                where = write_notebook(executed_notebook(cells, records, run), folder, current_spark())
                recorder.log(f"Executed notebook: {where}")
            except Exception as exc:  # noqa: BLE001 - a warning, not a failed job
                recorder.log(f"Warning: could not write the executed notebook to {folder}: {exc}", "stderr")
        try:
            stop_session()
        except Exception as exc:  # noqa: BLE001 - the run's outcome stands
            recorder.log(f"Warning: stopping Spark failed: {exc}", "stderr")
        if outcome["status"] == "failed":
            message = redact(outcome["error"])
            write_termination_message(message)
            recorder.log(message, "stderr")
        elif outcome["result"] is not None:
            recorder.log(f"Notebook exited: {outcome['result']}")
        else:
            recorder.log("Notebook succeeded.")
    restore_process_output()
    sys.exit(0 if outcome["status"] == "succeeded" else 1)
