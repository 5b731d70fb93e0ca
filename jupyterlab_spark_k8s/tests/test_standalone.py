"""Standalone sessions against a real standalone master and worker (tests/servers/spark.py).

A fresh Python process (a fresh JVM) starts the session with the conf the Spark panel
sends for a `standalone` profile (driver ports from the range, the master's UI), runs a
job, and reads what the master's JSON (``<ui>/json/``) and the driver's REST API say
about the application: it is registered with the master and its tasks ran on an
executor of the worker, not in the driver.
"""

import json

from .conftest import run_python

TIMEOUT = 400


def test_standalone_session_runs_its_tasks_on_the_worker(spark_servers):
    master = spark_servers["SPARK_K8S_TEST_STANDALONE_MASTER"]
    master_ui = spark_servers["SPARK_K8S_TEST_STANDALONE_UI"]
    conf = {
        "spark.master": master,
        "spark.app.name": "standalone-test",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": "512m",
        "spark.executor.cores": "1",
        "spark.executor.memory": "512m",
        "spark.cores.max": "1",
        "spark.ui.enabled": "true",
        "spark.ui.showConsoleProgress": "false",
        "spark.jupyter.driverPorts": "47100-47199",
        "spark.jupyter.masterUi": master_ui,
    }
    result = run_python(
        f"""
        import json, time, urllib.request
        ns = {{}}
        info = rt.start_session({conf!r}, user_ns=ns)
        sc = ns["sc"]
        total = sum(sc.parallelize(range(8), 2).map(lambda x: x * 2).collect())
        def get(url):
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.loads(r.read())
        executors = get(sc.uiWebUrl + "/api/v1/applications/" + sc.applicationId + "/executors")
        master = get({master_ui!r} + "/json/")
        ports = (sc.getConf().get("spark.driver.port"), sc.getConf().get("spark.driver.blockManager.port"))
        print("RESULT " + json.dumps({{"info": info, "total": total, "executors": executors,
                                      "master": master, "ports": ports, "again": rt.session_info()}}))
        rt.stop_session()
        """,
        timeout=TIMEOUT,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stdout[-3000:] + result.stderr[-3000:]
    out = json.loads(lines[0][len("RESULT ") :])
    info = out["info"]
    assert info["kind"] == "standalone"
    assert info["master"] == master
    assert info["masterUi"] == master_ui
    assert info["appId"].startswith("app-")
    assert isinstance(info["uiPort"], int)
    assert out["again"] == info
    assert out["total"] == sum(x * 2 for x in range(8))
    # The master lists the application, with the executor it granted on the worker.
    apps = {app["id"]: app for app in out["master"]["activeapps"]}
    assert info["appId"] in apps
    assert apps[info["appId"]]["name"] == "standalone-test"
    assert apps[info["appId"]]["cores"] == 1
    # The tasks ran on that executor, not in the driver.
    workers = [e for e in out["executors"] if e["id"] != "driver"]
    assert len(workers) == 1
    assert workers[0]["totalTasks"] >= 2
    driver = [e for e in out["executors"] if e["id"] == "driver"]
    assert driver and driver[0]["totalTasks"] == 0
    # Driver ports from the range the pod admits.
    driver_port, block_manager_port = (int(p) for p in out["ports"])
    assert 47100 <= driver_port < block_manager_port <= 47199
