"""Fixtures: the runtime loaded the way the kernel loads it, from the built zip.

The kernel writes spark_k8s_runtime.zip to a private temporary directory, puts the zip on
sys.path and imports ``spark_k8s_runtime``; so do these tests (in this process and in the
fresh interpreters ``run_python`` starts). Build the zip first: ``node scripts/build-runtime.mjs``.
"""

import atexit
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNTIME_DIR = ROOT / "jupyterlab_spark_k8s" / "runtime"
ARCHIVE = ROOT / "jupyterlab_spark_k8s" / "spark_k8s_runtime.zip"
CONTRACT_JSON = ROOT / "src" / "core" / "kernel" / "contract.json"
MODULE = "spark_k8s_runtime"

_private = {}


def archive_problem():
    """Why the built zip cannot stand for the sources in runtime/, or None."""
    if not ARCHIVE.exists():
        return f"{ARCHIVE} is missing"
    with zipfile.ZipFile(ARCHIVE) as zf:
        packed = {name.split("/", 1)[1]: zf.read(name) for name in zf.namelist()}
    for source in sorted(RUNTIME_DIR.glob("*.py")):
        if packed.get(source.name) != source.read_bytes():
            return f"{ARCHIVE.name} is older than runtime/{source.name}"
    extra = sorted(set(packed) - {p.name for p in RUNTIME_DIR.glob("*.py")} - {"_contract.json"})
    if extra:
        return f"{ARCHIVE.name} holds files runtime/ no longer has: {', '.join(extra)}"
    return None


def runtime_archive():
    """The zip, copied once per test process into a private temporary directory (as the kernel does)."""
    if "path" not in _private:
        problem = archive_problem()
        if problem:
            pytest.fail(f"{problem}: run `node scripts/build-runtime.mjs`.", pytrace=False)
        directory = tempfile.mkdtemp(prefix="spark-k8s-runtime-")
        atexit.register(shutil.rmtree, directory, True)
        path = pathlib.Path(directory) / ARCHIVE.name
        shutil.copyfile(ARCHIVE, path)
        _private["path"] = str(path)
    return _private["path"]


def runtime_prelude(alias="rt"):
    """Python that imports the runtime from the zip, as the kernel does, bound as `alias`."""
    return f"import sys\nsys.path.insert(0, {runtime_archive()!r})\nimport {MODULE} as {alias}\n"


def load_runtime():
    path = runtime_archive()
    if path not in sys.path:
        sys.path.insert(0, path)
    import spark_k8s_runtime

    assert spark_k8s_runtime.__file__.startswith(path), spark_k8s_runtime.__file__
    return spark_k8s_runtime


@pytest.fixture(scope="session")
def runtime():
    return load_runtime()


@pytest.fixture(scope="session")
def session(runtime):
    """One real local SparkSession for the tests of this process."""
    ns = {}
    info = runtime.start_session(
        {
            "spark.master": "local[2]",
            "spark.app.name": "runtime-tests",
            "spark.ui.enabled": "true",
            "spark.sql.shuffle.partitions": "2",
        },
        user_ns=ns,
    )
    yield runtime, ns, info
    runtime.stop_session()


def run_python(code, env=None, timeout=240, args=(), runtime=True):
    """Run `code` in a fresh interpreter (a fresh JVM if it starts Spark).

    With `runtime`, the code runs after the runtime is imported from the zip as `rt`.
    """
    source = (runtime_prelude() if runtime else "") + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", source, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def _spark_servers_module():
    import importlib.util

    path = ROOT / "tests" / "servers" / "spark.py"
    spec = importlib.util.spec_from_file_location("spark_k8s_test_spark_servers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def spark_servers(tmp_path_factory):
    """A standalone master + worker and a Spark Connect server with a token (tests/servers/spark.py).

    The ones the environment names (SPARK_K8S_TEST_STANDALONE_MASTER, …) when all are set,
    else started here from PySpark's distribution and stopped at the end.
    """
    import os

    servers = _spark_servers_module()
    if all(os.environ.get(name) for name in servers.ENV_NAMES):
        yield {name: os.environ[name] for name in servers.ENV_NAMES}
        return
    directory = tmp_path_factory.mktemp("spark-servers")
    try:
        values = servers.start(directory)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield values
    finally:
        servers.stop(directory)
