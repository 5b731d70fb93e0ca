"""The Node service against the real API server, under the shipped Role."""

import signal
import subprocess
import time
import uuid

from .conftest import DRIVER_POD, NODE_NAME, Service, make_namespace

SESSION_LABEL = "spark-k8s.jupyter.org/session"
DRIVER_LABEL = "spark-k8s.jupyter.org/driver-pod"


def executor_pod(name, session, annotations=None, node_selector=None):
    spec = {
        "containers": [
            {
                "name": "executor",
                "image": "apache/spark:4.3.0-python3",
                "resources": {"requests": {"cpu": "1", "memory": "1408Mi"}},
            }
        ]
    }
    if node_selector:
        spec["nodeSelector"] = node_selector
    else:
        spec["nodeName"] = NODE_NAME
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {SESSION_LABEL: session, DRIVER_LABEL: DRIVER_POD, "spark-role": "executor"},
            "annotations": annotations or {},
        },
        "spec": spec,
    }


def test_cluster_discovery_under_the_shipped_role(service, namespace):
    status, info = service.request("GET", "/cluster")
    assert status == 200
    assert info["available"] is True
    assert info["namespace"] == namespace.name
    assert info["version"] == "v1.33.13"
    assert info["server"] == namespace.cluster.info["server"]
    assert info["operators"] == {"kubeflow": True, "apache": True}
    assert info["pod"] == {"name": DRIVER_POD, "ip": "127.0.0.1", "missing": []}
    assert info["auth"] == {"tokenFile": str(namespace.token_file), "caFile": namespace.cluster.info["ca"]}
    for feature, verdict in info["permissions"].items():
        assert verdict == {"allowed": True, "missing": []}, feature


def test_the_shipped_role_refuses_what_it_does_not_grant(kube, namespace):
    token = namespace.token
    assert kube.request("GET", "/api/v1/nodes", token=token)[0] == 403
    assert kube.request("GET", "/api/v1/namespaces/default/pods", token=token)[0] == 403
    assert kube.request("DELETE", "/api/v1/namespaces/%s/secrets/x" % namespace.name, token=token)[0] == 403
    assert (
        kube.request(
            "POST",
            "/api/v1/namespaces/%s/services" % namespace.name,
            {"metadata": {"name": "x"}, "spec": {"ports": [{"port": 80}]}},
            token=token,
        )[0]
        == 403
    )


def test_without_the_role_the_service_says_which_permission_is_missing(
    cluster, kube, tmp_path_factory, tmp_path
):
    empty_rbac = tmp_path / "none.yaml"
    empty_rbac.write_text("")
    ns = make_namespace(cluster, kube, tmp_path_factory, rbac=empty_rbac, prefix="norole")
    svc = Service(ns.kubeconfig, {"POD_IP": "10.0.0.9"})
    try:
        status, info = svc.request("GET", "/cluster")
        assert status == 200 and info["available"]
        assert info["permissions"]["session"]["allowed"] is False
        assert "create pods" in info["permissions"]["session"]["missing"]
        assert "get secrets" in info["permissions"]["secrets"]["missing"]
        status, err = svc.request("DELETE", "/sessions/abc/pods")
        assert status == 403
        assert err["code"] == "Forbidden"
        assert err["message"] == 'This service account may not delete pods in namespace "%s".' % ns.name
        assert "deploy/rbac.yaml" in err["hint"]
    finally:
        svc.stop()


def test_unreachable_api_server_is_a_clear_answer(tmp_path, namespace):
    bad = tmp_path / "bad.kubeconfig"
    bad.write_text(
        namespace.kubeconfig.read_text().replace(namespace.cluster.info["server"], "https://127.0.0.1:1")
    )
    svc = Service(bad)
    try:
        status, info = svc.request("GET", "/cluster")
        assert status == 200 and info["available"] is False
        assert "cannot be reached" in info["reason"]
    finally:
        svc.stop()


def test_stream_delivers_phase_changes_and_pending_reasons(service, kube, namespace):
    session = uuid.uuid4().hex
    stream = service.events(session)
    try:
        _, event, data = stream.next(lambda e, d: e == "snapshot")
        assert data["pods"] == []
        kube.ok("POST", "/api/v1/namespaces/%s/pods" % namespace.name, executor_pod("exec-1", session))
        _, _, pod = stream.next(lambda e, d: e == "pod" and d["name"] == "exec-1")
        assert pod["cpu"] == "1" and pod["memory"] == "1408Mi"
        _, _, pod = stream.next(lambda e, d: e == "pod" and d["phase"] == "Running" and d["ready"])
        assert pod["node"] == NODE_NAME and pod["reason"] is None

        # A pod no node fits: the scheduler's FailedScheduling message is the reason.
        kube.ok(
            "POST",
            "/api/v1/namespaces/%s/pods" % namespace.name,
            executor_pod("exec-2", session, node_selector={"gpu": "a100"}),
        )
        _, _, pod = stream.next(
            lambda e, d: (
                e == "pod"
                and d["name"] == "exec-2"
                and d["reason"]
                and "Not scheduled" in d["reason"]
                and "node" in d["reason"]
            ),
            timeout=90,
        )
        assert pod["phase"] == "Pending"

        kube.ok("DELETE", "/api/v1/namespaces/%s/pods/exec-2?gracePeriodSeconds=0" % namespace.name)
        stream.next(lambda e, d: e == "pod-deleted" and d["name"] == "exec-2")
    finally:
        stream.close()
    status, out = service.request("DELETE", "/sessions/%s/pods" % session)
    assert status == 200 and out == {"deleted": 1}


def test_stream_survives_an_api_server_restart(service, kube, namespace, cluster):
    session = uuid.uuid4().hex
    stream = service.events(session)
    try:
        stream.next(lambda e, d: e == "snapshot")
        cluster.restart_apiserver(down_seconds=2)
        kube.ok("POST", "/api/v1/namespaces/%s/pods" % namespace.name, executor_pod("after-restart", session))
        stream.next(lambda e, d: e == "pod" and d["name"] == "after-restart", timeout=90)
    finally:
        stream.close()
        service.request("DELETE", "/sessions/%s/pods" % session)


def test_reaper_deletes_pods_whose_kernel_is_gone(service, kube, namespace):
    kernel = subprocess.Popen(["sleep", "600"])
    with open("/proc/%d/stat" % kernel.pid) as f:
        stat = f.read()
    start = stat[stat.rindex(")") + 2 :].split(" ")[19]
    session = uuid.uuid4().hex
    annotations = {
        "spark-k8s.jupyter.org/kernel-pid": str(kernel.pid),
        "spark-k8s.jupyter.org/kernel-start": start,
    }
    for i in range(2):
        kube.ok(
            "POST",
            "/api/v1/namespaces/%s/pods" % namespace.name,
            executor_pod("orphan-%d" % i, session, annotations),
        )
    path = "/api/v1/namespaces/%s/pods?labelSelector=%s%%3D%s" % (namespace.name, SESSION_LABEL, session)
    time.sleep(2)
    assert len(kube.ok("GET", path)["items"]) == 2  # the kernel lives: pods stay
    kernel.send_signal(signal.SIGKILL)
    kernel.wait()
    kube.wait(lambda: not kube.ok("GET", path)["items"], timeout=60, what="the reaper")
    # The reaper logs after its delete call returns, which may be after the pods are gone.
    kube.wait(
        lambda: "reaper: deleted 2 executor pod(s) of session %s" % session in service.logs(),
        timeout=10,
        what="the reaper's log line",
    )


def test_secrets_are_listed_by_name_and_key_never_value(service, kube, namespace):
    import base64
    import json

    value = "s3cr3t-value-never-shown"
    kube.ok(
        "POST",
        "/api/v1/namespaces/%s/secrets" % namespace.name,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "warehouse"},
            "data": {
                "password": base64.b64encode(value.encode()).decode(),
                "user": base64.b64encode(b"etl").decode(),
            },
        },
    )
    status, body = service.request("GET", "/secrets")
    assert status == 200
    assert {"name": "warehouse", "keys": ["password", "user"]} in body["secrets"]
    text = json.dumps(body)
    assert value not in text and base64.b64encode(value.encode()).decode() not in text
