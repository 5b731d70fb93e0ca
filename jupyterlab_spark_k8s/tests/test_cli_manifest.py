"""`spark-k8s manifest`: a notebook as the job ConfigMap and (Scheduled)SparkApplication YAML."""

import base64
import json

import yaml

from .test_cli import cli, notebook

CELLS = [
    ("code", "dbutils.widgets.text('day', '2024-01-01')\nday = dbutils.widgets.get('day')"),
    ("code", "token = dbutils.secrets.get('api', 'token')"),
    ("code", "%sql\nSELECT 1"),
]


def manifest(tmp_path, *flags, cells=CELLS):
    nb = notebook(tmp_path / "etl.ipynb", cells)
    proc = cli("manifest", nb.name, *flags, cwd=tmp_path)
    return proc


def test_manifest_writes_the_configmap_and_scheduled_application(tmp_path):
    proc = manifest(
        tmp_path,
        "--name", "etl-nightly", "--namespace", "team-a", "--schedule", "0 6 * * 1-5",
        "--tz", "Europe/Paris", "--param", "day=2024-05-01", "--secret-scope", "api=api-creds",
        "--image", "repo/spark:4.0.1-python3", "--run-output", "s3a://bucket/runs",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    cm, app = list(yaml.safe_load_all(proc.stdout))
    assert cm["kind"] == "ConfigMap" and cm["immutable"] is True
    assert cm["metadata"]["name"].startswith("etl-nightly-")
    assert "job.py" in cm["data"]
    assert base64.b64decode(cm["binaryData"]["spark_k8s_runtime.zip"])[:2] == b"PK"
    assert app["kind"] == "ScheduledSparkApplication"
    assert app["metadata"]["namespace"] == "team-a"
    spec = app["spec"]
    assert spec["schedule"] == "0 6 * * 1-5" and spec["timeZone"] == "Europe/Paris"
    template = spec["template"]
    assert template["arguments"] == ["--day", "2024-05-01"]
    assert template["mainApplicationFile"] == "local:///opt/spark-k8s/job/job.py"
    assert template["deps"]["pyFiles"] == ["local:///opt/spark-k8s/job/spark_k8s_runtime.zip"]
    driver = template["driver"]["template"]["spec"]
    assert driver["volumes"] == [{"name": "spark-k8s-job", "configMap": {"name": cm["metadata"]["name"]}}]
    env = {e["name"]: e for e in driver["containers"][0]["env"]}
    assert env["SPARK_K8S_SECRET_API_TOKEN"]["valueFrom"] == {
        "secretKeyRef": {"name": "api-creds", "key": "token"}
    }
    assert env["SPARK_K8S_JOB_ID"]["value"] == "etl-nightly"
    assert template["sparkConf"]["spark.eventLog.dir"] == "s3a://bucket/runs/event-logs"
    assert app["metadata"]["annotations"]["spark-k8s.jupyter.org/notebook-path"] == "etl.ipynb"


def test_manifest_is_deterministic_and_o_writes_one_file(tmp_path):
    a = manifest(tmp_path, "--name", "etl")
    b = manifest(tmp_path, "--name", "etl")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    out = tmp_path / "out"
    out.mkdir()
    c = manifest(tmp_path, "--name", "etl", "-o", str(out))
    assert c.returncode == 0, c.stderr
    assert [p.name for p in out.iterdir()] == ["etl.yaml"]
    assert (out / "etl.yaml").read_text() == a.stdout
    # The widget's declared default is the parameter when none is given.
    app = list(yaml.safe_load_all(a.stdout))[1]
    assert app["spec"]["arguments"] == ["--day", "2024-01-01"]
    assert app["kind"] == "SparkApplication"


def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    cases = [
        (["--name", "Bad_Name"], 'name: name "Bad_Name"'),
        (["--schedule", "61 * * * *"], "schedule:"),
        (["--schedule", "0 6 * * *", "--tz", "Mars/Base"], "timeZone:"),
        (["--operator", "apache", "--schedule", "0 6 * * *"], "no schedules"),
        (["--operator", "yarn"], "--operator must be kubeflow or apache"),
        (["--executor-memory", "lots"], 'executor memory "lots"'),
        (["--param", "novalue"], '--param "novalue" is not NAME=VALUE'),
        (["--tz", "UTC"], "--tz needs --schedule"),
    ]
    for flags, message in cases:
        proc = manifest(tmp_path, *flags, "-o", str(out))
        assert proc.returncode != 0, flags
        assert message in proc.stderr, (flags, proc.stderr)
        assert "Traceback" not in proc.stderr and "at " not in proc.stderr.splitlines()[0]
    assert list(out.iterdir()) == []


def test_a_missing_run_target_names_it(tmp_path):
    proc = manifest(tmp_path, "--name", "etl", cells=[("code", "%run ./helpers/missing")])
    assert proc.returncode != 0
    assert "missing" in proc.stderr and "notebook:" in proc.stderr


def test_hostile_parameters_stay_data(tmp_path):
    hostile = "x'; import os #\n: - [ ] { } & * ! | > % @ `"
    proc = manifest(tmp_path, "--name", "etl", "--param", f"day={hostile}")
    assert proc.returncode == 0, proc.stderr
    app = list(yaml.safe_load_all(proc.stdout))[1]
    assert app["spec"]["arguments"] == ["--day", hostile]
    assert json.dumps(app)  # plain data, nothing else
