"""jupyterlab-spark-k8s: Spark on Kubernetes for JupyterLab."""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "0.0.0+dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-spark-k8s"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_spark_k8s"}]


def _load_jupyter_server_extension(server_app):
    """Register the Spark UI, run output and History Server routes (behind Jupyter's authentication)."""
    from . import history, runs, sparkui

    sparkui.setup_handlers(server_app.web_app)
    runs.setup_handlers(server_app.web_app)
    history.setup_handlers(server_app)
    server_app.log.info(
        "jupyterlab_spark_k8s: Spark UI served under /sparkui/<port>/, executed runs under /spark-k8s/runs, "
        "Spark's History Server under /sparkhistory/"
    )
