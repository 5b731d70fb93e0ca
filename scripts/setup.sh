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

# Go for the test cluster build (tests/cluster/build.sh) and later Go builds: the
# machine's Go if it is new enough, else the official toolchain from the Go module
# proxy (the zip `go` itself fetches for GOTOOLCHAIN), checked against its go.sum hash
# (from sum.golang.org, pinned here) and unpacked into the cache, where
# tests/cluster/build.sh looks for it. Debian 12 only has Go 1.19.
. scripts/find-go.sh
GO_VERSION=1.26.8
declare -A GO_H1=(
  [amd64]="h1:ZOmGe1OnfREDMIdb1Qi4G9JSuDPBLGExZMQ4nis1RXM="
  [arm64]="h1:sYL/O6MqS68ML0kjsQ36WoYIpJqkw60TxizWUYUKQMc="
)
install_go() {
  local arch dest
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "setup: no Go $GO_VERSION toolchain pinned for $(uname -m); install Go >= $GO_MIN" >&2; return 1 ;;
  esac
  dest=$(go_cache_dir)
  echo "setup: installing Go $GO_VERSION into $dest (from the Go module proxy)"
  python3 - "$GO_VERSION" "$arch" "${GO_H1[$arch]}" "$dest" <<'PY'
import base64, hashlib, os, shutil, sys, tempfile, urllib.request, zipfile

version, arch, want, dest = sys.argv[1:]
mod = f"golang.org/toolchain@v0.0.1-go{version}.linux-{arch}"
proxy = os.environ.get("GOPROXY", "").split(",")[0].split("|")[0].strip()
if not proxy.startswith(("http://", "https://")):
    proxy = "https://proxy.golang.org"
url = f"{proxy.rstrip('/')}/golang.org/toolchain/@v/v0.0.1-go{version}.linux-{arch}.zip"
parent = os.path.dirname(dest)
os.makedirs(parent, exist_ok=True)
with tempfile.TemporaryDirectory(dir=parent, prefix=".go-install-") as tmp:
    path = os.path.join(tmp, "go.zip")
    with urllib.request.urlopen(url, timeout=60) as r, open(path, "wb") as f:
        shutil.copyfileobj(r, f, 1 << 20)
    with zipfile.ZipFile(path) as z:
        # go.sum's h1: hash of a module zip (golang.org/x/mod/sumdb/dirhash.Hash1).
        names = sorted(i.filename for i in z.infolist())
        summary = "".join(f"{hashlib.sha256(z.read(n)).hexdigest()}  {n}\n" for n in names)
        got = "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()
        if got != want:
            sys.exit(f"setup: {url}: hash {got}, expected {want}; not installed")
        prefix = mod + "/"
        root = os.path.join(tmp, "go")
        for info in z.infolist():
            name = info.filename
            if info.is_dir() or not name.startswith(prefix) or ".." in name.split("/"):
                continue
            target = os.path.join(root, name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    # Module zips keep no file modes: make the commands executable, as `go` does.
    for sub in ("bin", os.path.join("pkg", "tool")):
        for d, _, files in os.walk(os.path.join(root, sub)):
            for fn in files:
                os.chmod(os.path.join(d, fn), 0o755)
    old = dest + ".old"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(dest):
        os.rename(dest, old)
    os.rename(root, dest)
    shutil.rmtree(old, ignore_errors=True)
PY
  "$dest/bin/go" version
}
if [ "$with_tests" = 1 ] && ! find_go >/dev/null; then
  install_go
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt

bash scripts/build.sh

if [ "$with_tests" = 1 ]; then
  # --no-save: install exactly what ui-tests/package-lock.json says, never rewrite it.
  (cd ui-tests && npm install --no-save --no-audit --no-fund --loglevel=error)
  # The storage tests' S3-compatible server (tests/servers/build-s3.sh).
  bash tests/servers/build-s3.sh >/dev/null
  # A second kernel environment with PySpark 4.1, the newest Spark that Iceberg has a
  # runtime for: the storage tests run Delta and Iceberg in a kernel on it
  # (jupyterlab_spark_k8s/tests/test_storage.py). Pinned: PySpark and ipykernel here, every
  # other package at the version .venv has. Built in the project cache, once.
  kernel_spark=4.1.4
  cache=${SPARK_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jupyterlab-spark-k8s}
  kernel_env=$cache/kernel-spark-$kernel_spark
  ipykernel_version=$(.venv/bin/python -c 'import ipykernel; print(ipykernel.__version__)')
  kernel_pins="pyspark==$kernel_spark ipykernel==$ipykernel_version"
  if [ "$(cat "$kernel_env/.complete" 2>/dev/null)" != "$kernel_pins" ]; then
    echo "setup: building the PySpark $kernel_spark kernel environment in $kernel_env"
    rm -rf "$kernel_env"
    python3 -m venv "$kernel_env"
    constraints=$(mktemp)
    .venv/bin/pip freeze --disable-pip-version-check --exclude-editable |
      grep -viE '^(pyspark|py4j|jupyterlab[-_]spark[-_]k8s)( |=|@)' >"$constraints" || true
    # shellcheck disable=SC2086 # the pins are words
    "$kernel_env/bin/pip" install --quiet --disable-pip-version-check -c "$constraints" $kernel_pins
    rm -f "$constraints"
    echo "$kernel_pins" >"$kernel_env/.complete"
  fi
  # The storage presets' Maven packages (src/core/kernel/contract.json storage.packages,
  # for each kernel's Spark) resolved by Spark itself into the cache sessions use
  # (runtime/storage.py), so no test downloads them.
  for python in .venv/bin/python "$kernel_env/bin/python"; do
    "$python" - <<'PY'
import json, os

import pyspark
from pyspark.sql import SparkSession

contract = json.load(open("src/core/kernel/contract.json"))["storage"]["packages"]
minor = ".".join(pyspark.__version__.split(".")[:2])
tested = contract.get(minor)
if not isinstance(tested, dict):
    raise SystemExit(f"setup: no storage packages are known for Spark {minor} (contract.json storage.packages)")
packages = [p for part in ("s3", "delta", "iceberg") for p in tested.get(part) or []]
cache = os.environ.get("SPARK_K8S_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jupyterlab-spark-k8s"
)
print(f"setup: resolving the storage jars for Spark {minor} into {cache}/ivy")
spark = (
    SparkSession.builder.master("local[1]")
    .config("spark.ui.enabled", "false")
    .config("spark.jars.packages", ",".join(packages))
    .config("spark.jars.excludes", ",".join(tested["excludes"]))
    .config("spark.jars.ivy", os.path.join(cache, "ivy"))
    .getOrCreate()
)
spark.stop()
PY
  done
fi
