#!/usr/bin/env bash
# Builds the labextension, the Node bundles and the wheel, and installs the wheel
# into .venv the way a user would (pip), so JupyterLab loads exactly what ships.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
# --no-save: install exactly what package-lock.json says and never rewrite it, so
# set-up leaves the work tree clean (`npm ci` would also work but wipes node_modules).
npm install --no-save --no-audit --no-fund --loglevel=error
npm run build:prod --silent
rm -rf dist
python -m build --wheel --no-isolation -o dist >/dev/null
pip install --quiet --force-reinstall --no-deps dist/jupyterlab_spark_k8s-*.whl
