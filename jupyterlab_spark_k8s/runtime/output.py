"""Showing things: Jupyter display messages in a kernel, plain text elsewhere.

Outside a kernel a published job's run installs a display sink (``capture_displays``),
so what ``display`` shows goes to the driver log as text and into the executed notebook
with all its forms.
"""

import contextlib

_sinks = []


def in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def publish(bundle):
    """Display a mime bundle in Jupyter; elsewhere hand it to the sink, or print its text form."""
    if in_ipython():
        from IPython.display import display as ipy_display

        ipy_display(bundle, raw=True)
    elif _sinks:
        _sinks[-1](bundle)
    else:
        print(bundle.get("text/plain", ""))


@contextlib.contextmanager
def capture_displays(sink):
    """While the block runs (outside a kernel), displayed bundles go to `sink(bundle)`."""
    _sinks.append(sink)
    try:
        yield sink
    finally:
        _sinks.remove(sink)
