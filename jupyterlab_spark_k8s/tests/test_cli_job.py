"""`spark-k8s job`: Databricks job definitions → manifests and job scripts, from an imported workspace."""

import pathlib
import shutil

import yaml

from .test_cli import cli

DATA = pathlib.Path(__file__).resolve().parent / "data" / "jobs"


def job(tmp_path, name, *flags):
    """Run `spark-k8s job` on a copy of the test data (so nothing is written beside it)."""
    shutil.copytree(DATA, tmp_path / "data")
    return cli("job", f"data/{name}", "--workspace", "data/workspace", "-o", "out", *flags, cwd=tmp_path)


def documents(path):
    return list(yaml.safe_load_all(path.read_text()))


def env_of(pod_template):
    return {e["name"]: e for e in pod_template["spec"]["containers"][0].get("env", [])}


def test_job_writes_manifests_and_scripts_for_each_notebook_task(tmp_path):
    proc = job(tmp_path, "nightly-2.1.json", "--namespace", "sales", "--secret-scope", "sales=sales-creds")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4, files
    written = sorted(line.split(" ", 1)[1] for line in proc.stdout.splitlines())
    assert written == sorted(str(out / f) for f in files)
    ingest = next(out / f for f in files if f.startswith("sales-nightly-ingest-") and f.endswith(".yaml"))
    transform = next(
        out / f for f in files if f.startswith("sales-nightly-transform-") and f.endswith(".yaml")
    )

    cm, app = documents(ingest)
    assert cm["kind"] == "ConfigMap"
    assert app["kind"] == "ScheduledSparkApplication"
    assert app["metadata"]["name"] == ingest.stem
    assert app["metadata"]["namespace"] == "sales"
    spec = app["spec"]
    # Quartz "0 30 2 ? * MON-FRI" in Europe/Paris, paused.
    assert spec["schedule"] == "30 2 * * MON-FRI"
    assert spec["timeZone"] == "Europe/Paris"
    assert spec["suspend"] is True
    assert spec["concurrencyPolicy"] == "Forbid"
    template = spec["template"]
    # base_parameters day/env, the job parameter env=prod winning.
    assert template["arguments"] == ["--day", "2024-06-01", "--env", "prod"]
    assert template["dynamicAllocation"]["maxExecutors"] == 6
    assert template["restartPolicy"]["onFailureRetries"] == 2
    conf = template["sparkConf"]
    assert conf["spark.sql.shuffle.partitions"] == "48"
    assert not [k for k in conf if k.startswith("spark.databricks.")]
    env = env_of(template["driver"]["template"])
    assert env["DB_PASSWORD"]["valueFrom"] == {"secretKeyRef": {"name": "sales-creds", "key": "db-password"}}
    assert env["SPARK_K8S_SECRET_SALES_API_TOKEN"]["valueFrom"] == {
        "secretKeyRef": {"name": "sales-creds", "key": "api-token"}
    }
    # Secrets are references: the only literal values are the job's own ids.
    assert {name for name, e in env.items() if "value" in e} == {"SPARK_K8S_JOB", "SPARK_K8S_JOB_ID"}
    script = (out / f"{ingest.stem}.py").read_text()
    assert script == cm["data"]["job.py"]
    assert "orders_path" in script  # the %run ./common closure
    for f in files:
        assert "{{secrets/" not in (out / f).read_text()

    _, app2 = documents(transform)
    assert app2["spec"]["template"]["arguments"] == ["--env", "prod"]

    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert any('task "notify": spark_python_task is not converted' in w for w in warnings), proc.stderr
    assert any("dependencies are not kept" in w for w in warnings), proc.stderr
    assert any("spark.databricks.delta.optimizeWrite.enabled" in w for w in warnings), proc.stderr
    assert any("init_scripts" in w for w in warnings), proc.stderr
    assert any("email_notifications" in w for w in warnings), proc.stderr


def test_job_20_with_workspace_prefix_and_sql_source(tmp_path):
    proc = job(tmp_path, "report-2.0.json", "--image", "registry.example.com/spark:3.5.3-py")
    assert proc.returncode == 0, proc.stderr
    (yaml_file,) = (tmp_path / "out").glob("*.yaml")
    assert yaml_file.name.startswith("daily-report-")
    _, app = documents(yaml_file)
    assert app["spec"]["schedule"] == "0 6 * * *"
    assert app["spec"]["timeZone"] == "America/New_York"
    assert app["spec"]["concurrencyPolicy"] == "Allow"
    assert app["spec"]["template"]["sparkVersion"] == "3.5.3"
    assert app["spec"]["template"]["executor"]["instances"] == 3
    assert "SELECT 1 AS one" in yaml_file.with_suffix(".py").read_text()


def test_job_with_a_missing_notebook_fails_and_writes_nothing(tmp_path):
    proc = job(tmp_path, "missing-notebook.json")
    assert proc.returncode != 0
    assert "/Repos/team/etl/does-not-exist" in proc.stderr
    assert "looked for" in proc.stderr and "does-not-exist{.ipynb,.py" in proc.stderr
    assert "nothing written" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_job_with_an_inexpressible_quartz_schedule_fails_naming_it(tmp_path):
    proc = job(tmp_path, "quartz-l.json")
    assert proc.returncode != 0
    assert "schedule.quartz_cron_expression" in proc.stderr and "'L'" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_job_needs_a_workspace(tmp_path):
    proc = cli("job", str(DATA / "report-2.0.json"), cwd=tmp_path)
    assert proc.returncode != 0
    assert "--workspace DIR" in proc.stderr
