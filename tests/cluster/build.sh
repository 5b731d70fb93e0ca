#!/usr/bin/env bash
# Builds (once; cached by version) the real control plane the tests run on:
# kube-apiserver and kube-scheduler v1.33 from k8s.io/kubernetes through the
# wrapper module in apiserver/, etcd 3.5 through etcd/, and kwok with go install.
# Prints the directory holding the binaries.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
K8S_VERSION=v1.33.13
ETCD_VERSION=v3.5.35
KWOK_VERSION=v0.7.0
cache="${SPARK_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jupyterlab-spark-k8s}"
bin="$cache/cluster-$K8S_VERSION-$ETCD_VERSION-kwok-$KWOK_VERSION"
mkdir -p "$bin"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
# Go: the machine's if new enough, else the one scripts/setup.sh --test installed.
. "$here/../../scripts/find-go.sh"
go=$(find_go) || { echo "cluster build: Go $GO_MIN+ is needed; run scripts/setup.sh --test" >&2; exit 1; }
export PATH="$(dirname "$go"):$PATH"

built() { [ -x "$bin/$1" ]; }
log() { echo "cluster build: $*" >&2; }

if ! built kube-apiserver || ! built kube-scheduler; then
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
    -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
    -X k8s.io/component-base/version.gitTreeState=clean"
  for cmd in kube-apiserver kube-scheduler; do
    if ! built "$cmd"; then
      log "building $cmd $K8S_VERSION (several minutes, once)"
      (cd "$here/apiserver" && go build -trimpath -ldflags "$ldflags" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd")
      mv "$bin/$cmd.tmp" "$bin/$cmd"
    fi
  done
fi
if ! built etcd; then
  log "building etcd $ETCD_VERSION"
  (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" .)
  mv "$bin/etcd.tmp" "$bin/etcd"
fi
if ! built kwok; then
  log "installing kwok $KWOK_VERSION"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
fi
echo "$bin"
