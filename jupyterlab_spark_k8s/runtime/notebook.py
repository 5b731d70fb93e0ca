"""dbutils.notebook (exit, run, entry_point), the registry of notebooks it may run, %run, and ``dbutils``.

``dbutils.notebook.entry_point`` leads to the notebook context (see ``context``);
``dbutils.jobs`` is the run's task values (see ``jobs``).

``dbutils.notebook.run(path, timeout_seconds, arguments)`` runs in this process, on this
Spark session: the extension (or the CLI) translates the callees of literal
``dbutils.notebook.run("…")`` calls and registers their cells with ``register_notebook``
right before the calling cell runs. The callee runs in a namespace of its own with its
own widgets (holding `arguments`); secrets, fs and the registry are shared. With
``timeout_seconds > 0`` it runs in a worker thread whose Spark jobs carry a job group,
so a timeout cancels them and stops the thread, and the kernel stays usable.
"""

import contextlib
import contextvars
import ctypes
import sys
import threading
import uuid

from . import context as _context
from .connect import jobs_context, spark_context
from .contract import RUNTIME_NAME
from .errors import NotebookExit, SparkK8sError
from .fs import fs as _fs
from .jobs import jobs as _jobs
from .render import display, displayHTML
from .secrets import secrets as _secrets
from .state import require_session
from .widgets import Widgets, current, getArgument, kernel_widgets, using

_registry = {}
_running = contextvars.ContextVar("spark_k8s_notebook_run", default=())

# After a timeout, how long the worker gets to wind down before the caller gives up on it.
_STOP_GRACE_SECONDS = 1.0


class DBUtils:
    """A notebook's dbutils: its own widgets; secrets, fs, notebook and jobs shared."""

    def __init__(self, widgets, secrets, fs, notebook, jobs=_jobs):
        self.widgets = widgets
        self.secrets = secrets
        self.fs = fs
        self.notebook = notebook
        self.jobs = jobs

    def __repr__(self):
        return "<dbutils: widgets, secrets, fs, notebook, jobs>"


def register_notebook(path, codes):
    """Register the translated cells of the notebook `dbutils.notebook.run(path)` names.

    `path` is the string exactly as written in the call.
    """
    codes = list(codes)
    if not all(isinstance(code, str) for code in codes):
        raise SparkK8sError(f"register_notebook({path!r}): the cells must be strings of Python code.")
    _registry[str(path)] = codes


def in_notebook_run():
    """True while the code running now belongs to a notebook dbutils.notebook.run started."""
    return bool(_running.get())


def _exec_cells(path, codes, namespace):
    """Run translated cells; return the value passed to dbutils.notebook.exit, else None."""
    for code in codes:
        try:
            exec(compile(code, path, "exec"), namespace)  # noqa: S102 - the notebook's own cells
        except NotebookExit as done:
            return done.value
    return None


class _Timeout(BaseException):
    """Raised asynchronously in a callee's thread when its time is up."""


def _raise_in_thread(thread, exc_type):
    ident = thread.ident
    if ident is None or not thread.is_alive():
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc_type))


def _failure(path, exc):
    if isinstance(exc, SparkK8sError) and type(exc) is SparkK8sError:
        detail = str(exc)
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return SparkK8sError(f"dbutils.notebook.run({path!r}) failed: {detail}")


class Notebook:
    """dbutils.notebook."""

    @property
    def entry_point(self):
        """Databricks' ``entry_point``: ``getDbutils().notebook().getContext()`` (see ``context``)."""
        return _context.entry_point

    def exit(self, value):
        raise NotebookExit(str(value))

    def run(self, path, timeout_seconds=0, arguments=None):
        """Run a registered notebook in a namespace of its own (sharing this Spark session)
        with its widgets set from `arguments`; return what it passed to exit(), else None.

        `timeout_seconds` > 0 bounds it: on timeout its Spark jobs are cancelled, it is
        stopped, and SparkK8sError says so. 0 means no limit.
        """
        key = str(path)
        codes = _registry.get(key)
        if codes is None:
            raise SparkK8sError(
                f"dbutils.notebook.run({key!r}): the notebook was not prepared; call it with a literal path "
                '(dbutils.notebook.run("./x", …)) so it is translated before the cell runs'
            )
        try:
            timeout = float(timeout_seconds or 0)
        except (TypeError, ValueError):
            raise SparkK8sError(f"dbutils.notebook.run({key!r}): timeout_seconds must be a number.") from None
        spark = require_session()
        widgets = Widgets({str(k): str(v) for k, v in dict(arguments or {}).items()})
        namespace = {
            "__name__": "__spark_k8s_notebook__",
            RUNTIME_NAME: sys.modules[__package__],
            "spark": spark,
            "sc": spark_context(spark),
            "display": display,
            "displayHTML": displayHTML,
            "getArgument": getArgument,
            "dbutils": DBUtils(widgets, _secrets, _fs, self),
        }

        def callee(group=None):
            token = _running.set(_running.get() + (key,))
            try:
                with using(widgets):
                    if group is not None:
                        jobs_context(spark).setJobGroup(group, f"dbutils.notebook.run({key})", True)
                    return _exec_cells(key, codes, namespace)
            finally:
                _running.reset(token)

        if timeout <= 0:
            try:
                return callee()
            except Exception as exc:  # every failure names the notebook
                raise _failure(key, exc) from exc
        return self._run_bounded(key, callee, timeout, jobs_context(spark))

    @staticmethod
    def _run_bounded(key, callee, timeout, sc):
        group = "spark-k8s-notebook-run-" + uuid.uuid4().hex
        outcome = {}

        def target():
            try:
                outcome["value"] = callee(group)
            except _Timeout:
                outcome["timeout"] = True
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                outcome["error"] = exc
            finally:
                outcome["done"] = True

        # The worker sees this context: the current cell's output routing, the widgets.
        context = contextvars.copy_context()
        worker = threading.Thread(
            target=context.run, args=(target,), name=f"dbutils.notebook.run({key})", daemon=True
        )
        worker.start()
        try:
            worker.join(timeout)
        except BaseException:  # an interrupt of the caller stops the callee too
            _stop(worker, group, sc, outcome)
            raise
        if worker.is_alive():
            _stop(worker, group, sc, outcome)
            raise SparkK8sError(f"dbutils.notebook.run({key!r}) timed out after {timeout:g} s") from None
        if "error" in outcome:
            exc = outcome.pop("error")
            if isinstance(exc, Exception):
                raise _failure(key, exc) from exc
            raise exc
        return outcome.get("value")


def _stop(worker, group, sc, outcome):
    """Cancel the callee's Spark jobs, then stop its thread at its next Python instruction.

    A thread blocked in a sleep or a system call stops when that returns; the caller
    does not wait for it beyond a short grace period.
    """
    with contextlib.suppress(Exception):  # a stopped context has nothing to cancel
        sc.cancelJobGroup(group)
    # A cancelled job ends the callee's Spark call with an error: let that unwind first.
    worker.join(0.5)
    if worker.is_alive() and not outcome.get("done"):
        _raise_in_thread(worker, _Timeout)
        worker.join(_STOP_GRACE_SECONDS)


notebook = Notebook()

dbutils = DBUtils(kernel_widgets, _secrets, _fs, notebook)
"""The kernel's (or script's) dbutils."""


_runs = {}
"""%run targets by resolved path: their translated cells (register_run)."""


def register_run(path, codes):
    """Register the translated cells of a %run target, by its resolved path."""
    codes = list(codes)
    if not all(isinstance(code, str) for code in codes):
        raise SparkK8sError(f"register_run({path!r}): the cells must be strings of Python code.")
    _runs[str(path)] = codes


def run_inline(path, params, user_ns):
    """%run: the callee's registered cells run in the caller's namespace, widgets set from params."""
    codes = _runs.get(str(path))
    if codes is None:
        raise SparkK8sError(f"%run {path}: the notebook was not prepared; run the cell again.")
    if params:
        current().set_values(params)
    return _exec_cells(path, codes, user_ns)
