#!/usr/bin/env bash
# Runs the product: JupyterLab with the extension and the demo notebook, local Spark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
extra=()
[ "$(id -u)" -eq 0 ] && extra+=(--allow-root)
cd examples
exec jupyter lab --ServerApp.root_dir="$PWD" "${extra[@]}" "$@" spark-demo.ipynb
