#!/usr/bin/env bash
# Installs what the product (and with --test, its tests) needs on a fresh Debian 12
# machine, then builds and installs the extension from its wheel. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

packages=()
java_ok() { java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])'; }
command -v java >/dev/null && java_ok || packages+=(openjdk-17-jre-headless)
command -v npm >/dev/null || packages+=(nodejs npm)
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
if [ "$with_tests" = 1 ] && [ ! -x /usr/bin/chromium ]; then packages+=(chromium); fi
if [ "${#packages[@]}" -gt 0 ]; then
  echo "setup: installing ${packages[*]} with apt"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

bash scripts/build.sh

if [ "$with_tests" = 1 ]; then
  (cd ui-tests && npm install --no-audit --no-fund --loglevel=error)
fi
