"""A real Kubernetes control plane on loopback for the tests.

etcd 3.5, kube-apiserver, kube-scheduler and kube-controller-manager v1.33
(built by build.sh from Go modules; the controller manager runs only the
garbage collector, so ownerReferences cascade) and kwok, which plays the kubelet
of one fake node so pods reach Running (kwok-stages.yaml: Spark driver pods then
end Succeeded, or Failed with a termination message; as the node's kubelet server
it serves DRIVER_LOG as every driver's pods/log). Static-token auth for the
admin; service accounts get real tokens through the TokenRequest API. The Spark
operator CRDs from ../shared/crds are installed so manifests are validated by
the real API server, and the real kubeflow Spark operator controller runs out of
cluster (webhook off) for namespaces labelled OPERATOR_LABEL, submitting with
PySpark's own spark-submit; its log is spark-operator.log in the state dir.

    python tests/cluster/cluster.py start STATE_DIR   # prints the env to use
    python tests/cluster/cluster.py stop STATE_DIR
    python tests/cluster/cluster.py lab-env STATE_DIR  # namespace "lab"; prints env
"""

import contextlib
import json
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SHARED = pathlib.Path(os.environ.get("SPARK_K8S_SHARED", REPO.parent / "shared"))
ADMIN_TOKEN = "spark-k8s-admin-token"
NODE_NAME = "kwok-node-0"
# The Spark operator manages SparkApplications only in namespaces with this label.
OPERATOR_LABEL = ("spark-k8s.test/operator", "enabled")


def pyspark_home():
    """PySpark's installation (bin/spark-submit, jars), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("pyspark")
    if spec is None:
        raise RuntimeError("PySpark is not installed in %s; run scripts/setup.sh --test" % sys.executable)
    return str(pathlib.Path(spec.origin).parent)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# What kwok serves as the log of every Spark driver container (pods/log), one line
# each, in the container runtime's log format.
DRIVER_LOG = [
    "Spark driver starting (served by kwok)",
    "Running cell 1 of 1",
    "3",
    "Job finished",
]


def kwok_logs(state):
    """Write the driver log file and kwok's ClusterLogs config for it; returns the log file."""
    log = pathlib.Path(state) / "driver.log"
    log.write_text(
        "".join("2024-01-01T00:00:0%dZ stdout F %s\n" % (i, line) for i, line in enumerate(DRIVER_LOG))
    )
    config = {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "ClusterLogs",
        "metadata": {"name": "spark-driver-logs"},
        "spec": {"logs": [{"containers": ["spark-kubernetes-driver"], "logsFile": str(log), "follow": True}]},
    }
    (pathlib.Path(state) / "kwok-logs.yaml").write_text(json.dumps(config))
    return log


def build_binaries():
    out = subprocess.run(["bash", str(HERE / "build.sh")], check=True, capture_output=True, text=True)
    return pathlib.Path(out.stdout.strip().splitlines()[-1])


class Kube:
    """A minimal client for the test API server (admin unless given a token)."""

    def __init__(self, server, ca_file, token=ADMIN_TOKEN):
        self.server = server
        self.token = token
        self.context = ssl.create_default_context(cafile=str(ca_file))

    def request(self, method, path, body=None, content_type="application/json", token=None, timeout=30):
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + (token or self.token))
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self.context, timeout=timeout) as resp:
                text = resp.read()
                try:
                    return resp.status, (json.loads(text) if text else None)
                except ValueError:
                    return resp.status, {"text": text.decode(errors="replace")}
        except urllib.error.HTTPError as err:
            text = err.read()
            try:
                return err.code, json.loads(text)
            except ValueError:
                return err.code, {"message": text.decode(errors="replace")}

    def ok(self, method, path, body=None, **kw):
        status, out = self.request(method, path, body, **kw)
        if status >= 300:
            raise RuntimeError("%s %s -> %s: %s" % (method, path, status, (out or {}).get("message")))
        return out

    def apply(self, obj):
        """Create or update an object (server-side apply as the test harness)."""
        path = object_path(obj)
        return self.ok(
            "PATCH",
            path + "?fieldManager=spark-k8s-tests&force=true",
            obj,
            content_type="application/apply-patch+yaml",
        )

    def wait(self, predicate, timeout=60, interval=0.2, what="condition"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise TimeoutError("timed out waiting for " + what)


PLURALS = {
    "Namespace": ("/api/v1", "namespaces", False),
    "Node": ("/api/v1", "nodes", False),
    "Pod": ("/api/v1", "pods", True),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "Secret": ("/api/v1", "secrets", True),
    "ConfigMap": ("/api/v1", "configmaps", True),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", True),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    "CustomResourceDefinition": ("/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", False),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies", True),
    "ValidatingAdmissionPolicy": (
        "/apis/admissionregistration.k8s.io/v1",
        "validatingadmissionpolicies",
        False,
    ),
    "ValidatingAdmissionPolicyBinding": (
        "/apis/admissionregistration.k8s.io/v1",
        "validatingadmissionpolicybindings",
        False,
    ),
}


def object_path(obj):
    base, plural, namespaced = PLURALS[obj["kind"]]
    meta = obj["metadata"]
    ns = "/namespaces/%s" % meta.get("namespace", "default") if namespaced else ""
    return "%s%s/%s/%s" % (base, ns, plural, meta["name"])


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs(state):
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=spark-k8s-test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        cwd=state,
    )
    (state / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n")
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=kube-apiserver",
        "-keyout",
        "apiserver.key",
        "-out",
        "apiserver.csr",
        cwd=state,
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        "apiserver.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.cnf",
        "-out",
        "apiserver.crt",
        cwd=state,
    )
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=state)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=state)


def kubeconfig(server, ca_file, token_file, namespace="default", token=None):
    """A kubeconfig (JSON) for `server`: the token in `token_file`, or inline `token`.

    An inline token is read by every client (the Spark operator's spark-submit uses it).
    """
    user = {"token": token} if token else {"tokenFile": str(token_file)}
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "test",
            "clusters": [
                {"name": "test", "cluster": {"server": server, "certificate-authority": str(ca_file)}}
            ],
            "users": [{"name": "user", "user": user}],
            "contexts": [
                {"name": "test", "context": {"cluster": "test", "user": "user", "namespace": namespace}}
            ],
        }
    )


class Cluster:
    """Start/stop the control plane; state (certs, logs, pids) lives in `state`."""

    def __init__(self, state):
        self.state = pathlib.Path(state)
        self.info_file = self.state / "cluster.json"

    @property
    def info(self):
        return json.loads(self.info_file.read_text())

    def kube(self, token=ADMIN_TOKEN):
        info = self.info
        return Kube(info["server"], info["ca"], token)

    def _spawn(self, name, args, env=None, cwd=None):
        log = open(self.state / ("%s.log" % name), "ab")
        proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env, cwd=cwd
        )
        (self.state / ("%s.pid" % name)).write_text(str(proc.pid))
        return proc

    def _wait_log(self, proc, name, needles, contains="", timeout=60):
        """Wait until process `name` logged each of `needles` on a line with `contains`."""
        log = self.state / ("%s.log" % name)
        deadline = time.time() + timeout
        while time.time() < deadline:
            lines = [ln for ln in log.read_text(errors="replace").splitlines() if contains in ln]
            text = "\n".join(lines).lower()
            if all(n.lower() in text for n in needles):
                return
            if proc.poll() is not None:
                raise RuntimeError("%s exited while starting; see %s" % (name, log))
            time.sleep(0.1)
        raise TimeoutError("%s did not start within %ds; see %s" % (name, timeout, log))

    def start(self, bin_dir=None):
        bin_dir = pathlib.Path(bin_dir or build_binaries())
        self.state.mkdir(parents=True, exist_ok=True)
        if not (self.state / "apiserver.crt").exists():
            make_certs(self.state)
        api_port = int(os.environ.get("SPARK_K8S_TEST_API_PORT") or free_port())
        etcd_port, etcd_peer = free_port(), free_port()
        (self.state / "tokens.csv").write_text('%s,admin,admin-uid,"system:masters"\n' % ADMIN_TOKEN)
        (self.state / "admin.token").write_text(ADMIN_TOKEN)
        (self.state / "audit-policy.yaml").write_text(
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\n"
            "rules:\n- level: Metadata\n"
        )
        server = "https://127.0.0.1:%d" % api_port
        info = {
            "server": server,
            "ca": str(self.state / "ca.crt"),
            "api_port": api_port,
            "audit_log": str(self.state / "audit.log"),
            "bin": str(bin_dir),
        }
        self.info_file.write_text(json.dumps(info))
        admin_kc = self.state / "admin.kubeconfig"
        admin_kc.write_text(kubeconfig(server, self.state / "ca.crt", self.state / "admin.token"))

        self._spawn(
            "etcd",
            [
                str(bin_dir / "etcd"),
                "--data-dir",
                str(self.state / "etcd"),
                "--name",
                "test",
                "--listen-client-urls",
                "http://127.0.0.1:%d" % etcd_port,
                "--advertise-client-urls",
                "http://127.0.0.1:%d" % etcd_port,
                "--listen-peer-urls",
                "http://127.0.0.1:%d" % etcd_peer,
                "--initial-advertise-peer-urls",
                "http://127.0.0.1:%d" % etcd_peer,
                "--initial-cluster",
                "test=http://127.0.0.1:%d" % etcd_peer,
                "--log-level",
                "warn",
            ],
        )
        info["etcd"] = "http://127.0.0.1:%d" % etcd_port
        self.info_file.write_text(json.dumps(info))
        self.start_apiserver()
        kube = self.kube()
        self.wait_ready(kube)
        self._spawn(
            "kube-scheduler",
            [
                str(bin_dir / "kube-scheduler"),
                "--kubeconfig",
                str(admin_kc),
                "--authentication-kubeconfig",
                str(admin_kc),
                "--authorization-kubeconfig",
                str(admin_kc),
                "--leader-elect=false",
                "--secure-port=0",
                "-v=1",
            ],
        )
        # kwok also plays the node's kubelet server, so pods/log of a driver reaches it
        # through the API server: it serves the lines of DRIVER_LOG (kwok_logs).
        kubelet_port = free_port()
        info["kubelet_port"] = kubelet_port
        info["driver_log"] = str(kwok_logs(self.state))
        self.info_file.write_text(json.dumps(info))
        self._spawn(
            "kwok",
            [
                str(bin_dir / "kwok"),
                "--kubeconfig",
                str(admin_kc),
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--node-ip=127.0.0.1",
                "--cidr=10.244.0.1/24",
                "--node-port=%d" % kubelet_port,
                "--server-address=127.0.0.1:%d" % kubelet_port,
                "--config",
                str(HERE / "kwok-stages.yaml"),
                "--config",
                str(self.state / "kwok-logs.yaml"),
            ],
        )
        self.register_node(kube)
        self.install_crds(kube)
        # The operator's controller also watches SparkConnects.
        for path in sorted((bin_dir / "spark-operator-crds").glob("*.yaml")):
            self._create_crds(kube, path)
        self.start_controller_manager(bin_dir, admin_kc)
        self.start_operator(bin_dir)
        return self.info

    def start_controller_manager(self, bin_dir, admin_kc):
        """Only the garbage collector: ownerReference cascades (a deleted owner's dependents go)."""
        proc = self._spawn(
            "kube-controller-manager",
            [
                str(bin_dir / "kube-controller-manager"),
                "--kubeconfig",
                str(admin_kc),
                "--controllers=garbagecollector",
                "--leader-elect=false",
                "--secure-port=0",
                "-v=1",
            ],
        )
        self._wait_log(
            proc,
            "kube-controller-manager",
            ["proceeding to collect garbage"],
            timeout=60,
        )

    def start_operator(self, bin_dir):
        """The kubeflow Spark operator controller, out of cluster, with PySpark's spark-submit.

        It manages namespaces labelled OPERATOR_LABEL only (so tests that merely create
        applications start no spark-submit). Its webhook is off, as the product's
        manifests assume (pod templates carry the job mount), and so are leader
        election and its metrics, health and pprof servers (no fixed ports). It gives
        spark-submit `--master k8s://https://KUBERNETES_SERVICE_HOST:PORT`, and
        spark-submit authenticates with the KUBECONFIG written here.
        """
        info = self.info
        kc = self.state / "operator.kubeconfig"
        kc.write_text(kubeconfig(info["server"], info["ca"], None, token=ADMIN_TOKEN))
        env = dict(
            os.environ,
            SPARK_HOME=pyspark_home(),
            KUBECONFIG=str(kc),
            KUBERNETES_SERVICE_HOST="127.0.0.1",
            KUBERNETES_SERVICE_PORT=str(info["api_port"]),
        )
        env.pop("SPARK_CONF_DIR", None)
        started = time.time()
        proc = self._spawn(
            "spark-operator",
            [
                str(bin_dir / "spark-operator"),
                "controller",
                "start",
                "--kubeconfig",
                str(kc),
                "--namespace-selector=%s=%s" % OPERATOR_LABEL,
                "--leader-election=false",
                "--enable-metrics=false",
                "--metrics-bind-address=0",
                "--health-probe-bind-address=0",
                "--driver-pod-creation-grace-period=30s",
                "--zap-log-level=info",
            ],
            env=env,
            # Whatever spark-submit leaves in its working directory stays with the state.
            cwd=self.state,
        )
        self._wait_log(
            proc,
            "spark-operator",
            [
                '"controller":"sparkapplication"',
                '"controller":"scheduledsparkapplication"',
                '"controller":"sparkconnect"',
            ],
            contains="Starting workers",
            timeout=60,
        )
        info["operator_log"] = str(self.state / "spark-operator.log")
        info["operator_start_seconds"] = round(time.time() - started, 2)
        self.info_file.write_text(json.dumps(info))

    def start_apiserver(self, name="kube-apiserver", port=None, etcd_prefix="/registry"):
        info = self.info
        s = self.state
        return self._spawn(
            name,
            [
                str(pathlib.Path(info["bin"]) / "kube-apiserver"),
                "--etcd-servers",
                info["etcd"],
                "--etcd-prefix",
                etcd_prefix,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=%d" % (port or info["api_port"]),
                "--tls-cert-file",
                str(s / "apiserver.crt"),
                "--tls-private-key-file",
                str(s / "apiserver.key"),
                "--token-auth-file",
                str(s / "tokens.csv"),
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file",
                str(s / "sa.pub"),
                "--service-account-signing-key-file",
                str(s / "sa.key"),
                "--service-cluster-ip-range=10.96.0.0/16",
                "--allow-privileged=true",
                "--audit-policy-file",
                str(s / "audit-policy.yaml"),
                "--audit-log-path",
                info["audit_log"] if name == "kube-apiserver" else str(s / ("%s-audit.log" % name)),
                "--audit-log-format=json",
                "--audit-log-mode=blocking",
                "--event-ttl=1h",
                # The "kubernetes" Service cannot point at loopback; nothing here needs it.
                "--endpoint-reconciler-type=none",
                # Without a controller-manager nobody lifts the not-ready taint this plugin sets.
                "--disable-admission-plugins=TaintNodesByCondition",
            ],
        )

    def wait_ready(self, kube, timeout=90):
        def ready():
            try:
                return kube.request("GET", "/readyz", timeout=3)[0] == 200
            except (OSError, urllib.error.URLError):
                return False

        kube.wait(ready, timeout=timeout, what="the API server to be ready")

    @contextlib.contextmanager
    def bare_apiserver(self):
        """A second API server on the same etcd under a prefix of its own: a cluster as a
        fresh one is, with no CRDs, no operator and no nodes (for "not installed" errors).
        Yields its URL (same CA and admin token); stopped on exit."""
        name, port = "kube-apiserver-bare", free_port()
        self.start_apiserver(name=name, port=port, etcd_prefix="/bare-%d-%d" % (port, os.getpid()))
        server = "https://127.0.0.1:%d" % port
        try:
            self.wait_ready(Kube(server, self.info["ca"], ADMIN_TOKEN))
            yield server
        finally:
            self._kill(name)

    def restart_apiserver(self, down_seconds=1.0):
        """Kill the API server and start it again (for watch-resume tests)."""
        self._kill("kube-apiserver")
        time.sleep(down_seconds)
        self.start_apiserver()
        self.wait_ready(self.kube())

    def register_node(self, kube):
        kube.apply(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": NODE_NAME,
                    "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                    "labels": {"kubernetes.io/hostname": NODE_NAME, "type": "kwok"},
                },
                "status": {
                    "allocatable": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                    "capacity": {"cpu": "32", "memory": "256Gi", "pods": "110"},
                },
            }
        )

        def node_ready():
            _, node = kube.request("GET", "/api/v1/nodes/" + NODE_NAME)
            conds = (node or {}).get("status", {}).get("conditions", [])
            return any(c["type"] == "Ready" and c["status"] == "True" for c in conds)

        kube.wait(node_ready, timeout=60, what="the kwok node to be Ready")

    def install_crds(self, kube):
        for path in sorted((SHARED / "crds").glob("*.yaml")):
            self._create_crds(kube, path)

    def _create_crds(self, kube, path):
        """Create the CRDs in `path` and wait until the API server serves them."""
        import yaml

        base = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                name = doc["metadata"]["name"]
                status, out = kube.request("POST", base, doc)
                if status not in (201, 409):
                    raise RuntimeError("CRD %s: %s" % (name, out.get("message")))

                def established(name=name):
                    conds = (kube.ok("GET", "%s/%s" % (base, name)).get("status") or {}).get(
                        "conditions"
                    ) or []
                    return any(c["type"] == "Established" and c["status"] == "True" for c in conds)

                kube.wait(established, timeout=30, what="CRD %s to be established" % name)

    def _kill(self, name):
        pid_file = self.state / ("%s.pid" % name)
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for _ in range(50):
            try:
                os.kill(pid, 0)
                time.sleep(0.1)
            except ProcessLookupError:
                break
        pid_file.unlink()

    def stop(self):
        for name in (
            "spark-operator",
            "kube-controller-manager",
            "kwok",
            "kube-scheduler",
            "kube-apiserver-bare",
            "kube-apiserver",
            "etcd",
        ):
            self._kill(name)


# The deployment's admin configuration, the one thing the tests choose in the shipped
# manifests: the Secrets users may read (deploy/rbac.yaml, Role SECRETS_ROLE).
SECRETS_ROLE = "jupyterlab-spark-k8s-secrets"
TEST_SECRETS = ("warehouse", "prod-db", "demo", "mapped-db", "lakehouse-s3")
POLICY = REPO / "deploy" / "policy.yaml"


def apply_policy(kube, policy_file=POLICY):
    """Apply the cluster-wide pod policy (deploy/policy.yaml) exactly as shipped."""
    import yaml

    for doc in yaml.safe_load_all(pathlib.Path(policy_file).read_text()):
        if doc:
            kube.apply(doc)


def user_namespace_module():
    """deploy/user_namespace.py: how the hub renders and applies the per-user template."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("user_namespace", REPO / "deploy" / "user_namespace.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def user_namespace_docs(rbac_file, namespace, secrets=TEST_SECRETS, labels=None):
    """The documents the hub applies for a user's namespace (the Namespace first), rendered
    by deploy/user_namespace.py from the template `rbac_file`.

    Only the admin's one field is filled in: the Secrets users may read.
    """
    docs = user_namespace_module().render(pathlib.Path(rbac_file).read_text(), namespace, secrets)
    docs[0]["metadata"]["labels"].update(dict(labels or {}))
    return docs


def service_account_token(kube, namespace, sa, seconds=86400):
    out = kube.ok(
        "POST",
        "/api/v1/namespaces/%s/serviceaccounts/%s/token" % (namespace, sa),
        {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": seconds},
        },
    )
    return out["status"]["token"]


def namespace_with_role(kube, namespace, rbac_file, sa="jupyter", labels=None, secrets=TEST_SECRETS):
    """A user's namespace: the shipped template `rbac_file` applied into it, the cluster-wide
    pod policy (deploy/policy.yaml) in force.

    Returns the token of `sa`. `labels` go on the namespace (OPERATOR_LABEL: the Spark
    operator manages it).
    """
    docs = user_namespace_docs(rbac_file, namespace, secrets, labels)
    kube.apply(docs[0])
    # The controller manager runs no service-account controller: create the default
    # service account pods expect.
    for name in ("default", sa):
        kube.apply(
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}}
        )
    apply_policy(kube)
    for doc in docs[1:]:
        kube.apply(doc)
    return service_account_token(kube, namespace, sa)


DRIVER_POD = "jupyter-alice"


def jupyter_namespace(cluster, name, rbac_file, state_dir, labels=None):
    """A namespace under `rbac_file` with the Jupyter ("driver") pod on the fake node.

    Returns (token, token_file, kubeconfig_file) for the pod's service account.
    """
    kube = cluster.kube()
    token = namespace_with_role(kube, name, rbac_file, labels=labels)
    state_dir = pathlib.Path(state_dir)
    token_file = state_dir / ("%s.token" % name)
    token_file.write_text(token)
    kubeconfig_file = state_dir / ("%s.kubeconfig" % name)
    kubeconfig_file.write_text(kubeconfig(cluster.info["server"], cluster.info["ca"], token_file, name))
    kube.ok(
        "POST",
        "/api/v1/namespaces/%s/pods" % name,
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": DRIVER_POD,
                "labels": {"app": "jupyterhub", "component": "singleuser-server"},
            },
            "spec": {
                "nodeName": NODE_NAME,
                "serviceAccountName": "jupyter",
                "containers": [{"name": "notebook", "image": "jupyter/pyspark-notebook"}],
            },
        },
    )
    return token, token_file, kubeconfig_file


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop", "lab-env"):
        sys.exit(__doc__)
    cluster = Cluster(argv[2])
    if argv[1] == "stop":
        cluster.stop()
    elif argv[1] == "lab-env":
        # The environment a Jupyter server in namespace "lab" would have; the operator
        # runs what the UI tests publish there (the Jobs view follows it).
        _, _, kc = jupyter_namespace(
            cluster, "lab", REPO / "deploy" / "rbac.yaml", cluster.state, labels=[OPERATOR_LABEL]
        )
        print("KUBECONFIG=%s\nPOD_NAME=%s\nPOD_IP=127.0.0.1" % (kc, DRIVER_POD))
    else:
        print(json.dumps(cluster.start()))


if __name__ == "__main__":
    main(sys.argv)
