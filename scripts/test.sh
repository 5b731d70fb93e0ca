#!/usr/bin/env bash
# Runs every test: core unit tests (Node), runtime and CLI tests on real PySpark
# (pytest), and Galata tests in Debian's Chromium against a real JupyterLab.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || { echo "setup failed"; exit 1; }
. .venv/bin/activate

failed=()
step() {
  local name=$1
  shift
  echo "=== $name"
  "$@" || failed+=("$name")
}
step "core unit tests" npm test --silent
step "python tests" python -m pytest -q jupyterlab_spark_k8s/tests
step "galata ui tests" bash -c 'cd ui-tests && npx playwright test'

if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
