"""Two notebooks' kubernetes sessions in one pod: each takes its own driver ports, inside the
range the shipped NetworkPolicy admits, and a full range says so clearly.

Real PySpark in separate interpreters (two kernels are two processes, two JVMs); local master,
since the driver binds its RPC and block manager ports the same way in local and client mode.
"""

import json
import pathlib
import socket
import subprocess
import sys
import textwrap
import time

import yaml

from .conftest import CONTRACT_JSON, runtime_prelude

ROOT = pathlib.Path(__file__).resolve().parents[2]
RBAC = ROOT / "deploy" / "rbac.yaml"
CONTRACT = json.loads(CONTRACT_JSON.read_text())
RANGE_CONF = CONTRACT["driverPorts"]["conf"]

SESSION = """
import json, sys
try:
    rt.start_session({conf!r})
except rt.SparkK8sError as exc:
    print(json.dumps({{"error": str(exc)}}), flush=True)
    sys.exit(0)
c = rt.require_session().sparkContext.getConf()
ports = {{"driver": c.get("spark.driver.port"),
         "blockManager": c.get("spark.driver.blockManager.port")}}
print(json.dumps({{k: v and int(v) for k, v in ports.items()}}), flush=True)
sys.stdin.read()  # hold the session until the test closes stdin
rt.stop_session()
"""


def _free_block(size):
    """`size` consecutive ports nothing listens on (a scratch range for this test)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("0.0.0.0", 0))
            first = probe.getsockname()[1]
        if first + size > 65000:
            continue
        ok = True
        for port in range(first, first + size):
            with socket.socket() as s:
                try:
                    s.bind(("0.0.0.0", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return first
    raise AssertionError("no free block of ports on this machine")


def _start(conf):
    """A fresh interpreter that starts a session with `conf`; returns (process, its first line)."""
    source = runtime_prelude() + textwrap.dedent(SESSION.format(conf=conf))
    proc = subprocess.Popen(
        [sys.executable, "-c", source],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline()
    assert line, f"the session process ended without an answer (exit {proc.wait(timeout=60)})"
    return proc, json.loads(line)


def _listening(port):
    with socket.socket() as s:
        s.settimeout(5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_two_sessions_in_one_pod_take_distinct_ports_in_the_range_and_a_full_range_says_so():
    first = _free_block(4)
    conf = {
        "spark.master": "local[1]",
        "spark.app.name": "driver-ports",
        "spark.ui.enabled": "false",
        "spark.driver.bindAddress": "0.0.0.0",
        "spark.driver.host": "127.0.0.1",
        # Two pairs: two sessions fit, a third does not.
        RANGE_CONF: f"{first}-{first + 3}",
    }
    procs = []
    try:
        started = time.monotonic()
        one, a = _start(conf)
        procs.append(one)
        two, b = _start(conf)
        procs.append(two)
        assert "error" not in a and "error" not in b, (a, b)
        ports = {a["driver"], a["blockManager"], b["driver"], b["blockManager"]}
        assert ports == set(range(first, first + 4)), (first, a, b)
        for info in (a, b):
            assert info["blockManager"] == info["driver"] + 1
            # The JVMs really listen there (executors connect to these).
            assert _listening(info["driver"]) and _listening(info["blockManager"]), info

        three, c = _start(conf)
        procs.append(three)
        assert c == {
            "error": f"2 Spark sessions already run in this pod (they hold the driver ports "
            f"{first}-{first + 3} its NetworkPolicy admits); stop one (Stop in its notebook's "
            "Spark panel, or shut its kernel down), then start again."
        }
        assert three.wait(timeout=60) == 0  # the kernel lives on; nothing half-started
        assert time.monotonic() - started < 600
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.stdin.close()
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_session_that_names_its_ports_keeps_them_and_a_bad_range_is_refused(runtime):
    # The user's profile conf wins over the range (conf.ts merges it last).
    same = {RANGE_CONF: "7078-7099", "spark.driver.port": "7100"}
    with runtime.session._driver_ports(same) as conf:
        assert conf == same
    for bad in ("7078", "7099-7078", "0-3", "7078-70000", "a-b"):
        try:
            with runtime.session._driver_ports({RANGE_CONF: bad}):
                raise AssertionError(f"{bad!r} was accepted")
        except runtime.SparkK8sError as exc:
            assert str(exc) == (
                f"{RANGE_CONF} is {bad!r}: it takes the range of driver ports the pod's "
                "NetworkPolicy admits as FIRST-LAST, e.g. 7078-7099."
            )


def test_the_shipped_network_policy_admits_exactly_the_driver_port_range_from_executors():
    """deploy/rbac.yaml's policy and the range sessions take ports from (contract.json) agree."""
    first, last = CONTRACT["driverPorts"]["first"], CONTRACT["driverPorts"]["last"]
    # Enough for several notebooks in one pod: a pair (driver, block manager) each.
    assert (last - first + 1) // 2 >= 8
    policy = next(
        doc
        for doc in yaml.safe_load_all(RBAC.read_text())
        if doc and doc["kind"] == "NetworkPolicy" and doc["metadata"]["name"] == "jupyterlab-spark-k8s"
    )
    from_executors = [
        rule
        for rule in policy["spec"]["ingress"]
        if any(
            peer.get("podSelector", {}).get("matchLabels", {}).get("spark-role") == "executor"
            for peer in rule["from"]
        )
    ]
    assert len(from_executors) == 1
    admitted = set()
    for entry in from_executors[0]["ports"]:
        assert entry.get("protocol", "TCP") == "TCP"
        admitted |= set(range(entry["port"], entry.get("endPort", entry["port"]) + 1))
    assert admitted == set(range(first, last + 1))
    # And no other rule opens a driver port to anyone else.
    for rule in policy["spec"]["ingress"]:
        if rule is not from_executors[0]:
            for entry in rule["ports"]:
                span = range(entry["port"], entry.get("endPort", entry["port"]) + 1)
                assert not set(span) & admitted, rule
