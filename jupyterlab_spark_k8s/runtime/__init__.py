"""The kernel side of jupyterlab-spark-k8s: the package ``spark_k8s_runtime``.

The build zips this directory (plus ``_contract.json``) as ``spark_k8s_runtime.zip``.
The JupyterLab extension sends the zip into the notebook's kernel, puts it on
``sys.path``, imports it and binds it as ``_spark_k8s_runtime``; generated scripts and
published Spark jobs (``--py-files``) load the same zip. It depends on nothing but
PySpark and the standard library and uses relative imports only, so it runs both as
``spark_k8s_runtime`` from the zip and as ``jupyterlab_spark_k8s.runtime`` in-tree.

Modules, one per concern: ``errors`` (SparkK8sError, NotebookExit, fail), ``contract``
(constants shared with TypeScript), ``output``, ``state`` and ``session`` (the Spark
session), ``sql`` (%sql and path mapping), ``render`` (display), ``magics``,
``widgets``, ``secrets``, ``fs``, ``notebook`` (dbutils.notebook, %run, ``dbutils``),
``context`` (the notebook context: path, job and run ids), ``jobs`` (dbutils.jobs.taskValues),
``redaction``, ``progress`` (each cell's Spark jobs: tags, live progress, cancel), ``job``
(script and job mode, ``run_job``) and ``executed`` (a job run's executed notebook).

Every failure a user can cause or meet raises ``SparkK8sError`` (or a subclass) whose
message says what went wrong and what to do. %scala and %r cells only warn in a kernel
but fail in job mode (``SPARK_K8S_JOB=1``); see ``magics``.
"""

from .context import set_notebook_path
from .contract import DEFAULT_ROW_LIMIT, SESSION_MIME, WIDGETS_MIME
from .errors import NotebookExit, SparkK8sError, fail
from .job import finish_script, load_widget_values, run_job
from .magics import fs_magic, markdown, pip, sh, unsupported
from .notebook import dbutils, register_notebook, register_run, run_inline
from .progress import install_cell_hooks
from .redaction import REDACTED, redact
from .render import display, displayHTML
from .secrets import configure_secrets
from .session import announce, require_session, session_info, start_session, stop_session
from .sql import map_code_paths, map_path, map_sql_paths, sql_cell
from .widgets import getArgument, set_widget_values, widgets_bundle

__all__ = [
    "DEFAULT_ROW_LIMIT",
    "REDACTED",
    "SESSION_MIME",
    "WIDGETS_MIME",
    "NotebookExit",
    "SparkK8sError",
    "announce",
    "configure_secrets",
    "dbutils",
    "display",
    "displayHTML",
    "fail",
    "finish_script",
    "fs_magic",
    "getArgument",
    "map_code_paths",
    "map_path",
    "map_sql_paths",
    "markdown",
    "pip",
    "redact",
    "register_notebook",
    "register_run",
    "require_session",
    "run_inline",
    "run_job",
    "session_info",
    "set_notebook_path",
    "set_widget_values",
    "sh",
    "sql_cell",
    "start_session",
    "stop_session",
    "unsupported",
    "widgets_bundle",
]

load_widget_values()
# Every cell's Spark jobs get its tags, a live progress output and cancel on interrupt.
install_cell_hooks()
