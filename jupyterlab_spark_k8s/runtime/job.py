"""Script and job mode: widget values from the environment or the command line, and the end.

A generated script (``python3 notebook.py``) or a published Spark job runs the runtime
outside a kernel. A published job also sets ``SPARK_K8S_JOB=1`` (job mode): there a cell
that cannot run (%scala, %r) fails the job instead of being skipped.

Widget values, which win over the widgets' defaults, come from

- ``SPARK_K8S_WIDGETS``: a JSON object {name: value};
- then the command line of a script or job: ``--name value`` or ``--name=value``.
"""

import json
import os
import sys

from .contract import WIDGETS_ENV
from .errors import SparkK8sError
from .notebook import in_notebook_run
from .output import in_ipython
from .session import stop_session
from .widgets import kernel_widgets

JOB_ENV = "SPARK_K8S_JOB"


def is_job_mode():
    """True in a published job (SPARK_K8S_JOB=1)."""
    return os.environ.get(JOB_ENV) == "1"


def widget_values_from_env(environ=None):
    raw = (os.environ if environ is None else environ).get(WIDGETS_ENV)
    if not raw:
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        values = None
    if not isinstance(values, dict):
        raise SparkK8sError(f"{WIDGETS_ENV} must be a JSON object of widget values, not {raw!r}.")
    return {str(k): v if isinstance(v, (list, tuple)) else str(v) for k, v in values.items()}


def widget_values_from_argv(argv):
    """``--name value`` and ``--name=value`` pairs; other arguments are left alone."""
    values = {}
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and len(arg) > 2:
            name, eq, value = arg[2:].partition("=")
            if eq:
                values[name] = value
            elif i + 1 < len(args):
                values[name] = args[i + 1]
                i += 1
        i += 1
    return values


def _script_argv():
    """The arguments of a script or job, or None in a kernel, a test runner or `python -c`."""
    if in_ipython():
        return None
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    is_script = (
        main_file is not None
        and getattr(main, "__spec__", None) is None
        and str(main_file).endswith(".py")
        and bool(sys.argv)
        and os.path.abspath(sys.argv[0]) == os.path.abspath(main_file)
    )
    return sys.argv[1:] if is_script or (is_job_mode() and sys.argv) else None


def load_widget_values():
    """At import: give the kernel's widgets the values a script or job was started with."""
    kernel_widgets.set_values(widget_values_from_env())
    argv = _script_argv()
    if argv:
        kernel_widgets.set_values(widget_values_from_argv(argv))


def finish_script():
    """End of a generated script or job: stop Spark so the JVM exits cleanly.

    A notebook run by dbutils.notebook.run shares its caller's session: leave it running.
    """
    if not in_notebook_run():
        stop_session()
