"""A published notebook's runs after they end: their executed notebooks, read by the lab.

A job with a run output location writes ``<location>/<job id>/<run id>/notebook.ipynb``
(jupyterlab_spark_k8s/runtime/executed.py). Two authenticated endpoints read them:

- ``GET <base>/spark-k8s/runs/notebook?location=L&job=J&run=R``: that notebook's JSON;
- ``GET <base>/spark-k8s/runs?location=L``: every run found there (``metadata.spark_k8s.run``).

Only local paths and ``file:`` URIs are read here; another scheme (``s3a://…``) is a 501 until
the storage support of issue 12. A job or run id is one path segment as the job writes it
(letters, digits, ``.``, ``_``, ``-``; never ``.`` or ``..``), so nothing outside
``<location>/<job>/<run>/notebook.ipynb`` is ever served.
"""

import json
import os
import re
import urllib.parse

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop

NOTEBOOK_NAME = "notebook.ipynb"
EVENT_LOG_FOLDER = "event-logs"
# What the job writes as a job or run folder name (runtime/executed.py path_segment).
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# The listing reads at most this many notebooks (newest folders first).
MAX_LISTED_RUNS = 2000


class RunOutputError(web.HTTPError):
    """An HTTP error whose message is the words the user reads."""

    def __init__(self, status, message):
        super().__init__(status, "%s", message, reason=None)
        self.message = message


def local_folder(location):
    """The local folder of a run output location: an absolute path or a ``file:`` URI.

    Raises RunOutputError (400 or 501) saying what to give instead.
    """
    location = (location or "").strip()
    if not location:
        raise RunOutputError(
            400,
            "No run output location was given: pass ?location= with the run output location "
            "of the published notebook (the setting runOutput, e.g. /data/spark-runs).",
        )
    match = _SCHEME.match(location)
    if match and len(match.group(1)) > 1:  # "C:" is not a scheme here, but is refused below anyway
        scheme = match.group(1).lower()
        if scheme != "file":
            raise RunOutputError(
                501,
                f"Reading {scheme}:// run output needs the storage support of issue 12; "
                "only a local path or a file: URI can be read by the Jupyter server today.",
            )
        parsed = urllib.parse.urlparse(location)
        if parsed.netloc not in ("", "localhost"):
            raise RunOutputError(
                400,
                f"The file: URI {location!r} names the host {parsed.netloc!r}: "
                "use file:///absolute/path (a folder on the Jupyter server's machine).",
            )
        path = urllib.parse.unquote(parsed.path)
    else:
        path = location
    if "\0" in path or not os.path.isabs(path):
        raise RunOutputError(
            400,
            f"The run output location {location!r} is not an absolute path or a file: URI: "
            "give it as /absolute/path or file:///absolute/path.",
        )
    return os.path.normpath(path)


def check_segment(value, what):
    """`value` as one path segment the job could have written, else a 400 in words."""
    if value is None or value == "":
        raise RunOutputError(400, f"No {what} id was given: pass ?{what}= with the {what}'s id.")
    if value in (".", "..") or not _SEGMENT.match(value):
        raise RunOutputError(
            400,
            f"{value!r} is not a {what} id: a {what} id is one folder name of letters, digits, "
            "'.', '_' and '-' (no '/', not '.' or '..').",
        )
    return value


def notebook_path(location, job, run):
    """``<location>/<job>/<run>/notebook.ipynb`` as a local path, after checking every part."""
    folder = local_folder(location)
    return os.path.join(folder, check_segment(job, "job"), check_segment(run, "run"), NOTEBOOK_NAME)


def read_notebook(path):
    """The executed notebook's bytes and parsed JSON at `path`, or a RunOutputError."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise RunOutputError(
            404,
            f"No executed notebook at {path}: the run has not finished yet, was run without this "
            "run output location, or could not write it (see the end of its driver log).",
        ) from None
    except (IsADirectoryError, NotADirectoryError):
        raise RunOutputError(404, f"No executed notebook at {path} (not a file).") from None
    except PermissionError:
        raise RunOutputError(
            403, f"The Jupyter server may not read {path}: give its user read access to the run output."
        ) from None
    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise RunOutputError(
            422, f"{path} is not a notebook (invalid JSON: {exc}); the run may still be writing it."
        ) from None
    if not isinstance(parsed, dict) or "cells" not in parsed:
        raise RunOutputError(422, f"{path} is JSON but not a notebook (no cells).")
    return data, parsed


def run_summary(job, run, notebook):
    """One run of the listing, from its executed notebook's ``metadata.spark_k8s.run``."""
    meta = (notebook.get("metadata") or {}).get("spark_k8s") or {}
    info = meta.get("run") if isinstance(meta.get("run"), dict) else {}
    summary = {"job": job, "run": run}
    for key in ("status", "started", "finished", "result", "error", "notebookPath", "applicationId"):
        if info.get(key) is not None:
            summary[key] = info[key]
    if isinstance(info.get("parameters"), dict):
        summary["parameters"] = info["parameters"]
    return summary


_summaries = {}  # path -> ((mtime_ns, size), summary): notebooks are written once


def list_runs(folder, limit=MAX_LISTED_RUNS):
    """Every ``<job>/<run>/notebook.ipynb`` under `folder`, newest first, and whether cut at `limit`."""
    if not os.path.isdir(folder):
        return [], False, False
    found = []
    with os.scandir(folder) as jobs:
        for job in jobs:
            if job.name == EVENT_LOG_FOLDER or not _SEGMENT.match(job.name) or not job.is_dir():
                continue
            try:
                with os.scandir(job.path) as runs:
                    for run in runs:
                        if _SEGMENT.match(run.name) and run.is_dir():
                            path = os.path.join(run.path, NOTEBOOK_NAME)
                            try:
                                stat = os.stat(path)
                            except OSError:
                                continue
                            found.append((stat.st_mtime_ns, stat.st_size, job.name, run.name, path))
            except OSError:
                continue
    found.sort(reverse=True)
    truncated = len(found) > limit
    runs = []
    for mtime, size, job, run, path in found[:limit]:
        cached = _summaries.get(path)
        if cached and cached[0] == (mtime, size):
            runs.append(cached[1])
            continue
        try:
            _, notebook = read_notebook(path)
        except RunOutputError as exc:
            summary = {"job": job, "run": run, "status": "unreadable", "error": exc.message}
        else:
            summary = run_summary(job, run, notebook)
            _summaries[path] = ((mtime, size), summary)
        runs.append(summary)
    runs.sort(key=lambda s: (str(s.get("started") or ""), s["job"], s["run"]), reverse=True)
    return runs, True, truncated


class RunOutputHandler(APIHandler):
    """Errors as JSON ``{"message": words}``; reads behind Jupyter's authentication."""

    auth_resource = "contents"

    def write_error(self, status_code, **kwargs):
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, RunOutputError):
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": exc.message}))
            return
        super().write_error(status_code, **kwargs)


class RunNotebookHandler(RunOutputHandler):
    """``GET …/spark-k8s/runs/notebook?location=&job=&run=``: the executed notebook's JSON."""

    @web.authenticated
    @authorized
    async def get(self):
        path = notebook_path(
            self.get_query_argument("location", ""),
            self.get_query_argument("job", ""),
            self.get_query_argument("run", ""),
        )
        data, _ = await IOLoop.current().run_in_executor(None, read_notebook, path)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(data)


class RunListHandler(RunOutputHandler):
    """``GET …/spark-k8s/runs?location=``: the runs with an executed notebook there."""

    @web.authenticated
    @authorized
    async def get(self):
        folder = local_folder(self.get_query_argument("location", ""))
        runs, exists, truncated = await IOLoop.current().run_in_executor(None, list_runs, folder)
        self.set_header("Cache-Control", "no-store")
        self.finish({"location": folder, "exists": exists, "truncated": truncated, "runs": runs})


def setup_handlers(web_app):
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base_url, "spark-k8s", "runs"), RunListHandler),
            (url_path_join(base_url, "spark-k8s", "runs", "notebook"), RunNotebookHandler),
        ],
    )
