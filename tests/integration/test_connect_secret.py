"""A Spark Connect token read from a real Kubernetes Secret, under the shipped Role.

A `connect` profile may name its token as `{secret, key}`: the kernel reads the Secret
with the Jupyter pod's own service account (here: a namespace set up from deploy/rbac.yaml,
its account's token written where a pod has it) and hands the token to the client. The
real Connect server (tests/servers/spark.py) admits the session only with the right token;
the token is in no output of the process, and a Secret the Role does not list is refused
in words.
"""

import base64
import pathlib
import sys

import pytest

from .conftest import REPO

sys.path[:0] = [str(REPO)]
from jupyterlab_spark_k8s.tests.conftest import run_python, spark_servers  # noqa: E402, F401 - a fixture

SECRET = "demo"  # one of the Secrets the test namespaces' Role may read (cluster.TEST_SECRETS)
KEY = "connect-token"


@pytest.fixture(scope="module")
def pod_mount(cluster, kube, namespace, spark_servers, tmp_path_factory):  # noqa: F811
    """The namespace's Secret holding the server's token, and the pod's service-account mount."""
    token = pathlib.Path(spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]).read_text().strip()
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": SECRET},
        "data": {KEY: base64.b64encode(token.encode()).decode()},
    }
    kube.ok("POST", f"/api/v1/namespaces/{namespace.name}/secrets", body)
    mount = tmp_path_factory.mktemp("serviceaccount")
    (mount / "token").write_text(namespace.token)
    (mount / "namespace").write_text(namespace.name)
    (mount / "ca.crt").write_bytes(pathlib.Path(cluster.info["ca"]).read_bytes())
    env = {
        "KUBERNETES_SERVICE_HOST": "127.0.0.1",
        "KUBERNETES_SERVICE_PORT": str(cluster.info["api_port"]),
        "PATH": "/usr/bin:/bin",
    }
    return token, mount, env


def _start(spark_servers, mount, env, secret_ref):  # noqa: F811
    conf = {
        "spark.remote": spark_servers["SPARK_K8S_TEST_CONNECT_REMOTE"],
        "spark.jupyter.connect.tokenSecret": secret_ref,
    }
    return run_python(
        f"""
        import spark_k8s_runtime.secrets as sa
        sa._TOKEN_FILE = {str(mount / "token")!r}
        sa._CA_FILE = {str(mount / "ca.crt")!r}
        sa._NAMESPACE_FILE = {str(mount / "namespace")!r}
        try:
            info = rt.start_session({conf!r})
            print("STARTED", info["kind"], info["server"])
            spark = rt.require_session()
            print("COUNT", spark.range(5).count())
            print("TOKEN", open({spark_servers["SPARK_K8S_TEST_CONNECT_TOKEN_FILE"]!r}).read().strip())
            rt.stop_session()
        except rt.SparkK8sError as exc:
            print("ERROR:", exc)
        """,
        env=dict(env, PATH=f"{pathlib.Path(sys.executable).parent}:/usr/bin:/bin"),
        timeout=240,
    )


def test_the_token_comes_from_the_secret_and_is_shown_nowhere(spark_servers, pod_mount):  # noqa: F811
    token, mount, env = pod_mount
    done = _start(spark_servers, mount, env, f"{SECRET}:{KEY}")
    out = done.stdout + done.stderr
    assert "STARTED connect 127.0.0.1:" in done.stdout, out
    assert "COUNT 5" in done.stdout, out
    # Once read, the token is redacted from everything the process prints.
    assert "TOKEN [REDACTED]" in done.stdout, out
    assert token not in out


def test_a_secret_the_role_does_not_list_is_refused_in_words(spark_servers, pod_mount):  # noqa: F811
    token, mount, env = pod_mount
    done = _start(spark_servers, mount, env, f"hub-secrets:{KEY}")
    out = done.stdout + done.stderr
    assert "ERROR:" in done.stdout, out
    assert "may not read" in done.stdout and "hub-secrets" in done.stdout, out
    assert "STARTED" not in done.stdout
    assert token not in out


def test_a_missing_key_names_the_keys_there_are(spark_servers, pod_mount):  # noqa: F811
    _, mount, env = pod_mount
    done = _start(spark_servers, mount, env, f"{SECRET}:no-such-key")
    assert "ERROR:" in done.stdout and "no key 'no-such-key'" in done.stdout, done.stdout + done.stderr
    assert KEY in done.stdout
