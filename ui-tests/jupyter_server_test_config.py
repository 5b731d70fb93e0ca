"""Jupyter server for the Galata tests (never use in production: no token)."""

import json
import os
import pathlib
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.port = int(os.environ.get("GALATA_PORT", "8888"))  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821 - CI runs as root

# Profiles the tests pick: one whose driver memory is not a size, one on the test
# cluster (scripts/test.sh starts it and exports KUBECONFIG, POD_NAME, POD_IP).
settings_dir = pathlib.Path(tempfile.mkdtemp(prefix="spark-k8s-settings-"))
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
                ],
            }
        }
    )
)
c.LabServerApp.app_settings_dir = str(settings_dir)  # noqa: F821

# A Databricks secret as a job would see it (kernels inherit the server's environment).
# scripts/test.sh sets it too, to scan the tests' artifacts for it.
os.environ.setdefault("SPARK_K8S_SECRET_DEMO_TOKEN", "galata-secret-value")
