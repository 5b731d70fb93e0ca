"""Fixtures: runtime.py loaded the way the kernel loads it (from its text)."""

import pathlib
import subprocess
import sys
import textwrap
import types

import pytest

RUNTIME = pathlib.Path(__file__).resolve().parent.parent / "runtime.py"


def load_runtime():
    module = types.ModuleType("spark_k8s_runtime")
    exec(compile(RUNTIME.read_text(), "spark_k8s_runtime.py", "exec"), module.__dict__)
    return module


@pytest.fixture(scope="session")
def runtime():
    return load_runtime()


@pytest.fixture(scope="session")
def session(runtime):
    """One real local SparkSession for the tests of this process."""
    ns = {}
    info = runtime.start_session(
        {"spark.master": "local[2]", "spark.app.name": "runtime-tests",
         "spark.ui.enabled": "true", "spark.sql.shuffle.partitions": "2"},
        user_ns=ns,
    )
    yield runtime, ns, info
    runtime.stop_session()


def run_python(code, env=None, timeout=240):
    """Run `code` in a fresh interpreter (a fresh JVM) and return the completed process."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, env=env, timeout=timeout,
    )
