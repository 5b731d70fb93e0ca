"""Lakehouse storage presets in the kernel: S3 credentials for Hadoop's S3A, and the jars.

The conf the panel sends (src/core/session/storage.ts) names the credentials, never
their values: ``spark.jupyter.s3.credentialsSecret`` (a Kubernetes Secret) and the keys
in it. ``prepare_storage(conf)`` runs before the JVM starts: it reads that Secret (or
finds ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` already in the kernel's
environment), puts the values in the environment the JVM inherits, where S3A's
``EnvironmentVariableCredentialsProvider`` reads them, registers them with redaction, and
drops the ``spark.jupyter.s3.*`` keys. It also checks that the Maven packages the conf
asks for were chosen for the kernel's Spark, and caches what Spark resolves under the
project's cache directory.
"""

import base64
import os
import re

from .contract import CONTRACT
from .errors import SparkK8sError
from .redaction import redact_value

_STORAGE = CONTRACT["storage"]
SECRET_CONF = _STORAGE["credentialsSecret"]
ACCESS_KEY_CONF = _STORAGE["accessKeyKey"]
SECRET_KEY_CONF = _STORAGE["secretKeyKey"]
ACCESS_KEY_ENV = _STORAGE["accessKeyEnv"]
SECRET_KEY_ENV = _STORAGE["secretKeyEnv"]
PACKAGES = _STORAGE["packages"]
ENV_PROVIDER = "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider"
ICEBERG_CATALOG = "org.apache.iceberg.spark.SparkCatalog"
IVY_CONF = "spark.jars.ivy"


def cache_dir():
    """The project's cache (as tests/cluster/build.sh and scripts/setup.sh use it)."""
    base = os.environ.get("SPARK_K8S_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "jupyterlab-spark-k8s",
    )
    return base


def ivy_dir():
    """Where Spark resolves and caches ``spark.jars.packages`` for sessions."""
    return os.path.join(cache_dir(), "ivy")


def _spark_minor():
    import pyspark

    match = re.match(r"(\d+)\.(\d+)", pyspark.__version__)
    return f"{match.group(1)}.{match.group(2)}" if match else pyspark.__version__


def _check_packages(conf):
    """The packages the conf asks for must be the ones tested with the kernel's Spark."""
    requested = [p.strip() for p in conf.get("spark.jars.packages", "").split(",") if p.strip()]
    if not requested:
        return
    ours = {}
    for version, tested in PACKAGES.items():
        if isinstance(tested, dict):
            for part in ("s3", "delta", "iceberg"):
                for coordinate in tested.get(part) or []:
                    ours.setdefault(coordinate, set()).add(version)
    minor = _spark_minor()
    for coordinate in requested:
        if coordinate in ours and minor not in ours[coordinate]:
            raise SparkK8sError(
                f"The storage jars ({coordinate}) were chosen for Spark {', '.join(sorted(ours[coordinate]))} "
                f'but this kernel runs Spark {minor}: set the profile\'s storage jars to "image" and '
                "provide jars that match, or use a kernel with that Spark."
            )
    tested = PACKAGES.get(minor)
    catalogs = [
        k for k, v in conf.items() if v == ICEBERG_CATALOG and re.fullmatch(r"spark\.sql\.catalog\.[^.]+", k)
    ]
    if catalogs and isinstance(tested, dict) and not tested.get("iceberg"):
        with_iceberg = ", ".join(v for v, t in PACKAGES.items() if isinstance(t, dict) and t.get("iceberg"))
        raise SparkK8sError(
            f"Iceberg has no release for Spark {minor} on Maven Central yet (its Spark runtime stops at "
            f"Spark {with_iceberg}): use a kernel with Spark {with_iceberg}, remove the profile's Iceberg "
            'preset, or set its storage jars to "image" with an image that has one.'
        )


def _kubernetes_secret(conf, name):
    """The Secret `name` as JSON, through the API of the session being started (k8s://) or
    this pod's own."""
    from . import secrets

    return secrets.kubernetes_get("secrets/" + name, conf)


def _from_secret(conf, name, keys):
    data = _kubernetes_secret(conf, name).get("data") or {}
    values = []
    for key in keys:
        if key not in data:
            raise SparkK8sError(
                f"The S3 credentials Secret {name!r} has no key {key!r} (it has: "
                f"{', '.join(sorted(data)) or 'none'}): add it, or name the right key in the profile."
            )
        value = base64.b64decode(data[key]).decode("utf-8").strip()
        redact_value(value)
        values.append(value)
    return values


def _jvm_environment():
    """The JVM's environment variables when a JVM already runs in this kernel, else None."""
    try:
        from pyspark import SparkContext
    except ImportError:
        return None
    gateway = getattr(SparkContext, "_gateway", None)
    if gateway is None:
        return None
    system = gateway.jvm.java.lang.System
    return {name: system.getenv(name) for name in (ACCESS_KEY_ENV, SECRET_KEY_ENV)}


def prepare_storage(conf):
    """``conf`` without the ``spark.jupyter.s3.*`` keys, the credentials where S3A reads them.

    Raises SparkK8sError (with what to do) when the credentials cannot be had or the jars
    do not fit the kernel's Spark; nothing is started then.
    """
    conf = dict(conf)
    secret = conf.pop(SECRET_CONF, None)
    access_key = conf.pop(ACCESS_KEY_CONF, None) or ACCESS_KEY_ENV
    secret_key = conf.pop(SECRET_KEY_CONF, None) or SECRET_KEY_ENV
    _check_packages(conf)
    if conf.get("spark.jars.packages") and not conf.get(IVY_CONF):
        conf[IVY_CONF] = ivy_dir()
    uses_env = ENV_PROVIDER in conf.get("spark.hadoop.fs.s3a.aws.credentials.provider", "")
    if secret:
        values = dict(
            zip(
                (ACCESS_KEY_ENV, SECRET_KEY_ENV),
                _from_secret(conf, secret, (access_key, secret_key)),
                strict=True,
            )
        )
    elif uses_env:
        values = {name: os.environ.get(name) for name in (ACCESS_KEY_ENV, SECRET_KEY_ENV)}
        if not all(values.values()):
            raise SparkK8sError(
                "The S3 storage preset has no credentials: name a Kubernetes Secret in the profile's "
                f"credentialsSecret, or give the Jupyter server {ACCESS_KEY_ENV} and {SECRET_KEY_ENV} in "
                "its environment."
            )
        for value in values.values():
            redact_value(value)
    else:
        return conf
    jvm = _jvm_environment()
    if jvm is not None and jvm != values:
        raise SparkK8sError(
            "This kernel's Java process started without these S3 credentials, and a running JVM's "
            "environment cannot change: restart the kernel, then start the session again."
        )
    os.environ.update(values)
    return conf
