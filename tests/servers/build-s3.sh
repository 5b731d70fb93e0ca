#!/usr/bin/env bash
# Fetches (once; cached by version) the S3-compatible server the storage tests run
# against: S3Proxy (Apache-2.0, github.com/gaul/s3proxy) with its filesystem backend,
# the self-contained jar of its Maven Central release, checked by SHA-256. It runs on
# the JDK PySpark uses; nothing is built, so a cold start costs one ~55 MB download.
# Prints the jar's path.
set -euo pipefail
S3PROXY_VERSION=4.1.0
S3PROXY_SHA256=a4d025969aaf796616ed4b1e2491d87d455ce84bb28cb9db086b2e6aaa68b48d
cache="${SPARK_K8S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/jupyterlab-spark-k8s}"
dir="$cache/s3proxy-$S3PROXY_VERSION"
jar="$dir/s3proxy.jar"
if [ ! -f "$jar" ]; then
  mkdir -p "$dir"
  repo="${MAVEN_REPOSITORY:-https://repo1.maven.org/maven2}"
  url="$repo/org/gaul/s3proxy/$S3PROXY_VERSION/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
  echo "s3 build: fetching S3Proxy $S3PROXY_VERSION from Maven Central (once)" >&2
  tmp=$(mktemp "$dir/.s3proxy.XXXXXX")
  trap 'rm -f "$tmp"' EXIT
  curl --fail --silent --show-error --location --retry 3 -o "$tmp" "$url"
  got=$(sha256sum "$tmp" | cut -d' ' -f1)
  if [ "$got" != "$S3PROXY_SHA256" ]; then
    echo "s3 build: $url has SHA-256 $got, expected $S3PROXY_SHA256; not installed" >&2
    exit 1
  fi
  mv "$tmp" "$jar"
  trap - EXIT
fi
echo "$jar"
