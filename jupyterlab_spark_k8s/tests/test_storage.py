"""Lakehouse storage presets end to end: a real S3-compatible server, Delta through %sql.

A real kernel (jupyter_client + ipykernel) loads the runtime from its archive and starts
a local session with the conf the panel builds for a profile with storage presets
(core's ``sessionConf``, compiled, run by node): S3A on the bucket of a real S3 server on
loopback (tests/servers/s3.py: S3Proxy, which checks every request's AWS signature), and
Delta Lake, whose jars Spark resolves from Maven into the project's cache (scripts/setup.sh
--test fetched them before). Through the runtime's %sql path (``sql_cell``, what a %sql
cell runs), a Delta table is created in the bucket under a three-level name, written and
read back; ``dbutils.fs.ls`` lists it on s3a://. The credentials reach the kernel through
a Kubernetes Secret (``lakehouse-s3``, read with the namespace's service account on the
real API server) when the test cluster runs (SPARK_K8S_TEST_STATE), else through the
kernel's environment; either way every message, the saved notebook, the kernel's log and
the S3 server's log are searched for both values (tests/secret_scan.py): no hit.

Iceberg has no Spark runtime for the kernel's Spark 4.3 on Maven Central (its newest,
1.12.0, is built for 4.1, and Spark 4.3 turned ``connector.catalog.View`` into a class,
so Iceberg's SparkCatalog does not link): the profile is refused with that reason before
anything starts, and the kernel refuses such a conf too, staying usable.

So Delta in full (UPDATE, MERGE) and Iceberg are shown on a second kernel, running PySpark
4.1.4 (the environment scripts/setup.sh --test builds in the project cache): the conf core
builds for sparkVersion 4.1.4 takes the 4.1 jars (contract.json storage.packages), and
through %sql a Delta table is created, written, UPDATEd and MERGEd into, and an Iceberg
table (a hadoop catalog on s3a://<bucket>/iceberg, three-level name lakehouse.db.t) is
created, written and read back, both in the bucket; the same scan finds no credential.
"""

import base64
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import uuid

import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

from .conftest import ROOT, runtime_prelude
from .test_redaction import Kernel, outputs, visible_text

sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "servers"), str(ROOT / "tests" / "cluster")]
import s3  # noqa: E402

from secret_scan import scan  # noqa: E402

CORE = ROOT / "build" / "test" / "core" / "index.js"
SECRET_NAME = "lakehouse-s3"
# The second kernel's PySpark (scripts/setup.sh --test builds its environment).
KERNEL_SPARK = "4.1.4"


@pytest.fixture(scope="module")
def s3_server():
    """(endpoint, bucket, credentials dict, server log): the running one (env), else one started here."""
    if all(os.environ.get(name) for name in s3.ENV_NAMES):
        env = {name: os.environ[name] for name in s3.ENV_NAMES}
        directory = None
    else:
        directory = tempfile.mkdtemp(prefix="spark-k8s-s3-")
        env = s3.start(directory)
    credentials_file = pathlib.Path(env["SPARK_K8S_TEST_S3_CREDENTIALS"])
    try:
        yield (
            env["SPARK_K8S_TEST_S3_ENDPOINT"],
            env["SPARK_K8S_TEST_S3_BUCKET"],
            json.loads(credentials_file.read_text()),
            credentials_file.parent / "s3proxy.log",
        )
    finally:
        if directory:
            s3.stop(directory)


def _cluster():
    state = os.environ.get("SPARK_K8S_TEST_STATE")
    if state and (pathlib.Path(state) / "cluster.json").exists():
        from cluster import Cluster

        return Cluster(state)
    return None


@pytest.fixture(scope="module")
def credentials_source(s3_server, tmp_path_factory):
    """How the kernel gets the credentials: (kernel env, Python run in the kernel first, s3 preset part)."""
    _, _, credentials, _ = s3_server
    cluster = _cluster()
    if cluster is None:
        yield (
            {
                "AWS_ACCESS_KEY_ID": credentials["accessKey"],
                "AWS_SECRET_ACCESS_KEY": credentials["secretKey"],
            },
            "",
            {},
        )
        return
    from cluster import namespace_with_role

    kube = cluster.kube()
    namespace = "storage-" + uuid.uuid4().hex[:6]
    token = namespace_with_role(kube, namespace, ROOT / "deploy" / "rbac.yaml")
    kube.ok(
        "POST",
        f"/api/v1/namespaces/{namespace}/secrets",
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": SECRET_NAME},
            "data": {
                "AWS_ACCESS_KEY_ID": base64.b64encode(credentials["accessKey"].encode()).decode(),
                "AWS_SECRET_ACCESS_KEY": base64.b64encode(credentials["secretKey"].encode()).decode(),
            },
        },
    )
    # The pod's service-account mount, as the runtime reads it in a Jupyter pod.
    mount = tmp_path_factory.mktemp("serviceaccount")
    (mount / "token").write_text(token)
    (mount / "namespace").write_text(namespace)
    (mount / "ca.crt").write_bytes(pathlib.Path(cluster.info["ca"]).read_bytes())
    pod = (
        "import spark_k8s_runtime.secrets as _sa\n"
        f"_sa._TOKEN_FILE, _sa._CA_FILE, _sa._NAMESPACE_FILE = {str(mount / 'token')!r}, "
        f"{str(mount / 'ca.crt')!r}, {str(mount / 'namespace')!r}\n"
    )
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(cluster.info["api_port"])}
    try:
        yield env, pod, {"credentialsSecret": SECRET_NAME}
    finally:
        kube.request("DELETE", f"/api/v1/namespaces/{namespace}")


def core(expression):
    """The value of a JavaScript expression over the compiled core (`c`), as JSON."""
    assert CORE.exists(), "run `npm run build:test` first (scripts/test.sh does)"
    script = f"const c = require({json.dumps(str(CORE))}); process.stdout.write(JSON.stringify({expression}))"
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    return json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr}


def sql(*statements):
    """What a %sql cell with these statements runs (the lab's builder emits the same call)."""
    return f"_sqldf = rt.sql_cell({[('sql', s, []) for s in statements]!r})"


@pytest.fixture
def lakehouse(s3_server, credentials_source, tmp_path_factory):
    endpoint, bucket, credentials, _ = s3_server
    env, pod, s3_part = credentials_source
    presets = {
        "s3": {"endpoint": endpoint, "bucket": bucket, "dbfsRoot": f"s3a://{bucket}/dbfs", **s3_part},
        "delta": True,
    }
    profile = {"name": "lakehouse", "kind": "local", "master": "local[2]", "storage": presets}
    context = {"appName": "storage-test", "sparkVersion": "4.3.0"}
    conf = core(f"c.sessionConf({json.dumps(profile)}, {json.dumps(context)})")
    assert "error" not in conf, conf
    conf.update({"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"})
    refused = core(
        "(() => { try { c.sessionConf(%s, %s); return 'accepted'; } catch (e) { return e.message; } })()"
        % (json.dumps(dict(profile, storage=dict(presets, iceberg={"type": "hadoop"}))), json.dumps(context))
    )
    iceberg_conf = dict(
        conf, **core("c.storageConf(%s, 'kernel')" % json.dumps({"iceberg": {"type": "hadoop"}}))
    )
    iceberg_conf["spark.jars.packages"] = conf["spark.jars.packages"]
    env = dict(env, SPARK_K8S_CACHE=os.environ.get("SPARK_K8S_CACHE") or _default_cache())
    kernel = Kernel(tmp_path_factory.mktemp("storage-kernel"), env)
    try:
        yield kernel, conf, iceberg_conf, refused, bucket, credentials, pod
    finally:
        kernel.stop()


def _default_cache():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jupyterlab-spark-k8s")


class SparkKernel(Kernel):
    """A real kernel run by another Python (its own PySpark), from a kernelspec in `folder`."""

    def __init__(self, folder, python, extra_env=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SPARK_K8S_"))}
        env.update(extra_env or {})
        spec = folder / "kernels" / "pyspark"
        spec.mkdir(parents=True)
        argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": "PySpark", "language": "python"})
        )
        self.log_path = folder / "kernel.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
        self.manager = KernelManager(kernel_name="pyspark", kernel_spec_manager=specs)
        self.manager.start_kernel(env=env, stdout=self._log, stderr=self._log, cwd=str(folder))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)
        self.messages = []


def _kernel_python():
    """The Python of the PySpark 4.1 kernel environment (scripts/setup.sh --test builds it)."""
    cache = os.environ.get("SPARK_K8S_CACHE") or _default_cache()
    python = pathlib.Path(cache) / f"kernel-spark-{KERNEL_SPARK}" / "bin" / "python"
    assert python.exists(), (
        f"no PySpark {KERNEL_SPARK} kernel environment at {python.parent.parent}: "
        "run `bash scripts/setup.sh --test` (it builds it once)"
    )
    return python


def _ok(messages):
    reply = messages[-1]["content"]
    assert reply["status"] == "ok", visible_text(outputs(messages))
    return visible_text(outputs(messages))


def _credentials_masked_and_nowhere(kernel, cells, credentials, s3_server, notebook):
    """Print both credentials (kernel environment, JVM): a mask. Then nothing a person or a log
    sees (the cells' outputs saved as `notebook`, every message, the kernel's and the S3 server's
    logs) has either, in any encoding."""
    cells.append(
        kernel.run(
            "import os\nprint('id', os.environ['AWS_ACCESS_KEY_ID'])\n"
            "print('key', spark.sparkContext._jvm.java.lang.System.getenv('AWS_SECRET_ACCESS_KEY'))"
        )
    )
    text = _ok(cells[-1])
    assert "id [REDACTED]" in text and "key [REDACTED]" in text, text
    nb = nbformat.v4.new_notebook()
    for messages in cells:
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = outputs(messages)
        nb.cells.append(cell)
    nbformat.write(nb, str(notebook))
    wire = notebook.with_suffix(".messages.json")
    wire.write_text(json.dumps(kernel.messages, default=str))
    _, _, _, server_log = s3_server
    hits = scan([notebook, wire, kernel.log_path, server_log], list(credentials.values()))
    assert hits == [], [(h.item, h.value_index, h.encoding) for h in hits]


def test_delta_tables_in_a_bucket_through_sql_and_no_credential_anywhere(lakehouse, s3_server, tmp_path):
    kernel, conf, iceberg_conf, refused, bucket, credentials, pod = lakehouse
    # No credential value in what the panel sends: only the Secret's name, if any.
    for value in credentials.values():
        assert value not in json.dumps(conf)
    cells = []

    # Iceberg on Spark 4.3: the profile is refused before anything starts, with the reason…
    assert "Iceberg has no release for Spark 4.3" in refused, refused
    # …and the kernel refuses such a conf, starting nothing, and stays usable.
    cells.append(
        kernel.run(
            runtime_prelude() + pod + f"rt.start_session({iceberg_conf!r}, user_ns=get_ipython().user_ns)"
        )
    )
    failed = visible_text(outputs(cells[-1]))
    assert "SparkK8sError" in failed and "Iceberg has no release for Spark 4.3" in failed, failed

    cells.append(
        kernel.run(f"info = rt.start_session({conf!r}, user_ns=get_ipython().user_ns)\nprint(info['state'])")
    )
    assert "ready" in _ok(cells[-1])

    table = "spark_catalog.sales.orders"
    location = f"s3a://{bucket}/delta/orders"
    cells.append(
        kernel.run(
            sql(
                "CREATE SCHEMA IF NOT EXISTS spark_catalog.sales",
                f"CREATE TABLE {table} (id INT, item STRING) USING delta LOCATION '{location}'",
                f"INSERT INTO {table} VALUES (1, 'apple'), (2, 'pear')",
                f"INSERT INTO {table} VALUES (3, 'fig')",
                f"SELECT id, item FROM {table} ORDER BY id",
            )
        )
    )
    shown = _ok(cells[-1])
    for item in ("apple", "pear", "fig"):
        assert item in shown, shown
    cells.append(
        kernel.run(
            "rows = _sqldf.collect()\nprint([(r.id, r.item) for r in rows])\n"
            + sql(f"SELECT count(*) AS n FROM delta.`{location}`")
            + "\nprint('count', _sqldf.collect()[0].n)"
        )
    )
    text = _ok(cells[-1])
    assert "[(1, 'apple'), (2, 'pear'), (3, 'fig')]" in text and "count 3" in text, text

    cells.append(
        kernel.run(
            f"names = sorted(f.name for f in rt.dbutils.fs.ls({location!r}))\nprint(names)\n"
            f"print(sorted(f.name for f in rt.dbutils.fs.ls({location + '/_delta_log'!r})))\n"
            f"print([f.path for f in rt.dbutils.fs.ls('s3a://{bucket}/delta/')])"
        )
    )
    text = _ok(cells[-1])
    assert "'_delta_log/'" in text and ".parquet'" in text, text
    assert "00000000000000000002.json" in text, text  # create + two inserts
    assert f"s3a://{bucket}/delta/orders/" in text, text
    # The objects are in the server's bucket, not on a local disk.
    assert "file:" not in text

    # Databricks paths land under the preset's dbfs root, in the bucket.
    cells.append(
        kernel.run(
            sql(
                "CREATE TABLE spark_catalog.sales.archive USING delta LOCATION 'dbfs:/archive' "
                f"AS SELECT * FROM {table}"
            )
            + "\nprint('dbfs', sorted(f.name for f in rt.dbutils.fs.ls('dbfs:/')))"
            + f"\nprint('bucket', [f.path for f in rt.dbutils.fs.ls('s3a://{bucket}/dbfs/')])"
        )
    )
    text = _ok(cells[-1])
    assert "dbfs ['archive/']" in text, text
    assert f"bucket ['s3a://{bucket}/dbfs/archive/']" in text, text

    _credentials_masked_and_nowhere(kernel, cells, credentials, s3_server, tmp_path / "lakehouse.ipynb")


def test_a_missing_credentials_secret_is_a_clear_error(tmp_path, s3_server):
    """Without credentials, starting says where to put them, and starts nothing."""
    endpoint, bucket, _, _ = s3_server
    conf = core(
        "c.storageConf(%s, 'kernel')"
        % json.dumps({"jars": "image", "s3": {"endpoint": endpoint, "bucket": bucket}})
    )
    conf["spark.master"] = "local[1]"
    kernel = Kernel(tmp_path, {})
    try:
        messages = kernel.run(
            runtime_prelude()
            + f"try:\n    rt.start_session({conf!r})\nexcept rt.SparkK8sError as e:\n    print('refused:', e)\n"
            + "from pyspark import SparkContext\nprint('jvm', SparkContext._gateway is not None)"
        )
        text = _ok(messages)
        assert "refused: The S3 storage preset has no credentials" in text, text
        assert "credentialsSecret" in text and "AWS_ACCESS_KEY_ID" in text, text
        assert "jvm False" in text, text
    finally:
        kernel.stop()


def test_prepare_storage_drops_the_references_and_caches_the_jars(runtime, monkeypatch, tmp_path):
    storage = runtime.storage
    # As in a kernel before its first session (this test process may run a JVM already).
    monkeypatch.setattr(storage, "_jvm_environment", lambda: None)
    monkeypatch.setenv("SPARK_K8S_CACHE", str(tmp_path))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMTHEENVIRONMENT")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-the-environment-123")
    conf = core(
        "c.storageConf(%s, 'kernel')"
        % json.dumps({"s3": {"endpoint": "http://127.0.0.1:9", "bucket": "lake"}, "delta": True})
    )
    out = storage.prepare_storage(conf)
    assert out["spark.jars.ivy"] == str(tmp_path / "ivy")
    assert not [k for k in out if k.startswith("spark.jupyter.s3.")]
    assert runtime.redaction.redact("x secret-from-the-environment-123 y") == "x [REDACTED] y"


def test_the_kernel_takes_the_jars_of_its_own_spark(runtime, monkeypatch):
    """Spark 4.1's set (with Iceberg) passes on a 4.1 kernel; on 4.3 Iceberg is refused with the way out."""
    storage = runtime.storage
    monkeypatch.setattr(storage, "_jvm_environment", lambda: None)
    presets = json.dumps({"delta": True, "iceberg": {"type": "hadoop", "warehouse": "s3a://lake/iceberg"}})
    conf = core(f"c.storageConf({presets}, 'kernel', '4.1.4')")
    monkeypatch.setattr(storage, "_spark_minor", lambda: "4.1")
    assert storage.prepare_storage(conf)["spark.jars.packages"] == conf["spark.jars.packages"]
    monkeypatch.setattr(storage, "_spark_minor", lambda: "4.3")
    with pytest.raises(runtime.SparkK8sError, match=r"chosen for Spark 4\.1 but this kernel runs Spark 4\.3"):
        storage.prepare_storage(conf)
    # What a 4.3 kernel gets for the same presets (validation would refuse them first).
    on_43 = core(f"c.storageConf({presets}, 'kernel')")
    with pytest.raises(runtime.SparkK8sError, match=r"Spark 4\.3 .*use a kernel with Spark 4\.1,"):
        storage.prepare_storage(on_43)


def test_jars_chosen_for_another_spark_are_refused_before_anything_starts(runtime, monkeypatch):
    storage = runtime.storage
    monkeypatch.setattr(storage, "_spark_minor", lambda: "4.2")
    conf = core("c.storageConf(%s, 'kernel')" % json.dumps({"delta": True}))
    with pytest.raises(runtime.SparkK8sError, match=r"chosen for Spark 4\.3 but this kernel runs Spark 4\.2"):
        storage.prepare_storage(conf)


@pytest.fixture
def lakehouse41(s3_server, credentials_source, tmp_path_factory):
    """A kernel on PySpark 4.1 and the conf core builds for it: S3A, Delta, Iceberg (hadoop catalog)."""
    endpoint, bucket, credentials, _ = s3_server
    env, pod, s3_part = credentials_source
    presets = {
        "s3": {"endpoint": endpoint, "bucket": bucket, **s3_part},
        "delta": True,
        "iceberg": {"type": "hadoop"},
    }
    profile = {"name": "lakehouse", "kind": "local", "master": "local[2]", "storage": presets}
    context = {"appName": "storage-test-41", "sparkVersion": KERNEL_SPARK}
    conf = core(f"c.sessionConf({json.dumps(profile)}, {json.dumps(context)})")
    assert "error" not in conf, conf
    conf.update({"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"})
    env = dict(env, SPARK_K8S_CACHE=os.environ.get("SPARK_K8S_CACHE") or _default_cache())
    kernel = SparkKernel(tmp_path_factory.mktemp("storage-kernel-41"), _kernel_python(), env)
    try:
        yield kernel, conf, bucket, credentials, pod
    finally:
        kernel.stop()


def test_delta_update_merge_and_iceberg_in_a_bucket_on_a_spark_41_kernel(lakehouse41, s3_server, tmp_path):
    kernel, conf, bucket, credentials, pod = lakehouse41
    for value in credentials.values():
        assert value not in json.dumps(conf)
    # The jars tested with Spark 4.1, and the Iceberg catalog on the bucket.
    packages = conf["spark.jars.packages"].split(",")
    assert "io.delta:delta-spark_4.1_2.13:4.4.0" in packages, packages
    assert "org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.12.0" in packages, packages
    assert "org.apache.hadoop:hadoop-aws:3.4.2" in packages, packages
    assert conf["spark.sql.catalog.lakehouse.warehouse"] == f"s3a://{bucket}/iceberg"
    cells = []

    cells.append(
        kernel.run(
            runtime_prelude()
            + pod
            + f"info = rt.start_session({conf!r}, user_ns=get_ipython().user_ns)\n"
            + "import pyspark\nprint(info['state'], 'pyspark', pyspark.__version__, 'spark', spark.version)"
        )
    )
    text = _ok(cells[-1])
    assert f"ready pyspark {KERNEL_SPARK} spark {KERNEL_SPARK}" in text, text

    # Delta: create, write, UPDATE, MERGE, read back.
    table = "spark_catalog.shop.items"
    location = f"s3a://{bucket}/delta/items"
    cells.append(
        kernel.run(
            sql(
                "CREATE SCHEMA IF NOT EXISTS spark_catalog.shop",
                f"CREATE TABLE {table} (id INT, item STRING, qty INT) USING delta LOCATION '{location}'",
                f"INSERT INTO {table} VALUES (1, 'apple', 5), (2, 'pear', 7), (3, 'fig', 1)",
                f"UPDATE {table} SET qty = qty + 10 WHERE item = 'pear'",
                f"MERGE INTO {table} AS t USING (SELECT * FROM VALUES (3, 'fig', 4), (4, 'plum', 9) "
                "AS s(id, item, qty)) AS s ON t.id = s.id "
                "WHEN MATCHED THEN UPDATE SET t.qty = t.qty + s.qty "
                "WHEN NOT MATCHED THEN INSERT (id, item, qty) VALUES (s.id, s.item, s.qty)",
                f"SELECT id, item, qty FROM {table} ORDER BY id",
            )
            + "\nprint('delta', [(r.id, r.item, r.qty) for r in _sqldf.collect()])"
        )
    )
    text = _ok(cells[-1])
    assert "delta [(1, 'apple', 5), (2, 'pear', 17), (3, 'fig', 5), (4, 'plum', 9)]" in text, text
    assert "plum" in visible_text([o for o in outputs(cells[-1]) if o.output_type != "stream"]), text
    cells.append(
        kernel.run(
            sql(f"DESCRIBE HISTORY {table}")
            + "\nprint('operations', [r.operation for r in _sqldf.orderBy('version').collect()])"
        )
    )
    text = _ok(cells[-1])
    assert "operations ['CREATE TABLE', 'WRITE', 'UPDATE', 'MERGE']" in text, text

    # Iceberg: a hadoop catalog on the bucket, a three-level name.
    cells.append(
        kernel.run(
            sql(
                "CREATE NAMESPACE IF NOT EXISTS lakehouse.db",
                "CREATE TABLE lakehouse.db.t (id BIGINT, city STRING) USING iceberg",
                "INSERT INTO lakehouse.db.t VALUES (1, 'Lyon'), (2, 'Oslo')",
                "INSERT INTO lakehouse.db.t VALUES (3, 'Quito')",
                "SELECT id, city FROM lakehouse.db.t ORDER BY id",
            )
            + "\nprint('iceberg', [(r.id, r.city) for r in _sqldf.collect()])\n"
            + sql("SELECT count(*) AS n FROM lakehouse.db.t.snapshots")
            + "\nprint('snapshots', _sqldf.collect()[0].n)"
        )
    )
    text = _ok(cells[-1])
    assert "iceberg [(1, 'Lyon'), (2, 'Oslo'), (3, 'Quito')]" in text, text
    assert "snapshots 2" in text, text

    # dbutils.fs.ls lists both tables in the bucket.
    cells.append(
        kernel.run(
            f"print('root', sorted(f.name for f in rt.dbutils.fs.ls('s3a://{bucket}/')))\n"
            f"print('delta', sorted(f.name for f in rt.dbutils.fs.ls({location!r})))\n"
            f"print('iceberg', sorted(f.name for f in rt.dbutils.fs.ls('s3a://{bucket}/iceberg/db/t')))\n"
            f"print('metadata', sorted(f.name for f in rt.dbutils.fs.ls('s3a://{bucket}/iceberg/db/t/metadata')))"
        )
    )
    text = _ok(cells[-1])
    assert "'delta/'" in text and "'iceberg/'" in text, text
    assert "'_delta_log/'" in text and ".parquet'" in text, text
    assert "iceberg ['data/', 'metadata/']" in text, text
    assert "v3.metadata.json" in text, text  # create + two inserts
    assert "file:" not in text

    _credentials_masked_and_nowhere(kernel, cells, credentials, s3_server, tmp_path / "lakehouse41.ipynb")
