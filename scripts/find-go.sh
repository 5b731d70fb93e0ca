# Finding Go for the builds the tests need; sourced by scripts/setup.sh (which
# installs one into the cache when none is found) and tests/cluster/build.sh.
# etcd's go.mod asks for Go 1.26; a SeaweedFS build needs 1.26.6.
GO_MIN=1.26.6

# Where scripts/setup.sh --test installs Go when the machine has none new enough.
go_cache_dir() { echo "${SPARK_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jupyterlab-spark-k8s}/go"; }

# The version of the Go at $1 (e.g. 1.26.8), without switching toolchains.
go_version() { (cd / && GOTOOLCHAIN=local "$1" env GOVERSION 2>/dev/null) | sed -n 's/^go//p'; }

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# Prints the first Go >= GO_MIN on PATH, in /usr/local/go (a non-login shell may not
# have it on PATH) or in the cache; fails when there is none.
find_go() {
  local go v
  for go in "$(command -v go || true)" /usr/local/go/bin/go "$(go_cache_dir)/bin/go"; do
    [ -n "$go" ] && [ -x "$go" ] || continue
    v=$(go_version "$go" || true)
    if [ -n "$v" ] && version_ge "$v" "$GO_MIN"; then
      echo "$go"
      return 0
    fi
  done
  return 1
}
