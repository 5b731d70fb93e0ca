"""Apply the per-user template (deploy/rbac.yaml) into a user's namespace.

Used by the hub before it spawns a user's server (deploy/z2jh-values.yaml mounts this
file and the template into the hub and calls `pre_spawn_hook`), and by the tests. Needs
only PyYAML and the standard library: it talks to the API server with server-side apply.

    python deploy/user_namespace.py NAMESPACE SECRET [SECRET...]   # prints the YAML
"""

import json
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

# The Role whose resourceNames are the Secrets users may read (the admin's list).
SECRETS_ROLE = "jupyterlab-spark-k8s-secrets"
# Set on every user namespace, so admins can find them.
NAMESPACE_LABEL = "spark-k8s.jupyter.org/user-namespace"
# Pod Security Admission holds EVERY pod of a user's namespace to the "baseline" standard
# (no hostPath, privileged, host namespaces or ports, added capabilities), whoever creates
# it: also the driver pods the Spark operator creates from a user's SparkApplication.
POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/enforce-version": "latest",
}

_PATHS = {
    "Namespace": ("/api/v1", "namespaces", False),
    "ServiceAccount": ("/api/v1", "serviceaccounts", True),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", True),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies", True),
}


def render(template, namespace, secret_names, hub_namespace=None):
    """The template's documents for `namespace`, preceded by the Namespace itself.

    `secret_names` become the resourceNames of the secrets Role; an empty list would grant
    every Secret of the namespace, so it is refused. `hub_namespace` replaces the hub's
    namespace the NetworkPolicy admits Jupyter traffic from.
    """
    names = sorted({str(n) for n in secret_names if str(n).strip()})
    if not names:
        raise ValueError(
            "List at least one Secret users may read (an empty resourceNames grants every Secret)."
        )
    docs = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": {NAMESPACE_LABEL: "true", **POD_SECURITY}},
        }
    ]
    for doc in yaml.safe_load_all(template):
        if not doc:
            continue
        if doc["kind"] not in _PATHS or not _PATHS[doc["kind"]][2]:
            raise ValueError(
                "%s %s is not a namespaced object of the template" % (doc["kind"], doc["metadata"]["name"])
            )
        doc["metadata"]["namespace"] = namespace
        for subject in doc.get("subjects", []):
            subject["namespace"] = namespace
        if doc["kind"] == "Role" and doc["metadata"]["name"] == SECRETS_ROLE:
            for rule in doc["rules"]:
                rule["resourceNames"] = list(names)
        if doc["kind"] == "NetworkPolicy" and hub_namespace:
            for rule in doc["spec"].get("ingress", []):
                for peer in rule.get("from", []):
                    labels = (peer.get("namespaceSelector") or {}).get("matchLabels") or {}
                    if "kubernetes.io/metadata.name" in labels:
                        labels["kubernetes.io/metadata.name"] = hub_namespace
        docs.append(doc)
    return docs


def object_path(doc):
    base, plural, namespaced = _PATHS[doc["kind"]]
    name = urllib.parse.quote(doc["metadata"]["name"], safe="")
    if namespaced:
        ns = urllib.parse.quote(doc["metadata"]["namespace"], safe="")
        return "%s/namespaces/%s/%s/%s" % (base, ns, plural, name)
    return "%s/%s/%s" % (base, plural, name)


def apply(docs, server, token, cafile, field_manager="jupyterhub-spark-k8s"):
    """Server-side apply every document, in order; raises with the API server's message."""
    context = ssl.create_default_context(cafile=cafile)
    for doc in docs:
        url = "%s%s?fieldManager=%s&force=true" % (server, object_path(doc), field_manager)
        req = urllib.request.Request(url, data=json.dumps(doc).encode(), method="PATCH")
        req.add_header("Authorization", "Bearer " + token)
        req.add_header("Content-Type", "application/apply-patch+yaml")
        try:
            with urllib.request.urlopen(req, context=context, timeout=30):
                pass
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            try:
                detail = json.loads(detail).get("message", detail)
            except ValueError:
                pass
            raise RuntimeError(
                "Could not apply %s %s: %s" % (doc["kind"], doc["metadata"]["name"], detail)
            ) from None


SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


async def pre_spawn_hook(spawner):
    """KubeSpawner pre_spawn_hook: the user's namespace with the template, before the pod.

    Reads the template from SPARK_K8S_TEMPLATE (default /usr/local/etc/jupyterhub/spark-k8s/
    rbac.yaml), the Secrets users may read from SPARK_K8S_SECRETS (comma-separated), and
    uses the hub's own service account (deploy/hub-rbac.yaml).
    """
    import asyncio

    template_file = os.environ.get("SPARK_K8S_TEMPLATE", "/usr/local/etc/jupyterhub/spark-k8s/rbac.yaml")
    with open(template_file) as f:
        template = f.read()
    secrets = os.environ.get("SPARK_K8S_SECRETS", "").split(",")
    with open(os.path.join(SA_DIR, "namespace")) as f:
        hub_namespace = f.read().strip()
    with open(os.path.join(SA_DIR, "token")) as f:
        token = f.read().strip()
    server = "https://%s:%s" % (
        os.environ["KUBERNETES_SERVICE_HOST"],
        os.environ.get("KUBERNETES_SERVICE_PORT", "443"),
    )
    docs = render(template, spawner.namespace, secrets, hub_namespace)
    await asyncio.to_thread(apply, docs, server, token, os.path.join(SA_DIR, "ca.crt"))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "rbac.yaml")) as f:
        print(yaml.safe_dump_all(render(f.read(), sys.argv[1], sys.argv[2:]), sort_keys=False), end="")
