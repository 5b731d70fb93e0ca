"""A job run's executed notebook: what each cell printed and displayed, and where it is written.

While a published job runs, ``Recorder`` tees stdout and stderr (to the driver log and
into the running cell's outputs) and receives what ``display`` shows. At the end the
cells, their outputs and the run's metadata become an nbformat 4 notebook, written to
``<run output>/<job id>/<run id>/notebook.ipynb``: through the JVM's Hadoop FileSystem
for a URI with a scheme other than ``file`` (``s3a://…``), with plain file IO for a local
path or a ``file:`` URI. Every string in it passes through the secret redaction.
"""

import json
import os
import re
import sys
import urllib.parse

from .output import capture_displays
from .redaction import redact, redact_data

# The forms of a display kept in the executed notebook (all text).
_KEPT_MIMES = ("text/plain", "text/html", "text/markdown")

NOTEBOOK_NAME = "notebook.ipynb"


class _Tee:
    """A text stream writing (redacted) to the driver log and into the running cell."""

    def __init__(self, name, stream, recorder):
        self._name = name
        self._stream = stream
        self._recorder = recorder

    def write(self, text):
        if not isinstance(text, str):
            return self._stream.write(text)
        text = redact(text)
        self._recorder.stream(self._name, text)
        written = self._stream.write(text)
        self._stream.flush()
        return written

    def flush(self):
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


class Recorder:
    """Outputs of the cell running now (nbformat output dicts), and the log it writes to."""

    def __init__(self):
        self.outputs = None
        self._saved = None
        self._displays = None

    def start_cell(self):
        self.outputs = []
        return self.outputs

    def stream(self, name, text):
        if self.outputs is None or not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        else:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})

    def display(self, bundle):
        data = {m: redact(str(bundle[m])) for m in _KEPT_MIMES if m in bundle}
        data.setdefault("text/plain", "")
        self.log(data["text/plain"])
        if self.outputs is not None:
            self.outputs.append({"output_type": "display_data", "data": data, "metadata": {}})

    def error(self, ename, evalue, traceback_lines):
        if self.outputs is not None:
            self.outputs.append(
                {
                    "output_type": "error",
                    "ename": redact(ename),
                    "evalue": redact(evalue),
                    "traceback": [redact(line) for line in traceback_lines],
                }
            )

    def log(self, text, stream="stdout"):
        """Write to the driver log only (not into the cell)."""
        target = (self._saved or (sys.stdout, sys.stderr))[0 if stream == "stdout" else 1]
        target.write(redact(text) + ("" if text.endswith("\n") else "\n"))
        target.flush()

    def __enter__(self):
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _Tee("stdout", sys.stdout, self)
        sys.stderr = _Tee("stderr", sys.stderr, self)
        self._displays = capture_displays(self.display)
        self._displays.__enter__()
        return self

    def __exit__(self, *exc):
        self._displays.__exit__(None, None, None)
        sys.stdout, sys.stderr = self._saved
        self._saved = None
        self.outputs = None
        return False


def _lines(text):
    return text.splitlines(keepends=True)


def executed_notebook(cells, records, run):
    """The run as an nbformat 4 notebook.

    `cells` as ``run_job`` received them; `records`: {index: {"outputs", "execution_count"}}
    for the code cells that ran; `run`: metadata.spark_k8s.run.
    """
    out = []
    for cell in cells:
        kind = cell["type"]
        meta = {"spark_k8s": {"title": cell["title"]}} if cell.get("title") else {}
        entry = {
            "cell_type": kind,
            "id": f"cell-{cell['index']}",
            "metadata": meta,
            "source": _lines(cell["source"]),
        }
        if kind == "code":
            record = records.get(cell["index"]) or {}
            entry["execution_count"] = record.get("execution_count")
            entry["outputs"] = [
                dict(o, text=_lines(o["text"])) if o["output_type"] == "stream" else o
                for o in record.get("outputs", [])
            ]
        out.append(entry)
    return redact_data(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
                "spark_k8s": {"run": run},
            },
            "cells": out,
        }
    )


def _encode(nb):
    try:
        return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escaped JSON is still the same notebook
        return (json.dumps(nb, indent=1) + "\n").encode("ascii")


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def local_path(location):
    """A local path for a plain path or a ``file:`` URI, else None (a Hadoop URI)."""
    match = _SCHEME.match(location)
    if not match:
        return location
    if match.group(1).lower() != "file":
        return None
    return urllib.parse.unquote(urllib.parse.urlparse(location).path) or "/"


_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")


def path_segment(value, fallback):
    """An id as one safe path segment (no '/', no '..')."""
    segment = _SAFE_ID.sub("_", str(value or "")) or fallback
    return fallback if segment in (".", "..") else segment


def run_location(run_output, job_id, run_id):
    """``<run output>/<job id>/<run id>``."""
    return "/".join([run_output.rstrip("/") or "/", path_segment(job_id, "job"), path_segment(run_id, "run")])


def write_bytes(location, data, spark=None):
    """Write `data` at `location` (a local path or a Hadoop URI), creating its folders."""
    path = local_path(location)
    if path is not None:
        _write_local(path, data)
    elif spark is None:
        raise OSError("no Spark session is running to write through Hadoop's FileSystem")
    else:
        write_hadoop(location, data, spark)


def _write_local(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    partial = path + ".partial"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, path)


def write_hadoop(location, data, spark):
    """Write through the JVM's Hadoop FileSystem for `location` (s3a://…; folders are created)."""
    jvm = spark.sparkContext._jvm
    target = jvm.org.apache.hadoop.fs.Path(location)
    fs = target.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(target, True)
    try:
        stream.write(bytearray(data))
    finally:
        stream.close()


def write_notebook(nb, folder, spark=None):
    """Write the executed notebook under `folder`; returns where it went."""
    location = folder.rstrip("/") + "/" + NOTEBOOK_NAME
    write_bytes(location, _encode(nb), spark)
    return location
