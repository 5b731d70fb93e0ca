"""Publishing against the real API server: POST /publish of the service under the shipped
Role, with the objects `spark-k8s manifest` writes (the product's own manifests).

Server-side apply after a strict server-side dry run; idempotence, concurrency, conflicts
with another field manager (a GitOps controller), the ConfigMap owned by its application,
and errors in plain words.
"""

import json
import pathlib
import socket
import subprocess
import threading
import time
import uuid

import pytest
import yaml

from .conftest import REPO, Service, make_namespace, node_executable

CLI_JS = REPO / "jupyterlab_spark_k8s" / "node" / "cli.js"
FIELD_MANAGER = "jupyterlab-spark-k8s"
APP_LABEL = "spark-k8s.jupyter.org/app"
OWNER_LABEL = "spark-k8s.jupyter.org/owner"
OWNER_ANNOTATION = "spark-k8s.jupyter.org/owner"
HUB_USER = "alice@example.org"
KUBEFLOW = "/apis/sparkoperator.k8s.io/v1beta2/namespaces/%s/%s/%s"


# --- helpers -------------------------------------------------------------------------


def notebook(path, text):
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "metadata": {},
                        "source": text,
                        "outputs": [],
                        "execution_count": None,
                    }
                ],
                "metadata": {
                    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
                },
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    return path


def manifests(tmp_path, name, namespace, text="print('v1')", *extra):
    """`spark-k8s manifest` for a one-cell notebook: [configMap, application] as dicts."""
    work = tmp_path / ("%s-%s" % (name, uuid.uuid4().hex[:6]))
    work.mkdir()
    nb = notebook(work / ("%s.ipynb" % name), text)
    out = work / "out"
    out.mkdir()
    proc = subprocess.run(
        [
            node_executable(),
            str(CLI_JS),
            "manifest",
            nb.name,
            "--name",
            name,
            "--namespace",
            namespace,
            "-o",
            "out",
        ]
        + list(extra),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    docs = [d for f in sorted(out.glob("*.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]
    assert [d["kind"] for d in docs][0] == "ConfigMap", docs
    assert len(docs) == 2
    return docs


def post(service, body, path="/publish", raw=None, timeout=60):
    conn = service.connection(timeout)
    data = raw if raw is not None else json.dumps(body).encode()
    conn.request("POST", path, body=data, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    text = resp.read()
    conn.close()
    return resp.status, (json.loads(text) if text else None)


def app_path(ns, app):
    group_version = app["apiVersion"]
    plural = app["kind"].lower() + "s"
    return "/apis/%s/namespaces/%s/%s/%s" % (group_version, ns, plural, app["metadata"]["name"])


def cm_path(ns, name):
    return "/api/v1/namespaces/%s/configmaps/%s" % (ns, name)


def job_configmaps(kube, ns, name):
    out = kube.ok("GET", "/api/v1/namespaces/%s/configmaps?labelSelector=%s%%3D%s" % (ns, APP_LABEL, name))
    return sorted(cm["metadata"]["name"] for cm in out["items"])


def audit_uris(cluster, needle):
    lines = pathlib.Path(cluster.info["audit_log"]).read_text(errors="replace").splitlines()
    return [json.loads(ln)["requestURI"] for ln in lines if needle in ln]


@pytest.fixture(scope="module")
def publisher(namespace):
    """The service of JupyterHub user alice, under the shipped Role."""
    svc = Service(namespace.kubeconfig, {"JUPYTERHUB_USER": HUB_USER})
    yield svc
    svc.stop()


# --- publishing ------------------------------------------------------------------------


def test_publish_applies_the_configmap_then_the_application_it_owns(
    publisher, kube, namespace, tmp_path, cluster
):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-first", ns, "print('v1')", "--owner", "mallory")
    status, out = post(publisher, {"objects": [cm, app]})
    assert status == 200, out
    assert out["ok"] is True and out["created"] is True and out["removed"] == []
    assert out["configMap"] == cm["metadata"]["name"]

    live = kube.ok("GET", app_path(ns, app))
    assert out["application"] == {
        "apiVersion": "sparkoperator.k8s.io/v1beta2",
        "kind": "SparkApplication",
        "name": "etl-first",
        "namespace": ns,
        "uid": live["metadata"]["uid"],
    }
    for field in ("type", "mode", "image", "sparkVersion", "mainApplicationFile", "arguments", "deps"):
        assert live["spec"][field] == app["spec"][field], field
    assert (
        live["spec"]["driver"]["template"]["spec"]["volumes"][0]["configMap"]["name"]
        == cm["metadata"]["name"]
    )
    managers = {(m["manager"], m["operation"]) for m in live["metadata"]["managedFields"]}
    assert managers == {(FIELD_MANAGER, "Apply")}

    live_cm = kube.ok("GET", cm_path(ns, cm["metadata"]["name"]))
    assert live_cm["immutable"] is True
    assert live_cm["data"] == cm["data"] and live_cm["binaryData"] == cm["binaryData"]
    assert live_cm["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "sparkoperator.k8s.io/v1beta2",
            "kind": "SparkApplication",
            "name": "etl-first",
            "uid": live["metadata"]["uid"],
        }
    ]
    # The owner is the JupyterHub user the server runs for, not what the client claimed.
    for obj in (live, live_cm):
        assert obj["metadata"]["labels"][OWNER_LABEL] == "alice-example.org"
        assert obj["metadata"]["annotations"][OWNER_ANNOTATION] == HUB_USER
    pod_labels = live["spec"]["driver"]["template"]["metadata"]["labels"]
    assert pod_labels[OWNER_LABEL] == "alice-example.org"

    # The dry run came first, strict, for both objects, with our field manager.
    uris = audit_uris(cluster, "/namespaces/%s/" % ns)
    for resource in ("configmaps/%s" % cm["metadata"]["name"], "sparkapplications/etl-first"):
        dry = [u for u in uris if resource in u and "dryRun=All" in u]
        assert dry, resource
        assert all("fieldValidation=Strict" in u and "fieldManager=%s" % FIELD_MANAGER in u for u in dry)


def test_deleting_the_application_deletes_its_configmap(publisher, kube, namespace, tmp_path):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-gc", ns)
    assert post(publisher, {"objects": [cm, app]})[0] == 200
    kube.ok("DELETE", app_path(ns, app))
    # The garbage collector (kube-controller-manager) follows the ownerReference.
    kube.wait(
        lambda: kube.request("GET", cm_path(ns, cm["metadata"]["name"]))[0] == 404,
        timeout=60,
        what="the job ConfigMap to be garbage-collected",
    )


def test_publishing_twice_updates_one_application_and_removes_the_old_version(
    publisher, kube, namespace, tmp_path
):
    ns = namespace.name
    cm1, app1 = manifests(tmp_path, "etl-twice", ns, "print('v1')")
    cm2, app2 = manifests(tmp_path, "etl-twice", ns, "print('v2')")
    assert cm1["metadata"]["name"] != cm2["metadata"]["name"]

    status, first = post(publisher, {"objects": [cm1, app1]})
    assert status == 200 and first["created"] is True
    status, second = post(publisher, {"objects": [cm2, app2]})
    assert status == 200, second
    assert second["created"] is False
    assert second["application"]["uid"] == first["application"]["uid"]
    assert second["removed"] == [cm1["metadata"]["name"]]
    assert job_configmaps(kube, ns, "etl-twice") == [cm2["metadata"]["name"]]
    live = kube.ok("GET", app_path(ns, app2))
    assert (
        live["spec"]["executor"]["template"]["spec"]["volumes"][0]["configMap"]["name"]
        == cm2["metadata"]["name"]
    )

    # The same version again changes nothing at all (not even the resourceVersion).
    status, third = post(publisher, {"objects": [cm2, app2]})
    assert status == 200 and third["created"] is False and third["removed"] == []
    again = kube.ok("GET", app_path(ns, app2))
    assert again["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]
    assert job_configmaps(kube, ns, "etl-twice") == [cm2["metadata"]["name"]]


def test_concurrent_publishes_of_one_name_yield_one_application(publisher, kube, namespace, tmp_path):
    ns = namespace.name
    versions = [manifests(tmp_path, "etl-race", ns, "print(%d)" % (i % 2)) for i in range(4)]
    results = [None] * len(versions)

    def run(i):
        results[i] = post(publisher, {"objects": versions[i]})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(versions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200] * len(versions), results
    assert sum(1 for _, r in results if r["created"]) == 1
    uids = {r["application"]["uid"] for _, r in results}
    assert len(uids) == 1
    apps = kube.ok("GET", "/apis/sparkoperator.k8s.io/v1beta2/namespaces/%s/sparkapplications" % ns)["items"]
    assert [a["metadata"]["name"] for a in apps].count("etl-race") == 1
    live = next(a for a in apps if a["metadata"]["name"] == "etl-race")
    mounted = live["spec"]["driver"]["template"]["spec"]["volumes"][0]["configMap"]["name"]
    # The version the application runs exists; anything else left is owned by it (so it
    # goes with the application) and the next publish removes it.
    remaining = job_configmaps(kube, ns, "etl-race")
    assert mounted in remaining
    for name in remaining:
        refs = kube.ok("GET", cm_path(ns, name))["metadata"].get("ownerReferences", [])
        assert [r["uid"] for r in refs] == [live["metadata"]["uid"]], name
    assert post(publisher, {"objects": versions[0]})[0] == 200
    assert job_configmaps(kube, ns, "etl-race") == [versions[0][0]["metadata"]["name"]]


def test_a_field_another_manager_owns_is_a_conflict_until_the_user_confirms(
    publisher, kube, namespace, tmp_path
):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-gitops", ns, "print('v1')", "--image", "registry.example/spark:ours")
    assert post(publisher, {"objects": [cm, app]})[0] == 200
    # A GitOps controller takes spec.image over with its own value.
    kube.ok(
        "PATCH",
        app_path(ns, app) + "?fieldManager=argocd-controller&force=true",
        {
            "apiVersion": app["apiVersion"],
            "kind": app["kind"],
            "metadata": {"name": "etl-gitops", "namespace": ns},
            "spec": {"image": "registry.example/spark:gitops"},
        },
        content_type="application/apply-patch+yaml",
    )
    cm2, app2 = manifests(tmp_path, "etl-gitops", ns, "print('v2')", "--image", "registry.example/spark:ours")
    status, out = post(publisher, {"objects": [cm2, app2]})
    assert status == 409, out
    assert out["code"] == "Conflict"
    assert out["conflicts"] == [{"field": "spec.image", "manager": "argocd-controller"}]
    assert "argocd-controller" in out["message"] and "spec.image" in out["message"]
    assert "confirm to take over" in out["hint"].lower()
    # Nothing changed: the GitOps value stays, the new version's ConfigMap was not created.
    live = kube.ok("GET", app_path(ns, app))
    assert live["spec"]["image"] == "registry.example/spark:gitops"
    assert job_configmaps(kube, ns, "etl-gitops") == [cm["metadata"]["name"]]

    status, out = post(publisher, {"objects": [cm2, app2], "force": True})
    assert status == 200, out
    live = kube.ok("GET", app_path(ns, app))
    assert live["spec"]["image"] == "registry.example/spark:ours"
    owners = [
        m["manager"]
        for m in live["metadata"]["managedFields"]
        if "f:image" in json.dumps(m["fieldsV1"]["f:spec"])
    ]
    assert owners == [FIELD_MANAGER]
    assert job_configmaps(kube, ns, "etl-gitops") == [cm2["metadata"]["name"]]


def test_a_dry_run_says_what_would_happen_and_changes_nothing(publisher, kube, namespace, tmp_path):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-dry", ns, "print('v1')")
    status, out = post(publisher, {"objects": [cm, app], "dryRun": True})
    assert status == 200, out
    assert out["created"] is True and out["removed"] == []
    assert kube.request("GET", app_path(ns, app))[0] == 404
    assert job_configmaps(kube, ns, "etl-dry") == []

    assert post(publisher, {"objects": [cm, app]})[0] == 200
    live = kube.ok("GET", app_path(ns, app))
    cm2, app2 = manifests(tmp_path, "etl-dry", ns, "print('v2')")
    status, out = post(publisher, {"objects": [cm2, app2], "dryRun": True})
    assert status == 200, out
    assert out["created"] is False
    assert out["application"]["uid"] == live["metadata"]["uid"]
    assert out["removed"] == [cm["metadata"]["name"]]
    assert job_configmaps(kube, ns, "etl-dry") == [cm["metadata"]["name"]]
    assert (
        kube.ok("GET", app_path(ns, app))["metadata"]["resourceVersion"]
        == live["metadata"]["resourceVersion"]
    )


# --- strict validation -------------------------------------------------------------------


def test_a_misspelt_field_is_an_error_naming_it_and_nothing_is_created(publisher, kube, namespace, tmp_path):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-tz", ns, "print(1)", "--schedule", "0 6 * * 1", "--tz", "Europe/Paris")
    assert app["kind"] == "ScheduledSparkApplication" and app["spec"]["timeZone"] == "Europe/Paris"
    app["spec"]["timezone"] = app["spec"].pop("timeZone")
    status, out = post(publisher, {"objects": [cm, app]})
    assert status == 422, out
    assert out["code"] == "Invalid"
    assert ".spec.timezone: field not declared in schema" in out["message"]
    assert "misspelt" in out["hint"]
    assert kube.request("GET", app_path(ns, app))[0] == 404
    assert job_configmaps(kube, ns, "etl-tz") == []


def test_a_wrongly_typed_field_is_an_error_naming_it(publisher, kube, namespace, tmp_path):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-cores", ns)
    app["spec"]["driver"]["cores"] = "x"
    status, out = post(publisher, {"objects": [cm, app]})
    assert status == 422, out
    assert ".spec.driver.cores" in out["message"]
    assert kube.request("GET", app_path(ns, app))[0] == 404
    assert job_configmaps(kube, ns, "etl-cores") == []


def test_every_manifest_kind_passes_the_strict_dry_run(publisher, namespace, tmp_path):
    ns = namespace.name
    kinds = {
        "kubeflow": manifests(tmp_path, "kind-once", ns, "print(1)", "--param", "day=2024-01-01"),
        "kubeflow-scheduled": manifests(
            tmp_path, "kind-cron", ns, "print(1)", "--schedule", "*/15 * * * *", "--tz", "UTC"
        ),
        "apache": manifests(tmp_path, "kind-apache", ns, "print(1)", "--operator", "apache"),
    }
    for label, objects in kinds.items():
        status, out = post(publisher, {"objects": objects, "dryRun": True})
        assert status == 200, (label, out)
        assert out["application"]["kind"] == objects[1]["kind"]
        assert out["application"]["apiVersion"] == objects[1]["apiVersion"]


# --- what the service refuses ------------------------------------------------------------


def test_the_service_is_not_a_generic_apply_proxy(publisher, kube, namespace, tmp_path):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-bad", ns)

    def refused(body=None, raw=None, status=400):
        got, out = post(publisher, body, raw=raw)
        assert got == status, out
        assert out["message"]
        return out["message"]

    assert "not valid JSON" in refused(raw=b'{"objects": [')
    assert "JSON object" in refused(["x"])
    assert "exactly two objects" in refused({"objects": [cm]})
    assert "exactly two objects" in refused({"objects": [cm, app, cm]})
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
    assert "Got v1 ConfigMap and v1 Pod" in refused({"objects": [cm, pod]})
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}}
    assert "exactly two objects" in refused({"objects": [role, app]})
    other = json.loads(json.dumps(app))
    other["metadata"]["namespace"] = "kube-system"
    message = refused({"objects": [cm, other]})
    assert '"kube-system"' in message and '"%s"' % ns in message
    unmounted = json.loads(json.dumps(app))
    for role_name in ("driver", "executor"):
        unmounted["spec"][role_name]["template"]["spec"]["volumes"][0]["configMap"]["name"] = "someone-elses"
    assert "does not mount the ConfigMap" in refused({"objects": [cm, unmounted]})
    assert '"force" must be true or false' in refused({"objects": [cm, app], "force": "yes"})
    big = json.dumps({"objects": [cm, app], "pad": "x" * (2 * 1024 * 1024)}).encode()
    assert "larger than" in refused(raw=big, status=413)
    # Nothing of it reached the cluster; the service still answers.
    assert kube.request("GET", app_path(ns, app))[0] == 404
    assert job_configmaps(kube, ns, "etl-bad") == []
    status, health = publisher.request("GET", "/health")
    assert (status, health["ok"]) == (200, True)


def test_objects_without_a_namespace_go_to_the_service_namespace(publisher, kube, namespace, tmp_path):
    ns = namespace.name
    cm, app = manifests(tmp_path, "etl-nons", ns)
    for obj in (cm, app):
        del obj["metadata"]["namespace"]
    status, out = post(publisher, {"objects": [app, cm]})  # any order
    assert status == 200, out
    assert out["application"]["namespace"] == ns
    assert kube.request("GET", app_path(ns, {**app, "metadata": {"name": "etl-nons"}}))[0] == 200


# --- errors in plain words -------------------------------------------------------------


def test_forbidden_names_the_permission_and_the_role_file(cluster, kube, tmp_path_factory, tmp_path):
    rbac = tmp_path / "no-apps.yaml"
    docs = list(yaml.safe_load_all((REPO / "deploy" / "rbac.yaml").read_text()))
    for doc in docs:
        if doc and doc["kind"] == "Role" and doc["metadata"]["name"] == "jupyterlab-spark-k8s":
            doc["rules"] = [r for r in doc["rules"] if "sparkoperator.k8s.io" not in r["apiGroups"]]
    rbac.write_text(yaml.safe_dump_all(docs))
    ns = make_namespace(cluster, kube, tmp_path_factory, rbac=rbac, prefix="noapps")
    svc = Service(ns.kubeconfig)
    try:
        cm, app = manifests(tmp_path, "etl-denied", ns.name)
        status, out = post(svc, {"objects": [cm, app]})
        assert status == 403, out
        assert out["code"] == "Forbidden"
        assert out["message"] == (
            'This service account may not patch sparkapplications.sparkoperator.k8s.io in namespace "%s".'
            % ns.name
        )
        assert "deploy/rbac.yaml" in out["hint"]
        assert job_configmaps(kube, ns.name, "etl-denied") == []
    finally:
        svc.stop()


def test_an_unreachable_api_server_is_a_clear_error(tmp_path, namespace):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bad = tmp_path / "bad.kubeconfig"
    bad.write_text(
        namespace.kubeconfig.read_text().replace(
            namespace.cluster.info["server"], "https://127.0.0.1:%d" % port
        )
    )
    svc = Service(bad)
    try:
        cm, app = manifests(tmp_path, "etl-down", namespace.name)
        started = time.monotonic()
        status, out = post(svc, {"objects": [cm, app]})
        assert status == 503, out
        assert out["code"] == "Unreachable"
        assert out["message"] == "The Kubernetes API server cannot be reached (ECONNREFUSED)."
        assert time.monotonic() - started < 30
        status, health = svc.request("GET", "/health")
        assert (status, health["ok"]) == (200, True)
    finally:
        svc.stop()


# --- RBAC for published applications ------------------------------------------------------


def test_the_spark_driver_account_may_run_executors_and_nothing_more(kube, namespace):
    ns = namespace.name
    kube.apply(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "spark-driver", "namespace": ns}}
    )
    token = kube.ok(
        "POST",
        "/api/v1/namespaces/%s/serviceaccounts/spark-driver/token" % ns,
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": 3600},
        },
    )["status"]["token"]

    def allowed(verb, resource, group=""):
        review = kube.ok(
            "POST",
            "/apis/authorization.k8s.io/v1/subjectaccessreviews",
            {
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SubjectAccessReview",
                "spec": {
                    "user": "system:serviceaccount:%s:spark-driver" % ns,
                    "groups": ["system:serviceaccounts", "system:serviceaccounts:%s" % ns],
                    "resourceAttributes": {
                        "namespace": ns,
                        "verb": verb,
                        "resource": resource,
                        "group": group,
                    },
                },
            },
        )
        return review["status"].get("allowed", False)

    for verb in ("create", "get", "list", "watch", "delete"):
        assert allowed(verb, "pods"), verb
    for resource in ("services", "configmaps"):
        for verb in ("create", "get", "delete"):
            assert allowed(verb, resource), (verb, resource)
    assert not allowed("get", "secrets")
    assert not allowed("create", "sparkapplications", "sparkoperator.k8s.io")
    assert not allowed("create", "roles", "rbac.authorization.k8s.io")
    # The driver's own token really creates a Service (what Spark does for its executors).
    status, _ = kube.request(
        "POST",
        "/api/v1/namespaces/%s/services" % ns,
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "d-svc"},
            "spec": {"ports": [{"port": 7078}]},
        },
        token=token,
    )
    assert status == 201
