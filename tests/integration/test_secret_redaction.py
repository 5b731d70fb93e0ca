"""A secret read from a real Kubernetes Secret in a kubernetes session never reaches the notebook.

A real kernel (jupyter_client + ipykernel) starts a kubernetes session with the conf the
panel builds (core.sessionConf) and the scopes core resolves, reads a Secret from the real
API server with ``dbutils.secrets.get`` and runs the leaks of issue 8 that need no Spark
task (kwok's executors run none); every iopub message, the saved notebook and the kernel's
own log are searched with tests/secret_scan.py.
"""

import base64
import json
import subprocess
import sys
import uuid

import nbformat
import pytest

from .conftest import REPO
from .test_spark_session import ARCHIVE, CORE, service, session_conf  # noqa: F401 - a fixture

sys.path[:0] = [str(REPO), str(REPO / "tests")]
from jupyterlab_spark_k8s.tests.test_redaction import Kernel, outputs, visible_text  # noqa: E402
from secret_scan import scan  # noqa: E402

VALUE = "pa$$w0rd'\"\\&<tag>\n-----second line of the key-----"
LEAKS = [
    "pw",
    "int(pw)",
    "raise ValueError(pw)",
    "print(repr(pw))\nprint(json.dumps({'k': pw}))\nprint(rt.dbutils.secrets.getBytes('prod-db', 'password'))",
    "subprocess.run(['printf', '%s\\n', pw])\ntime.sleep(0.5)",
    "print(pw[:6], end='')\nsys.stdout.flush()\ntime.sleep(0.3)\nprint(pw[6:])",
    "from IPython.display import HTML\ndisplay(HTML(html.escape(pw)))",
    "print(base64.b64encode(pw.encode()))\nprint(urllib.parse.quote(pw))",
]


@pytest.fixture()
def secret(kube, namespace):
    # A Secret the shipped Role lets the notebook read (its resourceNames), else any name.
    status, role = kube.request(
        "GET",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/%s/roles/jupyterlab-spark-k8s-secrets"
        % namespace.name,
    )
    names = (
        [n for rule in (role or {}).get("rules", []) for n in rule.get("resourceNames", [])]
        if status == 200
        else []
    )
    name = names[0] if names else "prod-db-" + uuid.uuid4().hex[:6]
    kube.ok(
        "POST",
        "/api/v1/namespaces/%s/secrets" % namespace.name,
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name},
            "data": {"password": base64.b64encode(VALUE.encode()).decode()},
        },
    )
    yield name
    kube.request("DELETE", "/api/v1/namespaces/%s/secrets/%s" % (namespace.name, name))


def test_a_real_secret_never_reaches_kernel_messages_the_notebook_or_the_log(
    service,  # noqa: F811 - the fixture imported above
    namespace,
    secret,
    tmp_path,
):
    _, info = service.request("GET", "/cluster")
    conf = session_conf(namespace, uuid.uuid4().hex, info)
    conf["spark.executor.instances"] = "1"
    resolve = (
        "const c = require(%s); process.stdout.write(JSON.stringify(c.resolveScopes(c.kernelScopes(%s, %s))))"
        % (
            json.dumps(str(CORE)),
            json.dumps({"prod-db": secret}),
            json.dumps([{"name": secret, "keys": ["password"]}]),
        )
    )
    scopes = json.loads(
        subprocess.run(["node", "-e", resolve], check=True, capture_output=True, text=True).stdout
    )
    kernel = Kernel(tmp_path)
    try:
        setup = kernel.run(
            f"import sys\nsys.path.insert(0, {str(ARCHIVE)!r})\nimport spark_k8s_runtime as rt\n"
            "import base64, html, json, subprocess, time, urllib.parse\n"
            f"rt.start_session({conf!r}, user_ns=get_ipython().user_ns, secret_scopes={scopes!r})\n"
            "pw = rt.dbutils.secrets.get('prod-db', 'password')\nprint('read', len(pw))"
        )
        assert setup[-1]["content"]["status"] == "ok", setup[-1]["content"]
        assert f"read {len(VALUE)}" in visible_text(outputs(setup))
        cells = []
        for code in LEAKS:
            messages = kernel.run(code)
            outs = outputs(messages)
            assert "[REDACTED]" in visible_text(outs), (code, visible_text(outs))
            cells.append(nbformat.v4.new_code_cell(code, outputs=outs))
        kernel.run("rt.stop_session()")
    finally:
        kernel.stop()
    wire = [
        json.dumps({"content": m["content"], "metadata": m["metadata"]}, ensure_ascii=False)
        for m in kernel.messages
    ]
    assert scan(wire, [VALUE]) == []
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(saved))
    assert scan(saved, [VALUE]) == []
    assert scan(kernel.log_path, [VALUE]) == []
