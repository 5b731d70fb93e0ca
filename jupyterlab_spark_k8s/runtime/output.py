"""Showing things: Jupyter display messages in a kernel, plain text elsewhere."""


def in_ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def publish(bundle):
    """Display a mime bundle in Jupyter; print its text form elsewhere."""
    if in_ipython():
        from IPython.display import display as ipy_display

        ipy_display(bundle, raw=True)
    else:
        print(bundle.get("text/plain", ""))
