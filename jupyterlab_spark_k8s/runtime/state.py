"""The one Spark session of this process (shared by every notebook dbutils.notebook.run starts)."""

from .errors import SparkK8sError

_state = {"spark": None, "info": None, "user_ns": None, "own_conf": None}
"""own_conf: a Spark Connect session's ``spark.jupyter.*`` keys (kept in the kernel, not sent)."""


def current_spark():
    """The running SparkSession, or None."""
    return _state["spark"]


def require_session():
    spark = _state["spark"]
    if spark is None:
        raise SparkK8sError(
            "No Spark session is running in this kernel: start one from the Spark "
            "panel (or run the cell again to start the default profile)."
        )
    return spark
