#!/usr/bin/env bash
# Runs every test against real components: core unit tests (Node), runtime and CLI
# tests on real PySpark, the service and Spark's Kubernetes backend against a real
# API server (etcd + kube-apiserver + kube-scheduler + kwok on loopback, built from
# Go modules and cached), and Galata tests in Debian's Chromium on a real JupyterLab.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || { echo "setup failed"; exit 1; }
. .venv/bin/activate

failed=()
step() {
  local name=$1
  shift
  echo "=== $name ($(date +%T))"
  "$@" || failed+=("$name")
}

step "lint" npm run lint --silent
step "core unit tests" npm test --silent
# Figures, not pass/fail: publish objects for a 500-cell notebook vs its plain script.
step "manifest benchmark" bash -c 'npx esbuild bench/manifest_bench.ts --bundle --platform=node \
  --outfile=build/bench/manifest_bench.js --log-level=warning && node build/bench/manifest_bench.js'
# Figures: the Jobs view's model opening on 200 applications and 2,000 runs vs parsing them.
step "jobs view benchmark" bash -c 'npx esbuild bench/jobs_view_bench.ts --bundle --platform=node \
  --outfile=build/bench/jobs_view_bench.js --log-level=warning && node build/bench/jobs_view_bench.js'

echo "=== test cluster ($(date +%T); the first build takes several minutes, cached after)"
state=$(mktemp -d /tmp/spark-k8s-cluster.XXXXXX)
trap 'python tests/cluster/cluster.py stop "$state"' EXIT
if python tests/cluster/cluster.py start "$state" >/dev/null; then
  export SPARK_K8S_TEST_STATE="$state"
else
  echo "the test cluster did not start; logs in $state"
  failed+=("test cluster")
fi

# Spark's own standalone master + worker and Connect server, and an S3-compatible server,
# on loopback; the runtime tests, the CLI tests and the UI tests use them.
servers=$(mktemp -d /tmp/spark-k8s-servers.XXXXXX)
trap 'python tests/servers/s3.py stop "$servers/s3"; python tests/servers/spark.py stop "$servers/spark";
  python tests/cluster/cluster.py stop "$state"' EXIT
mkdir -p "$servers/spark" "$servers/s3"
for kind in spark s3; do
  echo "=== $kind test servers ($(date +%T))"
  if python "tests/servers/$kind.py" start "$servers/$kind" >/dev/null; then
    while IFS= read -r line; do export "${line?}"; done < <(python "tests/servers/$kind.py" env "$servers/$kind")
  else
    echo "the $kind test servers did not start; logs in $servers/$kind"
    failed+=("$kind test servers")
  fi
done

step "python tests" python -m pytest -q jupyterlab_spark_k8s/tests tests/integration
if [ -n "${SPARK_K8S_TEST_STATE:-}" ]; then
  # Figures, not pass/fail: API requests of an idle panel, and stream delay vs a direct watch.
  step "watch benchmark" python bench/watch_bench.py --idle-seconds "${SPARK_K8S_BENCH_IDLE:-60}" --pods 10
  # Publish through the service (dry run, apply, owner reference, cleanup) vs a direct apply.
  step "publish benchmark" python bench/publish_bench.py --versions 20
  # The Jobs view with 200 applications: change -> stream delay vs a direct watch, idle requests.
  step "jobs benchmark" python bench/jobs_bench.py --apps 200 --changes 40 --idle-seconds 120
fi
step "progress benchmark" python bench/progress_bench.py --runs 20
step "display benchmark" python bench/display_bench.py
# Figures: session start per profile kind (local, standalone, connect, kubernetes) vs the same
# SparkSession built by hand.
step "session start benchmark" python bench/session_start_bench.py --runs 3

if [ -n "${SPARK_K8S_TEST_STATE:-}" ]; then
  # JupyterLab runs as if in namespace "lab" of the test cluster.
  while IFS= read -r line; do export "${line?}"; done < <(python tests/cluster/cluster.py lab-env "$state")
fi
# The UI tests' notebooks and output are kept to be scanned for the secrets they used.
artifacts=$(mktemp -d /tmp/spark-k8s-artifacts.XXXXXX)
mkdir -p "$artifacts/galata-root"
export JUPYTERLAB_GALATA_ROOT_DIR="$artifacts/galata-root"
export SPARK_K8S_SECRET_DEMO_TOKEN=galata-secret-value
step "galata ui tests" bash -c 'set -o pipefail; cd ui-tests && npx playwright test 2>&1 | tee "$0/galata.log"' "$artifacts"
if [ -n "${SPARK_K8S_TEST_STATE:-}" ]; then
  step "secret scan of the ui tests' artifacts" python tests/scan_artifacts.py "$state" \
    "$artifacts" ui-tests/test-results
fi
if [ -n "${SPARK_K8S_TEST_STATE:-}" ]; then
  step "jobs view open benchmark" python bench/jobs_view_open.py --rounds 5
fi
step "lab load benchmark" python bench/lab_load_bench.py --rounds 10

if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed ($(date +%T))"
