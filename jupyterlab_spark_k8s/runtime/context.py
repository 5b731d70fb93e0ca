"""What a notebook knows about its run: job mode, the notebook path, the job and run ids.

Databricks notebooks read it through
``dbutils.notebook.entry_point.getDbutils().notebook().getContext()``, a Scala object:
``notebookPath().get()``, ``tags().get("jobId").get()``, ``toJson()`` (JSON with ``tags``
and ``extraContext``). The same calls work here, in a kernel and in a published job:

- job mode: ``SPARK_K8S_JOB=1`` (``run_job`` sets it);
- the notebook path: the one ``set_notebook_path`` was given (a job's script passes it;
  the lab may send it to a kernel), else in a kernel the file Jupyter started it for
  (``JPY_SESSION_NAME``), else unknown;
- the job id: ``SPARK_K8S_JOB_ID``, else (in a job) the Spark application's name;
- the run id: ``SPARK_K8S_RUN_ID``, else (in a job) the Spark application id.

Outside a job the job and run ids are absent, as in an interactive Databricks notebook.
"""

import json
import os

from .contract import JOB_ID_ENV, JOB_MODE_ENV, RUN_ID_ENV
from .errors import SparkK8sError
from .state import current_spark

_context = {"notebook_path": None}


def is_job_mode():
    """True in a published job (SPARK_K8S_JOB=1)."""
    return os.environ.get(JOB_MODE_ENV) == "1"


def set_notebook_path(path):
    """The notebook's path (its Contents API path), for the notebook context."""
    _context["notebook_path"] = None if path is None else str(path)


def notebook_path():
    """The notebook's path when known, else None."""
    path = _context["notebook_path"]
    if path is None and not is_job_mode():
        path = os.environ.get("JPY_SESSION_NAME") or None
    return path


def _app(attribute):
    spark = current_spark()
    if spark is None:
        return None
    try:
        return str(getattr(spark.sparkContext, attribute)) or None
    except Exception:  # noqa: BLE001 - a stopped context has no id
        return None


def spark_application_id():
    """Spark's application id (``spark-…`` / ``local-…``) while a session runs, else None."""
    return _app("applicationId")


def job_id():
    """The job's id in a job (SPARK_K8S_JOB_ID, else the application name), else None."""
    if not is_job_mode():
        return None
    return os.environ.get(JOB_ID_ENV) or _app("appName")


def run_id():
    """The run's id in a job (SPARK_K8S_RUN_ID, else the Spark application id), else None."""
    if not is_job_mode():
        return None
    return os.environ.get(RUN_ID_ENV) or _app("applicationId")


class Option:
    """Scala's Option, as Databricks' context returns it: ``get()``, ``isDefined()``…"""

    def __init__(self, value, what):
        self._value = value
        self._what = what

    def get(self):
        if self._value is None:
            raise SparkK8sError(
                f"The notebook context has no {self._what} here"
                + (" (it is known in a published job)." if not is_job_mode() else ".")
                + " Use .isDefined() or .getOrElse(default) to allow for that."
            )
        return self._value

    def isDefined(self):  # noqa: N802 - Scala's name
        return self._value is not None

    def isEmpty(self):  # noqa: N802
        return self._value is None

    def nonEmpty(self):  # noqa: N802
        return self._value is not None

    def getOrElse(self, default):  # noqa: N802
        return default if self._value is None else self._value

    def __repr__(self):
        return "None" if self._value is None else f"Some({self._value})"


class Tags:
    """The context's tags as a Scala map: ``get(key)`` is an Option, ``apply(key)`` the value."""

    def __init__(self, values):
        self._values = values

    def get(self, key):
        return Option(self._values.get(str(key)), f"tag {key!r}")

    def apply(self, key):
        return self.get(key).get()

    def contains(self, key):
        return str(key) in self._values

    def keys(self):
        return list(self._values)

    def __repr__(self):
        return f"Map({', '.join(f'{k} -> {v}' for k, v in self._values.items())})"


class Context:
    """A snapshot of the notebook context (what Databricks' getContext() returns)."""

    def __init__(self):
        self._path = notebook_path()
        self._job_id = job_id()
        self._run_id = run_id()

    def _tags(self):
        tags = {}
        if self._job_id is not None:
            tags["jobId"] = self._job_id
        if self._run_id is not None:
            tags["runId"] = self._run_id
        if self._path is not None:
            tags["notebookPath"] = self._path
        spark_app = _app("applicationId")
        if spark_app is not None:
            tags["sparkAppId"] = spark_app
        return tags

    def notebookPath(self):  # noqa: N802 - Databricks' name
        return Option(self._path, "notebook path")

    def jobId(self):  # noqa: N802
        return Option(self._job_id, "job id")

    def runId(self):  # noqa: N802
        return Option(self._run_id, "run id")

    def currentRunId(self):  # noqa: N802
        return Option(self._run_id, "run id")

    def tags(self):
        return Tags(self._tags())

    def extraContext(self):  # noqa: N802
        extra = {} if self._path is None else {"notebook_path": self._path}
        return Tags(extra)

    def toJson(self):  # noqa: N802
        run = None if self._run_id is None else {"id": self._run_id}
        return json.dumps(
            {
                "rootRunId": run,
                "currentRunId": run,
                "tags": self._tags(),
                "extraContext": {} if self._path is None else {"notebook_path": self._path},
            }
        )

    def __repr__(self):
        return f"<notebook context: {self.toJson()}>"


class _NotebookUtils:
    def getContext(self):  # noqa: N802 - Databricks' name
        return Context()


class _DbutilsHandle:
    def notebook(self):
        return _NotebookUtils()


class EntryPoint:
    """``dbutils.notebook.entry_point``: ``getDbutils().notebook().getContext()``."""

    def getDbutils(self):  # noqa: N802 - Databricks' name
        return _DbutilsHandle()


entry_point = EntryPoint()
