"""`spark-k8s publish` against the real API server, with the kubeconfig of a namespace under
the shipped Role: the same server-side apply as the service, from the command line."""

import json
import os
import subprocess

import pytest

from .conftest import REPO, make_namespace, node_executable

CLI_JS = REPO / "jupyterlab_spark_k8s" / "node" / "cli.js"


@pytest.fixture(scope="module")
def ns(cluster, kube, tmp_path_factory):
    return make_namespace(cluster, kube, tmp_path_factory, prefix="clipub")


def write_notebook(
    folder, text="dbutils.widgets.text('day', '2024-01-01')\nprint(dbutils.widgets.get('day'))"
):
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}
        ],
    }
    (folder / "etl.ipynb").write_text(json.dumps(nb))


def cli(folder, *args, kubeconfig=None):
    env = dict(os.environ)
    env.pop("JUPYTERHUB_USER", None)
    if kubeconfig is None:
        env.pop("KUBECONFIG", None)
        env["HOME"] = str(folder)  # no ~/.kube/config either
    else:
        env["KUBECONFIG"] = str(kubeconfig)
    return subprocess.run(
        [node_executable(), str(CLI_JS), *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=120,
    )


def test_publish_creates_then_updates_one_application(ns, kube, tmp_path):
    write_notebook(tmp_path)
    flags = [
        "etl.ipynb",
        "--name",
        "cli-etl",
        "--schedule",
        "30 5 * * *",
        "--tz",
        "Asia/Tokyo",
        "--param",
        "day=x",
    ]
    first = cli(tmp_path, "publish", *flags, kubeconfig=ns.kubeconfig)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("created ScheduledSparkApplication %s/cli-etl" % ns.name), first.stdout
    path = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/%s/scheduledsparkapplications/cli-etl" % ns.name
    app = kube.ok("GET", path)
    assert app["spec"]["timeZone"] == "Asia/Tokyo"
    assert app["spec"]["template"]["arguments"] == ["--day", "x"]
    managers = {m["manager"] for m in app["metadata"]["managedFields"]}
    assert "jupyterlab-spark-k8s" in managers

    write_notebook(tmp_path, "print('v2')")
    second = cli(tmp_path, "publish", *flags, kubeconfig=ns.kubeconfig)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("updated ScheduledSparkApplication"), second.stdout
    assert "removed old ConfigMap cli-etl-" in second.stdout
    apps = kube.ok(
        "GET", "/apis/sparkoperator.k8s.io/v1beta2/namespaces/%s/scheduledsparkapplications" % ns.name
    )
    assert [a["metadata"]["name"] for a in apps["items"]] == ["cli-etl"]
    cms = kube.ok(
        "GET", "/api/v1/namespaces/%s/configmaps?labelSelector=spark-k8s.jupyter.org/app=cli-etl" % ns.name
    )
    assert len(cms["items"]) == 1  # the new version only: no orphan


def test_dry_run_creates_nothing_and_bad_input_is_clear(ns, kube, tmp_path):
    write_notebook(tmp_path)
    dry = cli(tmp_path, "publish", "etl.ipynb", "--name", "cli-dry", "--dry-run", kubeconfig=ns.kubeconfig)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("would apply SparkApplication %s/cli-dry" % ns.name)
    status, _ = kube.request(
        "GET", "/apis/sparkoperator.k8s.io/v1beta2/namespaces/%s/sparkapplications/cli-dry" % ns.name
    )
    assert status == 404
    bad = cli(tmp_path, "publish", "etl.ipynb", "--name", "Bad_Name", kubeconfig=ns.kubeconfig)
    assert bad.returncode == 2 and 'name: name "Bad_Name"' in bad.stderr


def test_apache_operator_publish(ns, kube, tmp_path):
    write_notebook(tmp_path)
    proc = cli(
        tmp_path,
        "publish",
        "etl.ipynb",
        "--name",
        "cli-apache",
        "--operator",
        "apache",
        kubeconfig=ns.kubeconfig,
    )
    assert proc.returncode == 0, proc.stderr
    app = kube.ok("GET", "/apis/spark.apache.org/v1/namespaces/%s/sparkapplications/cli-apache" % ns.name)
    assert app["spec"]["pyFiles"] == "local:///opt/spark-k8s/job/job.py"


def test_no_cluster_is_said_plainly(tmp_path):
    write_notebook(tmp_path)
    proc = cli(tmp_path, "publish", "etl.ipynb", "--name", "nowhere")
    assert proc.returncode == 2
    assert "No cluster" in proc.stderr and "KUBECONFIG" in proc.stderr
