"""Multi-user privilege against the real API server, under exactly what deploy/ ships.

Layout (deploy/): each user has a namespace with the template deploy/rbac.yaml applied
in it; the hub lives in its own namespace; the cluster-wide ValidatingAdmissionPolicy
in deploy/policy.yaml holds what the notebook's account ("jupyter") and a published
driver's account ("spark-driver") may put in a pod. Every refusal below is a REAL
attempt with the account's own token, besides a SubjectAccessReview of the same.
"""

import base64
import json
import os
import signal
import subprocess
import uuid

import pytest
import yaml

from .conftest import DRIVER_POD, NODE_NAME, REPO, Service, make_namespace

SESSION_LABEL = "spark-k8s.jupyter.org/session"
DRIVER_LABEL = "spark-k8s.jupyter.org/driver-pod"
PID_ANNOTATION = "spark-k8s.jupyter.org/kernel-pid"
POD_SECURITY = ("pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/enforce-version")
MAPPED = "mapped-db"  # one of the Secrets the test deployment maps (cluster.TEST_SECRETS)
DEPLOY = REPO / "deploy"


def secret(name, **data):
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }


def executor(name, session="s-1", sa="spark-executor", image="apache/spark:4.3.0-python3", **spec):
    """A pod as Spark's scheduler backend creates it for a notebook session."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {"spark-role": "executor", SESSION_LABEL: session, DRIVER_LABEL: DRIVER_POD},
        },
        "spec": {
            "serviceAccountName": sa,
            "nodeName": NODE_NAME,
            "containers": [{"name": "spark-kubernetes-executor", "image": image}],
        },
    }
    pod["spec"].update(spec)
    return pod


@pytest.fixture(scope="module")
def hub(cluster, kube):
    """The hub's namespace as zero-to-jupyterhub makes it: the hub pod and its Secret."""
    name = "hub-%s" % uuid.uuid4().hex[:8]
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    kube.apply(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}}
    )
    kube.ok(
        "POST", "/api/v1/namespaces/%s/secrets" % name, secret("hub", **{"hub.config.CookieSecret": "c00kie"})
    )
    kube.ok(
        "POST",
        "/api/v1/namespaces/%s/pods" % name,
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "hub", "labels": {"app": "jupyterhub", "component": "hub"}},
            "spec": {"nodeName": NODE_NAME, "containers": [{"name": "hub", "image": "jupyterhub/k8s-hub"}]},
        },
    )
    return name


@pytest.fixture(scope="module")
def alice(cluster, kube, tmp_path_factory):
    ns = make_namespace(cluster, kube, tmp_path_factory, prefix="alice")
    kube.ok("POST", "/api/v1/namespaces/%s/secrets" % ns.name, secret(MAPPED, password="mapped-pw"))
    kube.ok("POST", "/api/v1/namespaces/%s/secrets" % ns.name, secret("unmapped", password="other-pw"))
    return ns


@pytest.fixture(scope="module")
def bob(cluster, kube, tmp_path_factory):
    ns = make_namespace(cluster, kube, tmp_path_factory, prefix="bob")
    kube.ok("POST", "/api/v1/namespaces/%s/pods" % ns.name, executor("bob-exec-1"))
    return ns


def sar(kube, namespace, sa, verb, resource, target_ns, name=None, subresource=None):
    """A SubjectAccessReview for service account `sa` of `namespace`: allowed?"""
    attrs = {"namespace": target_ns, "verb": verb, "resource": resource, "group": ""}
    if name:
        attrs["name"] = name
    if subresource:
        attrs["subresource"] = subresource
    review = kube.ok(
        "POST",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": "system:serviceaccount:%s:%s" % (namespace, sa),
                "groups": ["system:serviceaccounts", "system:serviceaccounts:%s" % namespace],
                "resourceAttributes": attrs,
            },
        },
    )
    return review["status"].get("allowed", False)


def test_access_reviews_grant_only_the_users_own_namespace(kube, hub, alice, bob):
    a = alice.name
    # The hub's namespace: nothing.
    assert not sar(kube, a, "jupyter", "get", "secrets", hub, "hub")
    assert not sar(kube, a, "jupyter", "list", "secrets", hub)
    for verb in ("create", "delete", "deletecollection"):
        assert not sar(kube, a, "jupyter", verb, "pods", hub), verb
    assert not sar(kube, a, "jupyter", "patch", "configmaps", hub)
    # Another user's namespace: nothing.
    assert not sar(kube, a, "jupyter", "delete", "pods", bob.name, "bob-exec-1")
    assert not sar(kube, a, "jupyter", "get", "pods", bob.name, "bob-exec-1", "log")
    assert not sar(kube, a, "jupyter", "get", "secrets", bob.name, MAPPED)
    # Own namespace: the mapped Secrets by name, no other, and no listing.
    assert sar(kube, a, "jupyter", "get", "secrets", a, MAPPED)
    assert not sar(kube, a, "jupyter", "get", "secrets", a, "unmapped")
    assert not sar(kube, a, "jupyter", "list", "secrets", a)
    assert not sar(kube, a, "jupyter", "watch", "secrets", a)
    # Executors have no permissions at all.
    assert not sar(kube, a, "spark-executor", "get", "pods", a)
    assert not sar(kube, a, "spark-executor", "get", "secrets", a, MAPPED)
    # What Spark needs in the own namespace is granted (the policy holds what goes in a pod).
    for verb in ("create", "delete", "list", "watch"):
        assert sar(kube, a, "jupyter", verb, "pods", a), verb


def test_real_attempts_outside_the_own_namespace_are_refused(kube, hub, alice, bob):
    t = alice.token
    assert kube.request("GET", "/api/v1/namespaces/%s/secrets/hub" % hub, token=t)[0] == 403
    assert kube.request("GET", "/api/v1/namespaces/%s/secrets" % hub, token=t)[0] == 403
    assert kube.request("DELETE", "/api/v1/namespaces/%s/pods/hub" % hub, token=t)[0] == 403
    assert kube.request("DELETE", "/api/v1/namespaces/%s/pods" % hub, token=t)[0] == 403
    assert kube.request("POST", "/api/v1/namespaces/%s/pods" % hub, executor("x"), token=t)[0] == 403
    assert kube.request("DELETE", "/api/v1/namespaces/%s/pods/bob-exec-1" % bob.name, token=t)[0] == 403
    assert kube.request("GET", "/api/v1/namespaces/%s/pods/bob-exec-1/log" % bob.name, token=t)[0] == 403
    assert kube.request("GET", "/api/v1/namespaces/%s/secrets/%s" % (bob.name, MAPPED), token=t)[0] == 403
    # Nothing was touched.
    assert kube.request("GET", "/api/v1/namespaces/%s/pods/hub" % hub)[0] == 200
    assert kube.request("GET", "/api/v1/namespaces/%s/pods/bob-exec-1" % bob.name)[0] == 200


def test_only_mapped_secrets_are_readable(kube, alice):
    t, ns = alice.token, alice.name
    status, body = kube.request("GET", "/api/v1/namespaces/%s/secrets/%s" % (ns, MAPPED), token=t)
    assert status == 200 and base64.b64decode(body["data"]["password"]) == b"mapped-pw"
    assert kube.request("GET", "/api/v1/namespaces/%s/secrets/unmapped" % ns, token=t)[0] == 403
    assert kube.request("GET", "/api/v1/namespaces/%s/secrets" % ns, token=t)[0] == 403


def create(kube, ns, pod, token):
    return kube.request("POST", "/api/v1/namespaces/%s/pods" % ns, pod, token=token)


REFUSED = [
    (
        "privileged",
        lambda p: p["spec"]["containers"][0].update(securityContext={"privileged": True}),
        "privileged",
    ),
    (
        "capabilities",
        lambda p: p["spec"]["containers"][0].update(securityContext={"capabilities": {"add": ["SYS_ADMIN"]}}),
        "capabilities",
    ),
    (
        "hostPath",
        lambda p: p["spec"].update(volumes=[{"name": "root", "hostPath": {"path": "/"}}]),
        "hostPath",
    ),
    (
        "nfs",
        lambda p: p["spec"].update(volumes=[{"name": "n", "nfs": {"server": "10.0.0.1", "path": "/"}}]),
        "may mount only",
    ),
    ("hostNetwork", lambda p: p["spec"].update(hostNetwork=True), "hostNetwork"),
    ("hostPID", lambda p: p["spec"].update(hostPID=True), "hostPID"),
    ("hostIPC", lambda p: p["spec"].update(hostIPC=True), "hostIPC"),
    (
        "hostPort",
        lambda p: p["spec"]["containers"][0].update(ports=[{"containerPort": 22, "hostPort": 22}]),
        "hostPort",
    ),
    ("notebook-account", lambda p: p["spec"].update(serviceAccountName="jupyter"), "not jupyter"),
    ("driver-account", lambda p: p["spec"].update(serviceAccountName="spark-driver"), "not spark-driver"),
    ("default-account", lambda p: p["spec"].pop("serviceAccountName"), "not default"),
    ("image", lambda p: p["spec"]["containers"][0].update(image="evil/miner:latest"), "evil/miner:latest"),
    (
        "init-image",
        lambda p: p["spec"].update(initContainers=[{"name": "i", "image": "apache/spark-evil:1"}]),
        "apache/spark-evil:1",
    ),
    ("not-spark", lambda p: p["metadata"]["labels"].pop("spark-role"), "only Spark executor pods"),
    (
        "driver-role",
        lambda p: p["metadata"]["labels"].update({"spark-role": "driver"}),
        "only Spark executor",
    ),
    ("no-session", lambda p: p["metadata"]["labels"].pop(SESSION_LABEL), SESSION_LABEL),
    (
        "unmapped-secret-volume",
        lambda p: p["spec"].update(volumes=[{"name": "s", "secret": {"secretName": "unmapped"}}]),
        "Secrets this account may read",
    ),
    (
        "unmapped-secret-projected",
        lambda p: p["spec"].update(
            volumes=[{"name": "s", "projected": {"sources": [{"secret": {"name": "unmapped"}}]}}]
        ),
        "Secrets this account may read",
    ),
    (
        "unmapped-secret-env",
        lambda p: p["spec"]["containers"][0].update(
            env=[{"name": "X", "valueFrom": {"secretKeyRef": {"name": "unmapped", "key": "password"}}}]
        ),
        "Secrets this account may read",
    ),
    (
        "unmapped-secret-envFrom",
        lambda p: p["spec"]["containers"][0].update(envFrom=[{"secretRef": {"name": "unmapped"}}]),
        "Secrets this account may read",
    ),
]


@pytest.fixture(scope="module")
def without_pod_security(cluster, kube, tmp_path_factory):
    """A user namespace whose pod-security labels were lost: the policy alone holds pods."""
    ns = make_namespace(cluster, kube, tmp_path_factory, prefix="nopsa")
    kube.ok(
        "PATCH",
        "/api/v1/namespaces/%s" % ns.name,
        {"metadata": {"labels": {k: None for k in POD_SECURITY}}},
        content_type="application/merge-patch+json",
    )
    kube.ok("POST", "/api/v1/namespaces/%s/secrets" % ns.name, secret(MAPPED, password="mapped-pw"))
    kube.ok("POST", "/api/v1/namespaces/%s/secrets" % ns.name, secret("unmapped", password="other-pw"))
    return ns


@pytest.mark.parametrize("layers", ["pod-security+policy", "policy"])
@pytest.mark.parametrize("case,change,needle", REFUSED, ids=[c[0] for c in REFUSED])
def test_the_policy_refuses_pods_that_are_not_plain_spark_executors(
    kube, alice, without_pod_security, layers, case, change, needle
):
    ns = alice if layers == "pod-security+policy" else without_pod_security
    pod = executor("bad-%s" % case.lower())
    change(pod)
    status, out = create(kube, ns.name, pod, ns.token)
    assert status == 403, out
    assert needle in out["message"], out["message"]
    if layers == "policy":
        assert "ValidatingAdmissionPolicy 'spark-k8s-pods'" in out["message"], out["message"]
    assert kube.request("GET", "/api/v1/namespaces/%s/pods/%s" % (ns.name, pod["metadata"]["name"]))[0] == 404


def test_the_policy_admits_what_spark_creates_and_deletes_only_executors(kube, alice):
    ns, t = alice.name, alice.token
    pod = executor(
        "good-exec",
        volumes=[
            {"name": "spark-local-dir-1", "emptyDir": {}},
            {"name": "spark-conf-volume-exec", "configMap": {"name": "spark-exec-conf"}},
        ],
    )
    pod["spec"]["containers"][0]["env"] = [
        {"name": "SPARK_K8S_SECRET_X", "valueFrom": {"secretKeyRef": {"name": MAPPED, "key": "password"}}},
        {"name": "SPARK_EXECUTOR_POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
    ]
    status, out = create(kube, ns, pod, t)
    assert status == 201, out
    # Its own Jupyter pod is not an executor: the notebook's account may not delete it.
    status, out = kube.request("DELETE", "/api/v1/namespaces/%s/pods/%s" % (ns, DRIVER_POD), token=t)
    assert status == 403 and "only Spark executor pods" in out["message"], out
    # Nor by label selector (deletecollection is admitted pod by pod).
    status, out = kube.request(
        "DELETE", "/api/v1/namespaces/%s/pods?labelSelector=component%%3Dsingleuser-server" % ns, token=t
    )
    assert status == 403 and "only Spark executor pods" in out["message"], out
    # Deleting by label (as Spark and the service do) deletes its executors.
    status, out = kube.request(
        "DELETE", "/api/v1/namespaces/%s/pods?labelSelector=%s%%3Ds-1" % (ns, SESSION_LABEL), token=t
    )
    assert status == 200, out
    kube.wait(
        lambda: kube.request("GET", "/api/v1/namespaces/%s/pods/good-exec" % ns)[0] == 404,
        timeout=30,
        what="the executor deleted",
    )
    assert kube.request("GET", "/api/v1/namespaces/%s/pods/%s" % (ns, DRIVER_POD))[0] == 200


def test_a_published_driver_creates_executors_of_its_application_only(kube, alice):
    ns = alice.name
    token = kube.ok(
        "POST",
        "/api/v1/namespaces/%s/serviceaccounts/spark-driver/token" % ns,
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": 600},
        },
    )["status"]["token"]
    pod = executor("app-exec-1")
    pod["metadata"]["labels"] = {"spark-role": "executor", "spark-app-selector": "spark-123"}
    status, out = create(kube, ns, pod, token)
    assert status == 201, out
    bad = executor("app-exec-2")
    bad["metadata"]["labels"] = {"spark-role": "executor"}
    status, out = create(kube, ns, bad, token)
    assert status == 403 and "spark-app-selector" in out["message"], out
    bad = executor("app-exec-3", sa="spark-driver")
    bad["metadata"]["labels"]["spark-app-selector"] = "spark-123"
    status, out = create(kube, ns, bad, token)
    assert status == 403 and "spark-executor" in out["message"], out
    assert kube.request("DELETE", "/api/v1/namespaces/%s/pods/app-exec-1" % ns, token=token)[0] == 200


def test_pods_the_operator_creates_in_a_user_namespace_meet_the_baseline(kube, alice):
    """A user's SparkApplication is turned into pods by the operator's own account (here the
    admin's): the namespace's pod security ("baseline") still refuses privileged, hostPath
    and host-network pods."""
    ns = alice.name
    for name, change in (
        ("psa-privileged", lambda p: p["spec"]["containers"][0].update(securityContext={"privileged": True})),
        ("psa-hostpath", lambda p: p["spec"].update(volumes=[{"name": "r", "hostPath": {"path": "/"}}])),
        ("psa-hostnetwork", lambda p: p["spec"].update(hostNetwork=True)),
    ):
        pod = executor(name, sa="spark-driver")
        pod["metadata"]["labels"] = {"spark-role": "driver"}
        change(pod)
        status, out = kube.request("POST", "/api/v1/namespaces/%s/pods" % ns, pod)
        assert status == 403 and 'violates PodSecurity "baseline:latest"' in out["message"], (name, out)
    plain = executor("psa-driver", sa="spark-driver")
    plain["metadata"]["labels"] = {"spark-role": "driver"}
    assert kube.request("POST", "/api/v1/namespaces/%s/pods" % ns, plain)[0] == 201
    kube.request("DELETE", "/api/v1/namespaces/%s/pods/psa-driver" % ns)


def test_the_service_offers_only_the_mapped_secrets(alice):
    svc = Service(alice.kubeconfig)
    try:
        status, body = svc.request("GET", "/secrets")
        assert status == 200, body
        assert {"name": MAPPED, "keys": ["password"]} in body["secrets"]
        names = [s["name"] for s in body["secrets"]]
        assert "unmapped" not in names
        text = json.dumps(body)
        assert "mapped-pw" not in text and "other-pw" not in text
    finally:
        svc.stop()


# --- the reaper -----------------------------------------------------------------------------


def dead_pid():
    """A pid that is certainly not running (a finished child's)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_the_reaper_deletes_only_its_own_pods_executors(kube, alice):
    ns = alice.name
    session = uuid.uuid4().hex
    gone = {PID_ANNOTATION: str(dead_pid())}
    mine = executor("reap-mine", session=session)
    mine["metadata"]["annotations"] = gone
    # Another Jupyter pod's executor with the same session id and a dead pid (as seen here).
    other = executor("reap-other", session=session)
    other["metadata"]["labels"][DRIVER_LABEL] = "jupyter-bob"
    other["metadata"]["annotations"] = gone
    for pod in (mine, other):
        kube.ok("POST", "/api/v1/namespaces/%s/pods" % ns, pod)
    svc = Service(alice.kubeconfig)
    try:
        kube.wait(
            lambda: kube.request("GET", "/api/v1/namespaces/%s/pods/reap-mine" % ns)[0] == 404,
            timeout=30,
            what="the reaper to delete its own orphan",
        )
        assert "reaper: deleted 1 executor pod(s) of session %s" % session in svc.logs()
        assert kube.request("GET", "/api/v1/namespaces/%s/pods/reap-other" % ns)[0] == 200
    finally:
        svc.stop()
        kube.request("DELETE", "/api/v1/namespaces/%s/pods/reap-other" % ns)


def test_without_a_pod_name_the_reaper_does_not_run(kube, alice):
    ns = alice.name
    session = uuid.uuid4().hex
    pod = executor("reap-anon", session=session)
    pod["metadata"]["annotations"] = {PID_ANNOTATION: str(dead_pid())}
    kube.ok("POST", "/api/v1/namespaces/%s/pods" % ns, pod)
    svc = Service(alice.kubeconfig, {"POD_NAME": ""})
    try:
        kube.wait(lambda: "reaper: not running" in svc.logs(), timeout=20, what="the reaper's refusal")
        assert "POD_NAME" in svc.logs()
        assert kube.request("GET", "/api/v1/namespaces/%s/pods/reap-anon" % ns)[0] == 200
        assert svc.proc.poll() is None
    finally:
        svc.stop()
        kube.request("DELETE", "/api/v1/namespaces/%s/pods/reap-anon" % ns)


# --- a real Spark session under the shipped manifests ----------------------------------------


def test_a_real_session_runs_authenticated_executors_as_the_executor_account(kube, alice):
    from .test_spark_session import running, session_conf, start_kernel, wait_ready

    svc = Service(alice.kubeconfig)
    kernel = None
    try:
        _, info = svc.request("GET", "/cluster")
        session = uuid.uuid4().hex
        conf = session_conf(alice, session, info)
        assert conf["spark.authenticate"] == "true"
        assert conf["spark.network.crypto.enabled"] == "true"
        assert not any("secret" in k and "authenticate" in k for k in conf), conf
        kernel = start_kernel(conf)
        wait_ready(kernel)
        pods = kube.wait(lambda: running(kube, alice, session, 2), timeout=120, what="2 Running executors")
        for pod in pods:
            assert pod["spec"]["serviceAccountName"] == "spark-executor"
            env = {e["name"]: e for e in pod["spec"]["containers"][0].get("env", [])}
            # Spark generated the application's secret and handed it to its executors only.
            assert env.get("_SPARK_AUTH_SECRET", {}).get("value"), json.dumps(pod["spec"])
            secret_value = env["_SPARK_AUTH_SECRET"]["value"]
            assert secret_value not in json.dumps(conf)
            assert secret_value not in json.dumps(info)
    finally:
        if kernel and kernel.poll() is None:
            os.killpg(kernel.pid, signal.SIGKILL)
            kernel.wait()
        svc.stop()


# --- the manifests ----------------------------------------------------------------------------

USER_ACCOUNTS = ("jupyter", "spark-driver", "spark-executor")


def manifest_problems(docs):
    """What makes a set of manifests unsafe for many users; [] when none.

    For every Role or ClusterRole bound to a user's account (the notebook's, a driver's,
    an executor's): Secrets granted without resourceNames (an empty list means all), and
    pods or Secrets granted in a namespace the manifests pin (the hub's, shared by every
    user) or cluster-wide. A template that names no namespace is applied into each
    user's own namespace only.
    """
    roles = {
        (d["kind"], d["metadata"]["name"]): d for d in docs if d and d.get("kind") in ("Role", "ClusterRole")
    }
    problems = []
    for binding in docs:
        if not binding or binding.get("kind") not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        users = [
            s["name"]
            for s in binding.get("subjects", [])
            if s.get("kind") == "ServiceAccount" and s["name"] in USER_ACCOUNTS
        ]
        if not users:
            continue
        ref = binding["roleRef"]
        role = roles.get((ref["kind"], ref["name"]))
        if role is None:
            problems.append(
                "%s %s binds a Role deploy/ does not ship" % (binding["kind"], binding["metadata"]["name"])
            )
            continue
        where = (
            "every namespace"
            if binding["kind"] == "ClusterRoleBinding"
            else binding["metadata"].get("namespace") or role["metadata"].get("namespace")
        )
        name = "%s %s" % (role["kind"], role["metadata"]["name"])
        for rule in role.get("rules", []):
            resources = set(rule.get("resources", []))
            if resources & {"secrets", "*"} and not rule.get("resourceNames"):
                problems.append("%s grants secrets without resourceNames" % name)
            if resources & {"pods", "secrets", "*"} and where:
                problems.append("%s grants %s in %s" % (name, ", ".join(sorted(resources)), where))
    return sorted(set(problems))


def shipped_docs():
    docs = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name != "z2jh-values.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_the_shipped_manifests_grant_no_secrets_without_names_and_no_shared_pods():
    docs = shipped_docs()
    assert [d for d in docs if d["kind"] == "ValidatingAdmissionPolicy"], "deploy/ ships no pod policy"
    assert manifest_problems(docs) == []
    # The per-user template names no namespace: it is applied into each user's, only.
    for doc in yaml.safe_load_all((DEPLOY / "rbac.yaml").read_text()):
        if doc:
            assert "namespace" not in doc["metadata"], doc["metadata"]
            for s in doc.get("subjects", []):
                assert "namespace" not in s
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
    kubespawner = values["hub"]["config"]["KubeSpawner"]
    assert kubespawner["enable_user_namespaces"] is True
    assert values["singleuser"]["serviceAccountName"] == "jupyter"


def test_the_manifest_check_refuses_the_shared_namespace_layout():
    """The check fails on the single shared Role of before (and on an empty resourceNames)."""
    old = subprocess.run(
        ["git", "show", "9107fc1:deploy/rbac.yaml"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    problems = manifest_problems(list(yaml.safe_load_all(old)))
    assert "Role jupyterlab-spark-k8s grants secrets without resourceNames" in problems
    assert any("grants" in p and "pods" in p and "in jupyter" in p for p in problems), problems
    empty = {
        "kind": "Role",
        "metadata": {"name": "r"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": [], "verbs": ["get"]}],
    }
    bind = {
        "kind": "RoleBinding",
        "metadata": {"name": "r"},
        "roleRef": {"kind": "Role", "name": "r"},
        "subjects": [{"kind": "ServiceAccount", "name": "jupyter"}],
    }
    assert manifest_problems([empty, bind]) == ["Role r grants secrets without resourceNames"]
    cluster_wide = dict(bind, kind="ClusterRoleBinding", roleRef={"kind": "ClusterRole", "name": "r"})
    assert manifest_problems([dict(empty, kind="ClusterRole"), cluster_wide]) == [
        "ClusterRole r grants secrets in every namespace",
        "ClusterRole r grants secrets without resourceNames",
    ]


def test_the_hub_applies_the_template_with_the_shipped_hub_role(cluster, kube, hub):
    """deploy/user_namespace.py, as the hub's pre-spawn hook runs it, under deploy/hub-rbac.yaml."""
    import sys

    sys.path.insert(0, str(REPO / "tests" / "cluster"))
    from cluster import service_account_token, user_namespace_module

    mod = user_namespace_module()
    kube.apply({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "hub", "namespace": hub}})
    for doc in yaml.safe_load_all((DEPLOY / "hub-rbac.yaml").read_text()):
        for subject in doc.get("subjects", []):
            subject["namespace"] = hub
        kube.apply(doc)
    hub_token = service_account_token(kube, hub, "hub", 600)
    user_ns = "jupyter-carol-%s" % uuid.uuid4().hex[:6]
    template = (DEPLOY / "rbac.yaml").read_text()
    docs = mod.render(template, user_ns, ["warehouse"], hub_namespace=hub)
    mod.apply(docs, cluster.info["server"], hub_token, cluster.info["ca"])
    mod.apply(docs, cluster.info["server"], hub_token, cluster.info["ca"])  # idempotent
    assert sar(kube, user_ns, "jupyter", "get", "secrets", user_ns, "warehouse")
    assert not sar(kube, user_ns, "jupyter", "get", "secrets", user_ns, "other")
    assert sar(kube, user_ns, "jupyter", "create", "pods", user_ns)
    assert not sar(kube, user_ns, "jupyter", "create", "pods", hub)
    netpol = kube.ok(
        "GET", "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies/jupyterlab-spark-k8s" % user_ns
    )
    assert netpol["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": hub
    }
    ns = kube.ok("GET", "/api/v1/namespaces/%s" % user_ns)
    assert ns["metadata"]["labels"][mod.NAMESPACE_LABEL] == "true"
    # Refused: an empty list of Secrets (it would grant them all), nothing applied.
    with pytest.raises(ValueError, match="at least one Secret"):
        mod.render(template, "jupyter-dave", [])
    assert kube.request("GET", "/api/v1/namespaces/jupyter-dave")[0] == 404
    # The notebook's account cannot change its own Roles.
    user_token = service_account_token(kube, user_ns, "jupyter", 600)
    with pytest.raises(RuntimeError, match="forbidden"):
        mod.apply(docs[1:], cluster.info["server"], user_token, cluster.info["ca"])


def test_published_applications_authenticate_and_run_executors_as_the_executor_account(tmp_path):
    """What `spark-k8s manifest` (the publish dialog's builder) writes: no secret in it."""
    from .test_operator import manifests

    app = manifests(tmp_path, "etl-auth", "jupyter-alice")["SparkApplication"]
    conf = app["spec"]["sparkConf"]
    assert conf["spark.authenticate"] == "true"
    assert conf["spark.network.crypto.enabled"] == "true"
    assert conf["spark.kubernetes.authenticate.executor.serviceAccountName"] == "spark-executor"
    assert app["spec"]["driver"]["serviceAccount"] == "spark-driver"
    assert not [k for k in conf if k.startswith("spark.authenticate.secret")]


# --- SparkConnect servers ("sparkconnect" profiles) ------------------------------------------

SPARKCONNECT_VERBS = ["get", "list", "watch", "create", "patch", "delete"]


def sar_in_group(kube, namespace, sa, verb, group, resource, target_ns, subresource=None):
    attrs = {"namespace": target_ns, "verb": verb, "resource": resource, "group": group}
    if subresource:
        attrs["subresource"] = subresource
    review = kube.ok(
        "POST",
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {
                "user": "system:serviceaccount:%s:%s" % (namespace, sa),
                "groups": ["system:serviceaccounts", "system:serviceaccounts:%s" % namespace],
                "resourceAttributes": attrs,
            },
        },
    )
    return review["status"].get("allowed", False)


def test_the_role_grants_on_sparkconnects_exactly_what_the_service_does(kube, alice, bob):
    """The service creates, watches, patches (the idle clock) and deletes the user's
    SparkConnects (tests/integration/test_sparkconnect.py does all of it under this Role);
    nothing more, in the own namespace only, and no other account may."""
    rules = [
        rule
        for doc in yaml.safe_load_all((DEPLOY / "rbac.yaml").read_text())
        if doc and doc["kind"] in ("Role", "ClusterRole")
        for rule in doc.get("rules", [])
        if "sparkconnects" in rule["resources"] or "sparkoperator.k8s.io" in rule.get("apiGroups", [])
    ]
    assert {
        "apiGroups": ["sparkoperator.k8s.io"],
        "resources": ["sparkconnects"],
        "verbs": SPARKCONNECT_VERBS,
    } in rules
    assert all(r["resources"] != ["sparkconnects"] or r["verbs"] == SPARKCONNECT_VERBS for r in rules), rules
    g, a = "sparkoperator.k8s.io", alice.name
    for verb in SPARKCONNECT_VERBS:
        assert sar_in_group(kube, a, "jupyter", verb, g, "sparkconnects", a), verb
        assert not sar_in_group(kube, a, "jupyter", verb, g, "sparkconnects", bob.name), verb
    for verb in ("update", "deletecollection"):
        assert not sar_in_group(kube, a, "jupyter", verb, g, "sparkconnects", a), verb
    assert not sar_in_group(kube, a, "jupyter", "update", g, "sparkconnects", a, subresource="status")
    for sa in ("spark-driver", "spark-executor"):
        assert not sar_in_group(kube, a, sa, "create", g, "sparkconnects", a), sa
    # A real attempt in another user's namespace.
    body = {
        "apiVersion": "sparkoperator.k8s.io/v1alpha1",
        "kind": "SparkConnect",
        "metadata": {"name": "sc-intruder"},
        "spec": {"sparkVersion": "4.0.1", "image": "apache/spark:4.0.1", "server": {}, "executor": {}},
    }
    path = "/apis/sparkoperator.k8s.io/v1alpha1/namespaces/%s/sparkconnects" % bob.name
    assert kube.request("POST", path, body, token=alice.token)[0] == 403


def test_the_policy_admits_a_sparkconnect_servers_executors(kube, alice):
    """The operator creates the server pod (its own account; the namespace's pod security
    holds it); the server runs as spark-driver and creates its executors as Spark labels them,
    as the executor account: the policy admits them, and their deletion."""
    ns = alice.name
    token = kube.ok(
        "POST",
        "/api/v1/namespaces/%s/serviceaccounts/spark-driver/token" % ns,
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": 600},
        },
    )["status"]["token"]
    pod = executor("sc-1-exec-1", volumes=[{"name": "spark-local-dir-1", "emptyDir": {}}])
    pod["metadata"]["labels"].update(
        {
            "spark-app-selector": "spark-0123",
            "sparkoperator.k8s.io/connect-name": "sc-1",
            "sparkoperator.k8s.io/launched-by-spark-operator": "true",
        }
    )
    status, out = create(kube, ns, pod, token)
    assert status == 201, out
    assert kube.request("DELETE", "/api/v1/namespaces/%s/pods/sc-1-exec-1" % ns, token=token)[0] == 200
