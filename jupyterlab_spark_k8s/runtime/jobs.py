"""dbutils.jobs.taskValues: values a task sets for later tasks of the same run.

A published notebook is a job of one task, so ``get`` reads what this run set earlier
(whatever ``taskKey`` names). As on Databricks, outside a job ``get`` returns
``debugValue`` (and is an error without one), so a notebook can be tried out in a kernel.
Values must be JSON-serializable; the executed notebook of a run records them.
"""

import json

from .context import is_job_mode
from .errors import SparkK8sError

_MISSING = object()


class TaskValues:
    """dbutils.jobs.taskValues."""

    def __init__(self):
        self._values = {}

    def set(self, key, value):
        key = str(key)
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise SparkK8sError(
                f"dbutils.jobs.taskValues.set({key!r}, …): the value must be JSON-serializable "
                f"(a string, number, bool, list or dict), not {type(value).__name__}."
            ) from None
        self._values[key] = value

    def get(self, taskKey, key, default=None, debugValue=None):  # noqa: N803 - Databricks' names
        key = str(key)
        if not is_job_mode():
            if debugValue is None:
                raise SparkK8sError(
                    f"dbutils.jobs.taskValues.get({taskKey!r}, {key!r}): outside a job there are no task "
                    "values; pass debugValue=… to try the notebook here."
                )
            return debugValue
        value = self._values.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if default is not None:
            return default
        raise SparkK8sError(
            f"dbutils.jobs.taskValues.get({taskKey!r}, {key!r}): no task value {key!r} was set in this run "
            "(a published notebook is a job of one task: only values it set earlier can be read); "
            "pass default=… for a value that may be missing."
        )

    def values(self):
        """What this run set, for the executed notebook."""
        return dict(self._values)


class Jobs:
    """dbutils.jobs."""

    def __init__(self):
        self.taskValues = TaskValues()

    def __repr__(self):
        return "<dbutils.jobs: taskValues>"


jobs = Jobs()
