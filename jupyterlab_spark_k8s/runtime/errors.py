"""The exceptions the runtime raises, and ``fail`` for cells that cannot run."""

import keyword


class SparkK8sError(Exception):
    """A failure with a message meant for the notebook's author."""


class NotebookExit(Exception):
    """dbutils.notebook.exit(value): ends the notebook with a value."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value

    def _render_traceback_(self):
        return [f"Notebook exited: {self.value}"]


def _render_failure(self):
    # IPython shows this instead of a traceback through the runtime's own frames.
    return [f"{type(self).__name__}: {self}"]


_failure_classes = {}


def failure_class(kind):
    """The SparkK8sError subclass named `kind` (SparkK8sError's name if `kind` is no identifier)."""
    kind = str(kind)
    if not kind.isidentifier() or keyword.iskeyword(kind):
        kind = SparkK8sError.__name__
    cls = _failure_classes.get(kind)
    if cls is None:
        cls = type(
            kind,
            (SparkK8sError,),
            {"__module__": SparkK8sError.__module__, "_render_traceback_": _render_failure},
        )
        _failure_classes[kind] = cls
    return cls


def fail(kind, message):
    """Raise `kind: message` for a cell that cannot run (an unresolved %run, a failed start).

    The exception's class is named `kind` and subclasses SparkK8sError.
    """
    raise failure_class(kind)(str(message)) from None
