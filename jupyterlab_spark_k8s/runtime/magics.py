"""Databricks magics other than %sql: %md, %sh, %pip, %fs, and %scala / %r.

%scala and %r cannot run on a Python kernel. In an interactive kernel such a cell
prints ``SparkK8sError: <why>`` to stderr and does not fail, so a "run all" goes on
with the rest of the notebook. In job mode (``SPARK_K8S_JOB=1``, a published job) it
raises SparkK8sError with the same text: a job must not silently skip work.
"""

import shlex
import subprocess
import sys

from .context import is_job_mode
from .contract import ERROR_NAME
from .errors import SparkK8sError
from .fs import fs as _fs
from .output import publish
from .render import table_bundle


def markdown(text):
    """%md: show the text as Markdown."""
    publish({"text/markdown": text, "text/plain": text})


def sh(script):
    """%sh: run the script with bash on the driver; a failing exit status fails the cell."""
    proc = subprocess.run(
        ["bash", "-c", script], check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out = proc.stdout.decode("utf-8", "replace")
    if out:
        print(out, end="" if out.endswith("\n") else "\n")
    if proc.returncode != 0:
        raise SparkK8sError(f"%sh exited with status {proc.returncode}.")


def pip(args):
    """%pip: install into the kernel's Python; executors need the package in their image."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", *shlex.split(args)],
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    print(proc.stdout.decode("utf-8", "replace"), end="")
    print(
        "Note: %pip installs into this kernel only. Executors on the cluster need the package in "
        "their image (or ship it with spark.submit.pyFiles)."
    )
    if proc.returncode != 0:
        raise SparkK8sError(f"pip exited with status {proc.returncode}.")


def unsupported(language):
    """%scala, %r: not runnable by a Python kernel.

    Interactive: the cell says so on stderr and does not fail. Job mode: SparkK8sError.
    """
    message = (
        f"%{language} cells are not supported here: this notebook runs on a Python kernel. "
        "Rewrite the cell in Python or SQL."
    )
    if is_job_mode():
        raise SparkK8sError(message)
    print(f"{ERROR_NAME}: {message}", file=sys.stderr)


def fs_magic(command):
    """%fs ls|head|cp|mv|rm|mkdirs|put PATH…: dbutils.fs from a cell."""
    words = shlex.split(command)
    if not words:
        raise SparkK8sError("%fs needs a command: ls, head, cp, mv, rm, mkdirs or put.")
    verb, args = words[0], words[1:]
    recurse = "-r" in args
    args = [a for a in args if a != "-r"]
    needed = {"head": 1, "cp": 2, "mv": 2, "rm": 1, "mkdirs": 1, "put": 2}.get(verb, 0)
    if len(args) < needed:
        raise SparkK8sError(f"%fs {verb} needs {needed} argument{'s' if needed > 1 else ''}: {command!r}.")
    if verb == "ls":
        rows = _fs.ls(args[0] if args else "/")
        columns = ["path", "name", "size", "modificationTime"]
        publish(table_bundle(columns, [tuple(r) for r in rows], False, len(rows) or 1))
        return None
    if verb == "head":
        print(_fs.head(*args))
        return None
    if verb in ("cp", "mv"):
        return getattr(_fs, verb)(args[0], args[1], recurse)
    if verb == "rm":
        return _fs.rm(args[0], recurse)
    if verb == "mkdirs":
        return _fs.mkdirs(args[0])
    if verb == "put":
        return _fs.put(args[0], args[1], True)
    raise SparkK8sError(f"%fs {verb} is not supported; use ls, head, cp, mv, rm, mkdirs or put.")
