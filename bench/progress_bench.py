"""Benchmark: a cell's first Spark progress on screen, and the saved notebook's size.

Runs a real kernel (jupyter_client + ipykernel, as JupyterLab starts it) with the runtime
loaded from its archive and local Spark. It prints:

- job start → first progress message at the client (median, p95), against a baseline in
  the same run: the same job's start seen by a thread in the kernel polling
  ``statusTracker().getActiveJobsIds()`` every 10 ms (the fastest the driver can tell);
  both measured from the moment the cell calls the action. Goal: progress < 1 s.
- the saved notebook after a 100-job cell (nbclient applies update_display_data as a
  frontend does): its progress outputs and their bytes, against a 1-job cell.

    python bench/progress_bench.py [--runs 20]
"""

import argparse
import json
import pathlib
import statistics
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jupyterlab_spark_k8s.tests.test_progress import (  # noqa: E402
    PROGRESS_MIME,
    Kernel,
    _start_code,
    progress_messages,
)

CELL = """
import threading as _t, time as _time, json as _json
_seen = {}
def _poll():
    while "job" not in _seen:
        if sc.statusTracker().getActiveJobsIds():
            _seen["job"] = _time.time()
        _time.sleep(0.01)
_t.Thread(target=_poll, daemon=True).start()
_t0 = _time.time()
sc.parallelize(range(2), 2).map(lambda x: __import__("time").sleep(1.5) or x).count()
print(_json.dumps({"t0": _t0, "direct": _seen.get("job")}))
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def first_progress(kernel, runs):
    shown, direct = [], []
    for _ in range(runs):
        arrivals = {}

        def note(msg, arrivals=arrivals):
            if (
                "progress" not in arrivals
                and msg["msg_type"] == "display_data"
                and PROGRESS_MIME in msg["content"]["data"]
            ):
                arrivals["progress"] = time.time()

        received = kernel.collect(kernel.send(CELL), note)
        assert progress_messages(received), "no progress was shown"
        text = "".join(m["content"]["text"] for _, m in received if m["msg_type"] == "stream")
        times = json.loads(text.strip().splitlines()[-1])
        shown.append(arrivals["progress"] - times["t0"])
        direct.append(times["direct"] - times["t0"])
    return shown, direct


def saved_size(folder, jobs):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(_start_code() + "None"),
        nbformat.v4.new_code_cell(f"for i in range({jobs}):\n    sc.parallelize(range(4), 2).count()"),
    ]
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    path = folder / f"saved-{jobs}.ipynb"
    nbformat.write(nb, path)
    outputs = nbformat.read(path, as_version=4).cells[1].outputs
    return len(outputs), len(json.dumps(outputs)), path.stat().st_size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="progress-bench-"))
    kernel = Kernel(folder)
    try:
        kernel.run("sc.parallelize(range(2), 2).count()")  # warm the Python workers
        shown, direct = first_progress(kernel, args.runs)
    finally:
        kernel.stop()
    one = saved_size(folder, 1)
    hundred = saved_size(folder, 100)
    result = {
        "runs": args.runs,
        "first_progress_s": {"median": statistics.median(shown), "p95": percentile(shown, 95)},
        "direct_poll_s": {"median": statistics.median(direct), "p95": percentile(direct, 95)},
        "ratio_median": statistics.median(shown) / max(statistics.median(direct), 1e-6),
        "saved_1_job": {"outputs": one[0], "output_bytes": one[1], "file_bytes": one[2]},
        "saved_100_jobs": {"outputs": hundred[0], "output_bytes": hundred[1], "file_bytes": hundred[2]},
    }
    print(
        f"job start → first progress shown: median {result['first_progress_s']['median']:.3f} s, "
        f"p95 {result['first_progress_s']['p95']:.3f} s (goal < 1 s)"
    )
    print(
        f"baseline, direct statusTracker poll every 10 ms: median {result['direct_poll_s']['median']:.3f} s, "
        f"p95 {result['direct_poll_s']['p95']:.3f} s; ratio of medians {result['ratio_median']:.1f}"
    )
    print(
        f"saved notebook: 1-job cell {one[0]} output of {one[1]} bytes; "
        f"100-job cell {hundred[0]} output of {hundred[1]} bytes (file {hundred[2]} bytes)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
