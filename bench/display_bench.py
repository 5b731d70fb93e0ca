"""Benchmark: display() of a 10-million-row DataFrame against a 10-row one, on real local Spark.

display() collects only the rows it shows (limit + 1), so a huge result should show as fast
as a tiny one (goal: ratio of medians <= 2). Both DataFrames read a Parquet table written
once by this run (10,000,000 and 10 rows, the same columns: a number, a string, a decimal, a
timestamp and a struct), are displayed through the runtime loaded from its zip exactly as a
kernel loads it, with the published bundles captured as a job's sink does; the runs are
interleaved after a warm-up. Figures, not assertions:

    python bench/display_bench.py [--rows 10000000] [--runs 15]
"""

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
ARCHIVE = REPO / "jupyterlab_spark_k8s" / "spark_k8s_runtime.zip"

COLUMNS = (
    "id",
    "CONCAT('customer-', id) AS name",
    "CAST(id / 7 AS DECIMAL(18, 4)) AS amount",
    "TIMESTAMP '2024-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id % 86400) AS at",
    "named_struct('city', 'Oslo', 'zip', id % 10000) AS place",
)


def table(spark, directory, rows):
    path = str(pathlib.Path(directory) / f"t{rows}")
    spark.range(rows).selectExpr(*COLUMNS).write.parquet(path)
    return spark.read.parquet(path)


def timed(runtime, df):
    shown = []
    start = time.perf_counter()
    with runtime.output.capture_displays(shown.append):
        runtime.display(df)
    elapsed = time.perf_counter() - start
    assert len(shown) == 1 and shown[0][runtime.render.TABLE_MIME]["rows"], "nothing was displayed"
    return elapsed


def summary(times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(times) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    sys.path.insert(0, str(ARCHIVE))
    import spark_k8s_runtime as runtime

    ns = {}
    runtime.start_session(
        {"spark.master": "local[2]", "spark.app.name": "display-bench", "spark.ui.enabled": "false"},
        user_ns=ns,
    )
    spark = ns["spark"]
    try:
        with tempfile.TemporaryDirectory(prefix="display-bench-") as directory:
            start = time.perf_counter()
            big = table(spark, directory, args.rows)
            small = table(spark, directory, 10)
            print(f"wrote {args.rows:,} + 10 rows of Parquet in {time.perf_counter() - start:.1f} s")
            for _ in range(3):
                timed(runtime, big)
                timed(runtime, small)
            big_times, small_times = [], []
            for _ in range(args.runs):
                big_times.append(timed(runtime, big))
                small_times.append(timed(runtime, small))
            ratio = statistics.median(big_times) / statistics.median(small_times)
            print(f"display of {args.rows:>10,} rows: {summary(big_times)}")
            print(f"display of {10:>10,} rows: {summary(small_times)}")
            print(f"ratio of medians (big / small): {ratio:.2f}  (goal <= 2)")
    finally:
        runtime.stop_session()


if __name__ == "__main__":
    main()
