#!/usr/bin/env bash
# Builds (once; cached by version) the real control plane the tests run on:
# kube-apiserver, kube-scheduler and kube-controller-manager v1.33 from
# k8s.io/kubernetes through the wrapper module in apiserver/, etcd 3.5 through
# etcd/, kwok with go install, and the kubeflow Spark operator through
# operator/ (with its SparkConnect CRD, which its controller watches).
# Prints the directory holding the binaries.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
K8S_VERSION=v1.33.13
ETCD_VERSION=v3.5.35
KWOK_VERSION=v0.7.0
SPARK_OPERATOR_VERSION=v2.5.2 # keep in step with operator/go.mod
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

if ! built kube-apiserver || ! built kube-scheduler || ! built kube-controller-manager; then
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
    -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
    -X k8s.io/component-base/version.gitTreeState=clean"
  for cmd in kube-apiserver kube-scheduler kube-controller-manager; do
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
# The operator has its own version: it lives in a directory of its own, linked
# from $bin so one directory holds every binary.
op="$cache/spark-operator-$SPARK_OPERATOR_VERSION"
if [ ! -x "$op/spark-operator" ] || [ ! -f "$op/crds/sparkoperator.k8s.io_sparkconnects.yaml" ]; then
  log "building the kubeflow Spark operator $SPARK_OPERATOR_VERSION (a few minutes, once)"
  mkdir -p "$op/crds"
  (cd "$here/operator" && go build -trimpath -o "$op/spark-operator.tmp" \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$SPARK_OPERATOR_VERSION" \
    github.com/kubeflow/spark-operator/v2/cmd/operator)
  src=$(cd "$here/operator" && go list -m -f '{{.Dir}}' github.com/kubeflow/spark-operator/v2)
  cp "$src/config/crd/bases/sparkoperator.k8s.io_sparkconnects.yaml" "$op/crds/"
  chmod u+w "$op/crds/"*
  mv "$op/spark-operator.tmp" "$op/spark-operator"
fi
ln -sfn "$op/spark-operator" "$bin/spark-operator"
ln -sfn "$op/crds" "$bin/spark-operator-crds"
echo "$bin"
