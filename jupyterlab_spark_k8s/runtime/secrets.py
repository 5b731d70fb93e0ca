"""dbutils.secrets: a scope is a Kubernetes Secret, a key its data key.

The scopes arrive resolved (``configure_secrets`` or ``start_session(secret_scopes=…)``)::

    {scope: {"secret": "<Kubernetes Secret name>", "env": {"<key>": "<ENV_VAR_NAME>"}}}

A value comes from the environment variable ``env[key]`` when it is set (a job gets them
from secretKeyRef); otherwise the kernel reads the Secret through the Kubernetes API with
the pod's own credentials. Every value read, and the value of every variable a scope maps
(a job's driver has them all from the start), is redacted from what the notebook, the job
or the script prints, displays or logs (see ``redaction``).
"""

import base64
import contextlib
import json
import os
from collections import namedtuple

from .errors import SparkK8sError
from .redaction import redact_value

SecretMetadata = namedtuple("SecretMetadata", ["key"])
SecretScope = namedtuple("SecretScope", ["name"])

_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"
_CA_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


def _check_scopes(scopes):
    if not isinstance(scopes, dict):
        raise SparkK8sError("Secret scopes must be a dict {scope: {'secret': name, 'env': {key: variable}}}.")
    out = {}
    for scope, spec in scopes.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("secret"), str) or not spec["secret"]:
            raise SparkK8sError(
                f"Secret scope {scope!r} must name its Kubernetes Secret ({{'secret': name, …}})."
            )
        env = spec.get("env") or {}
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise SparkK8sError(f"Secret scope {scope!r}: 'env' must map keys to environment variable names.")
        out[str(scope)] = {"secret": spec["secret"], "env": {str(k): v for k, v in env.items()}}
    return out


class Secrets:
    """dbutils.secrets."""

    def __init__(self):
        self.scopes = {}

    def configure(self, scopes):
        """Replace the scope mapping with `scopes` (already resolved by the extension).

        The mapped environment variables that are set are redacted at once: a cell that reads
        one with os.environ (or Spark's ``${env:NAME}``) must not show it either.
        """
        self.scopes = _check_scopes(scopes)
        for spec in self.scopes.values():
            for variable in spec["env"].values():
                value = os.environ.get(variable)
                if value:
                    redact_value(value)

    def _scope(self, scope):
        spec = self.scopes.get(str(scope))
        if spec is None:
            raise SparkK8sError(
                f"Secret scope {scope!r} is not mapped to a Kubernetes Secret: map it in Settings → Spark "
                "sessions → Secret scopes, then start the session again."
            )
        return spec

    def _api(self, path):
        return kubernetes_get(path)

    def _data(self, spec):
        return self._api("secrets/" + spec["secret"]).get("data") or {}

    def getBytes(self, scope, key):
        spec = self._scope(scope)
        variable = spec["env"].get(str(key))
        env = os.environ.get(variable) if variable else None
        if env is not None:
            value = env.encode("utf-8")
        else:
            data = self._data(spec)
            if key not in data:
                raise SparkK8sError(
                    "Secret {!r} (scope {!r}) has no key {!r}; it has: {}.".format(
                        spec["secret"], scope, key, ", ".join(sorted(data)) or "none"
                    )
                )
            value = base64.b64decode(data[key])
        redact_value(value)
        return value

    def get(self, scope, key):
        return self.getBytes(scope, key).decode("utf-8")

    def list(self, scope):
        return [SecretMetadata(k) for k in sorted(self._data(self._scope(scope)))]

    def listScopes(self):
        return [SecretScope(name) for name in sorted(self.scopes)]


secrets = Secrets()


def configure_secrets(scopes):
    """The resolved scope mapping {scope: {"secret": name, "env": {key: variable}}}."""
    secrets.configure(scopes)


def _kubernetes_api(conf=None):
    """(API server URL, token file, CA file, namespace): those of `conf` (a session about to
    start) or of the running session when they name a k8s:// master, else this pod's own."""
    from .connect import is_connect
    from .state import current_spark

    spark = current_spark()
    own_pod = conf is not None or spark is None or is_connect(spark)
    if conf is None:
        conf = {} if own_pod else dict(spark.sparkContext.getConf().getAll())
    master = conf.get("spark.master", "")
    if master.startswith("k8s://"):
        return (
            master[len("k8s://") :],
            conf.get("spark.kubernetes.authenticate.oauthTokenFile", _TOKEN_FILE),
            conf.get("spark.kubernetes.authenticate.caCertFile", _CA_FILE),
            conf.get("spark.kubernetes.namespace", "default"),
        )
    host = os.environ.get("KUBERNETES_SERVICE_HOST")
    if own_pod:
        if host:
            port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
            namespace = "default"
            with contextlib.suppress(OSError):
                with open(_NAMESPACE_FILE) as f:
                    namespace = f.read().strip() or namespace
            return f"https://{host}:{port}", _TOKEN_FILE, _CA_FILE, namespace
    raise SparkK8sError(
        "Secrets come from Kubernetes: start a kubernetes session, or set the "
        "environment variable the job would have."
    )


def kubernetes_get(path, conf=None):
    """GET a namespaced object (``secrets/NAME``) as JSON, with the credentials of the session
    `conf` is about to start (a k8s:// master), else the running session's, else the pod's own."""
    import ssl
    import urllib.error
    import urllib.request

    server, token_file, ca_file, namespace = _kubernetes_api(conf)
    if not os.path.exists(token_file):
        raise SparkK8sError(
            f"No Kubernetes credentials at {token_file}: secrets are read with the pod's service account."
        )
    with open(token_file) as f:
        token = f.read().strip()
    url = server + f"/api/v1/namespaces/{namespace}/{path}"
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        context = ssl.create_default_context(cafile=ca_file)
        with urllib.request.urlopen(req, context=context, timeout=15) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as err:
        if err.code == 404:
            raise SparkK8sError(
                f"Secret {path.split('/')[-1]!r} does not exist in namespace {namespace!r}."
            ) from None
        if err.code == 403:
            raise SparkK8sError(
                f"This pod's service account may not read {path} in namespace {namespace!r}: ask an "
                "admin to add it to the Secrets users may read (deploy/rbac.yaml)."
            ) from None
        raise SparkK8sError(f"Reading {path} failed: HTTP {err.code}.") from None
    except OSError as err:
        raise SparkK8sError(
            f"The Kubernetes API could not be reached to read {path} ({type(err).__name__})."
        ) from None


def read_kubernetes_secret(name, key):
    """The bytes of `key` in the Secret `name` of this pod's namespace (redacted from now on)."""
    data = kubernetes_get("secrets/" + name).get("data") or {}
    if key not in data:
        raise SparkK8sError(
            "Secret {!r} has no key {!r}; it has: {}.".format(name, key, ", ".join(sorted(data)) or "none")
        )
    value = base64.b64decode(data[key])
    redact_value(value)
    return value
