"""jupyter-server-proxy entry point: the Node service on a unix socket.

Being reachable only through Jupyter's authenticated proxy, the service needs no
authentication of its own; it runs on the Node runtime from PyPI.
"""

from .cli import HERE, node_executable

SERVICE_PATH = "spark-k8s-api"


def setup_service():
    return {
        "command": [node_executable(), str(HERE / "node" / "service.js"), "--socket", "{unix_socket}"],
        "unix_socket": True,
        "timeout": 30,
        "absolute_url": False,
        "launcher_entry": {"enabled": False},
    }
