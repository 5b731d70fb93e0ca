"""Scans what the end-to-end UI tests left behind for the secret values they used.

The values: every Secret in the test cluster's "lab" namespace (the one JupyterLab runs
against; the Galata tests create theirs there) and every ``SPARK_K8S_SECRET_*`` variable of the
environment (a job's view of a secret, as the Galata server's kernels get it). The artifacts:
the paths given (the Galata server's root folder with every notebook it saved, the test
output with the server's and kernels' output, Playwright's results, without the test source
its failure reports quote) and the control plane's
logs in the state folder, except the API server's audit log and etcd's data, which hold
Secrets by design.

    python tests/scan_artifacts.py STATE_DIR PATH...

Exit status 1 on any hit; values are never printed. Values shorter than MIN_VALUE characters
(a user name such as "etl") are not secrets worth a scan and would match ordinary words.
"""

import base64
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "cluster"))

import cluster as test_cluster  # noqa: E402
from secret_scan import _files, scan, scan_text  # noqa: E402

MIN_VALUE = 8
NAMESPACE = "lab"
NOT_SCANNED = {"audit.log", "etcd"}
# Playwright's failure report quotes the test's own source (which names the values it
# checks are absent) after this heading; the page snapshot before it is scanned.
TEST_SOURCE = "\n# Test source"


def lab_secret_values(state):
    """The decoded values of every Secret in the lab namespace."""
    kube = test_cluster.Cluster(state).kube()
    listing = kube.ok("GET", "/api/v1/namespaces/%s/secrets" % NAMESPACE)
    values = []
    for secret in listing.get("items", []):
        for encoded in (secret.get("data") or {}).values():
            values.append(base64.b64decode(encoded).decode("utf-8", errors="replace"))
    return values


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    state = pathlib.Path(argv[1])
    values = lab_secret_values(state)
    values += [v for k, v in os.environ.items() if k.startswith("SPARK_K8S_SECRET_")]
    values = sorted({v for v in values if len(v) >= MIN_VALUE})
    if not values:
        print("no secret values to look for: the UI tests created none")
        return 1
    paths = [pathlib.Path(p) for p in argv[2:] if pathlib.Path(p).exists()]
    paths += [p for p in sorted(state.iterdir()) if p.name not in NOT_SCANNED]
    hits = []
    for path in paths:
        for f in _files(path):
            if f.name == "error-context.md":
                text = f.read_text(encoding="utf-8", errors="replace").split(TEST_SOURCE)[0]
                hits += scan_text(text, values, str(f))
            else:
                hits += scan(f, values)
    for hit in hits:
        print("%s: secret #%d as %s at offset %d" % (hit.item, hit.value_index, hit.encoding, hit.offset))
    print("%d secret value(s), %d path(s), %d hit(s)" % (len(values), len(paths), len(hits)))
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
