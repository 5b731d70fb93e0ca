"""Jupyter server for the Galata tests (never use in production: no token)."""

import json
import os
import pathlib
import socket
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.port = int(os.environ.get("GALATA_PORT", "8888"))  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821 - CI runs as root

# Profiles the tests pick: one whose driver memory is not a size, one on the test
# cluster (scripts/test.sh starts it and exports KUBECONFIG, POD_NAME, POD_IP).
settings_dir = pathlib.Path(tempfile.mkdtemp(prefix="spark-k8s-settings-"))


def _closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_profiles():
    """Profiles of the real test servers (tests/servers/spark.py env), when they run."""
    env = os.environ
    profiles = []
    master = env.get("SPARK_K8S_TEST_STANDALONE_MASTER")
    if master:
        profiles.append(
            {
                "name": "standalone",
                "kind": "standalone",
                "master": master,
                "masterUi": env.get("SPARK_K8S_TEST_STANDALONE_UI", ""),
                # The worker runs on loopback beside the kernel.
                "driverHost": "127.0.0.1",
                "executorCores": 1,
                "executorMemory": "512m",
                "totalCores": 1,
                "driverMemory": "512m",
                "conf": {"spark.sql.shuffle.partitions": "2"},
            }
        )
    remote = env.get("SPARK_K8S_TEST_CONNECT_REMOTE")
    token_file = env.get("SPARK_K8S_TEST_CONNECT_TOKEN_FILE")
    if remote and token_file:
        connect = {"name": "connect", "kind": "connect", "remote": remote, "token": {"file": token_file}}
        if env.get("SPARK_K8S_TEST_CONNECT_UI"):
            connect["uiUrl"] = env["SPARK_K8S_TEST_CONNECT_UI"]
        # A token file that holds a wrong value: the server refuses the client.
        wrong = settings_dir / "wrong-connect-token"
        wrong.write_text("not-the-token\n")
        wrong.chmod(0o600)
        profiles += [
            connect,
            {"name": "connect-bad-token", "kind": "connect", "remote": remote, "token": {"file": str(wrong)}},
            {
                "name": "connect-down",
                "kind": "connect",
                "remote": f"sc://127.0.0.1:{_closed_port()}",
                "token": {"file": token_file},
            },
        ]
    return profiles


(settings_dir / "overrides.json").write_text(
    json.dumps(
        {
            "jupyterlab-spark-k8s:session": {
                "secretScopes": {"prod-db": "warehouse"},
                "profiles": [
                    {
                        "name": "local-2",
                        "kind": "local",
                        "master": "local[2]",
                        "driverMemory": "1g",
                        "conf": {"spark.sql.shuffle.partitions": "4"},
                    },
                    {"name": "broken", "kind": "local", "driverMemory": "lots"},
                    {
                        "name": "k8s",
                        "kind": "kubernetes",
                        "image": "apache/spark:4.3.0-python3",
                        "executorInstances": 2,
                        "executorMemory": "512m",
                        # kwok's fake executors never register: do not wait for them.
                        "conf": {"spark.scheduler.minRegisteredResourcesRatio": "0"},
                    },
                    # A profile carried over from Databricks: the panel flags its key.
                    {
                        "name": "from-databricks",
                        "kind": "local",
                        "master": "local[1]",
                        "conf": {"spark.databricks.io.cache.enabled": "true"},
                    },
                    # The operator's SparkConnect on the test cluster (kwok runs no
                    # server, so the kernel cannot connect: the panel says so).
                    {
                        "name": "sparkconnect",
                        "kind": "sparkconnect",
                        "image": "apache/spark:4.3.0-python3",
                        "serverMemory": "512m",
                        "executorInstances": 1,
                        "idleMinutes": 30,
                    },
                    {
                        "name": "sparkconnect-pending",
                        "kind": "sparkconnect",
                        "image": "apache/spark:4.3.0-python3",
                        "nodeSelector": {"spark-k8s.test/pool": "none"},
                    },
                    *_server_profiles(),
                ],
            }
        }
    )
)
c.LabServerApp.app_settings_dir = str(settings_dir)  # noqa: F821

# A Databricks secret as a job would see it (kernels inherit the server's environment).
# scripts/test.sh sets it too, to scan the tests' artifacts for it.
os.environ.setdefault("SPARK_K8S_SECRET_DEMO_TOKEN", "galata-secret-value")
