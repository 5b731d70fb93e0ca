"""Benchmark: the rendered Jobs view opening in a real JupyterLab (Chromium, Galata).

Two namespaces the Spark operator does not manage (nothing is submitted), each
with the Jupyter pod and the shipped Role: one empty (the baseline), one with 200
published SparkApplications and 20 ScheduledSparkApplications with 100 runs
each (2,000 runs, labelled as the operator labels a schedule's runs, with the
schedule's labels and a COMPLETED or FAILED status through the status
subresource). For each, a JupyterLab whose service follows that namespace runs
ui-tests/bench/jobs_view_open.spec.ts: it opens the Jobs view ROUNDS times in a
freshly loaded page and times, in the page, from the command to the rows
visible, and where the time goes (the view's performance marks: stream opened,
snapshot received, rows rendered; the snapshot's size and its transfer through
Jupyter's proxy). Prints median and p95 of both and their ratio; deletes what it
made. Exits non-zero only on errors, not when the goal is missed.

    python bench/jobs_view_open.py [--rounds 5] [--port 8891] [--keep]
"""

import argparse
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import uuid

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "cluster"))
sys.path.insert(0, str(REPO / "bench"))

from jobs_bench import app_spec  # noqa: E402
from watch_bench import bench_cluster  # noqa: E402

from cluster import DRIVER_POD, jupyter_namespace  # noqa: E402

GROUP = "/apis/sparkoperator.k8s.io/v1beta2"
MANAGED = {"spark-k8s.jupyter.org/managed-by": "jupyterlab-spark-k8s"}
SCHEDULE_LABEL = "sparkoperator.k8s.io/scheduled-app-name"
APPS, SCHEDULES, RUNS = 200, 20, 100


def labels(app, owner="alice"):
    return dict(MANAGED, **{"spark-k8s.jupyter.org/app": app, "spark-k8s.jupyter.org/owner": owner})


def annotations(app):
    return {
        "spark-k8s.jupyter.org/notebook-path": "etl/%s.ipynb" % app,
        "spark-k8s.jupyter.org/content-hash": "ab" * 32,
    }


def populate(kube, ns):
    """200 applications, 20 schedules and their 2,000 runs, with finished statuses."""
    apps = "%s/namespaces/%s/sparkapplications" % (GROUP, ns)
    schedules = "%s/namespaces/%s/scheduledsparkapplications" % (GROUP, ns)
    jobs = []

    def schedule(s):
        name = "nightly-%02d" % s
        kube.ok(
            "POST",
            schedules,
            {
                "apiVersion": "sparkoperator.k8s.io/v1beta2",
                "kind": "ScheduledSparkApplication",
                "metadata": {"name": name, "labels": labels(name), "annotations": annotations(name)},
                "spec": {"schedule": "%d 6 * * 1-5" % s, "timeZone": "Europe/Paris", "template": app_spec()},
            },
        )

    with concurrent.futures.ThreadPoolExecutor(SCHEDULES) as pool:
        list(pool.map(schedule, range(SCHEDULES)))
    for s in range(SCHEDULES):
        name = "nightly-%02d" % s
        for r in range(RUNS):
            jobs.append(
                ("%s-%d" % (name, 1767250800 + r * 86400), dict(labels(name), **{SCHEDULE_LABEL: name}), r)
            )
    for a in range(APPS):
        name = "app-%03d" % a
        jobs.append((name, labels(name), a))

    def create(job):
        name, lab, i = job
        kube.ok(
            "POST",
            apps,
            {
                "apiVersion": "sparkoperator.k8s.io/v1beta2",
                "kind": "SparkApplication",
                "metadata": {
                    "name": name,
                    "labels": lab,
                    "annotations": annotations(lab["spark-k8s.jupyter.org/app"]),
                },
                "spec": app_spec(),
            },
        )
        day = 1 + i % 28
        failed = i % 10 == 3
        state = (
            {"state": "FAILED", "errorMessage": "driver container failed with ExitCode: 1"}
            if failed
            else {"state": "COMPLETED"}
        )
        kube.ok(
            "PATCH",
            "%s/%s/status" % (apps, name),
            {
                "status": {
                    "applicationState": state,
                    "driverInfo": {"podName": name + "-driver"},
                    "submissionAttempts": 1,
                    "executionAttempts": 1,
                    "lastSubmissionAttemptTime": "2026-11-%02dT06:00:00Z" % day,
                    "terminationTime": "2026-11-%02dT06:04:%02dZ" % (day, i % 60),
                }
            },
            content_type="application/merge-patch+json",
        )

    # Each request is a connection of its own: many at once hide the latency.
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        list(pool.map(create, jobs))


def run_lab(kc, expect, rounds, port, out):
    env = dict(
        os.environ,
        KUBECONFIG=str(kc),
        POD_NAME=DRIVER_POD,
        POD_IP="127.0.0.1",
        GALATA_PORT=str(port),
        BENCH_ROUNDS=str(rounds),
        BENCH_EXPECT=json.dumps(expect),
        BENCH_OUT=str(out),
    )
    proc = subprocess.run(
        ["npx", "playwright", "test", "-c", "bench/playwright.config.js"],
        cwd=REPO / "ui-tests",
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit("the Galata benchmark failed:\n" + proc.stdout[-4000:] + proc.stderr[-4000:])
    return json.loads(pathlib.Path(out).read_text())


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def median(values):
    return pct(values, 50)


def breakdown(result):
    """Median ms after the command of each of the view's marks, and the snapshot's transfer."""
    names = []
    for m in result.get("marks", []):
        names += [n for n in m if n not in names]
    marks = ", ".join("%s %.0f" % (n, median([m[n] for m in result["marks"] if n in m])) for n in names)
    snap = result.get("snapshot") or {}
    return (
        "marks (median ms after the command): %s; snapshot %.0f kB, received in %.0f ms, parsed in %.0f ms"
        % (
            marks or "none",
            snap.get("bytes", 0) / 1000,
            snap.get("receivedMs", 0),
            snap.get("parseMs", 0),
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=int(os.environ.get("GALATA_PORT", "8891")))
    parser.add_argument(
        "--keep", action="store_true", help="leave the namespaces (and print how to reuse them)"
    )
    parser.add_argument("--reuse", metavar="DIR", help="the directory a --keep run printed: skip the setup")
    args = parser.parse_args()
    began = time.monotonic()
    cluster, own = bench_cluster()
    made = []
    try:
        kube = cluster.kube()
        if args.reuse:
            tmp = pathlib.Path(args.reuse)
            empty, full = json.loads((tmp / "namespaces.json").read_text())
        else:
            tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-view-"))
            suffix = uuid.uuid4().hex[:6]
            empty, full = "jvb-empty-" + suffix, "jvb-full-" + suffix
            made += [empty, full]
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                list(
                    pool.map(
                        lambda ns: jupyter_namespace(cluster, ns, REPO / "deploy" / "rbac.yaml", tmp),
                        (empty, full),
                    )
                )
            populate(kube, full)
            (tmp / "namespaces.json").write_text(json.dumps([empty, full]))
        print("set up in %.0f s" % (time.monotonic() - began), flush=True)
        base = run_lab(
            tmp / ("%s.kubeconfig" % empty),
            {"applications": 0, "schedules": 0},
            args.rounds,
            args.port,
            tmp / "empty.json",
        )
        loaded = run_lab(
            tmp / ("%s.kubeconfig" % full),
            {"applications": APPS, "schedules": SCHEDULES},
            args.rounds,
            args.port,
            tmp / "full.json",
        )
        b, f = base["ms"], loaded["ms"]
        print(
            "Jobs view opening in JupyterLab (command to rows painted, %d cold page loads each; "
            "shared, loaded machine):\n"
            "  %d applications + %d schedules with %d runs: median %.0f ms, p95 %.0f ms (%d rows rendered)\n"
            "    %s\n"
            "  empty namespace (baseline): median %.0f ms, p95 %.0f ms\n"
            "    %s\n"
            "  ratio of medians %.2f; goal: < 500 ms with the load (%s)\n"
            "  whole run %.0f s"
            % (
                len(f),
                APPS,
                SCHEDULES,
                SCHEDULES * RUNS,
                median(f),
                pct(f, 95),
                loaded["rows"],
                breakdown(loaded),
                median(b),
                pct(b, 95),
                breakdown(base),
                median(f) / max(median(b), 1e-3),
                "met" if median(f) < 500 else "missed",
                time.monotonic() - began,
            )
        )
    finally:
        if args.keep:
            print("kept: python bench/jobs_view_open.py --reuse %s" % tmp)
        else:
            for ns in made:
                # The API server deletes what the namespace holds on its own.
                kube.request("DELETE", "/api/v1/namespaces/%s" % ns)
        if own:
            cluster.stop()


if __name__ == "__main__":
    main()
