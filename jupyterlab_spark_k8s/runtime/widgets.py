"""dbutils.widgets, and which widget set is current.

The kernel (or script) has one widget set. A notebook started by dbutils.notebook.run
gets a fresh one holding its arguments; while it runs, that set is *current* (a context
variable, so a worker thread sees its own), and %sql cells and getArgument read it.
"""

import contextlib
import contextvars

from .errors import SparkK8sError


class Widgets:
    """dbutils.widgets with Databricks semantics: string values, first declaration wins."""

    def __init__(self, values=None):
        self._defs = {}
        self._values = {}
        if values:
            self.set_values(values)

    def _defined(self, name):
        return str(name) in self._defs or str(name) in self._values

    def _declare(self, kind, name, default, choices=None, label=None):
        name = str(name)
        if name in self._defs:
            return
        default = "" if default is None else str(default)
        if choices is not None:
            choices = [str(c) for c in choices]
            if kind != "combobox":
                for value in default.split(",") if kind == "multiselect" else [default]:
                    if value not in choices:
                        raise SparkK8sError(
                            f"The default {value!r} of widget {name!r} is not one of its choices {choices!r}."
                        )
        self._defs[name] = {"type": kind, "default": default, "choices": choices, "label": label or name}

    def text(self, name, defaultValue="", label=None):
        self._declare("text", name, defaultValue, None, label)

    def dropdown(self, name, defaultValue, choices, label=None):
        self._declare("dropdown", name, defaultValue, choices, label)

    def combobox(self, name, defaultValue, choices, label=None):
        self._declare("combobox", name, defaultValue, choices, label)

    def multiselect(self, name, defaultValue, choices, label=None):
        self._declare("multiselect", name, defaultValue, choices, label)

    def get(self, name):
        name = str(name)
        if name in self._values:
            value = self._values[name]
        elif name in self._defs:
            value = self._defs[name]["default"]
        else:
            raise SparkK8sError(
                f"No widget named {name!r} is defined: declare it (dbutils.widgets.text({name!r}, "
                '"default")) or pass it as a parameter.'
            )
        return ",".join(value) if isinstance(value, (list, tuple)) else str(value)

    def getArgument(self, name, defaultValue=None):
        if defaultValue is not None and not self._defined(name):
            return str(defaultValue)
        return self.get(name)

    def getAll(self):
        return {name: self.get(name) for name in list(dict.fromkeys([*self._defs, *self._values]))}

    def remove(self, name):
        self._defs.pop(str(name), None)
        self._values.pop(str(name), None)

    def removeAll(self):
        self._defs.clear()
        self._values.clear()

    def set_values(self, values):
        """Values from the parameter bar, a %run or a job's arguments; they win over defaults."""
        for name, value in dict(values).items():
            self._values[str(name)] = value

    def describe(self):
        """Declared widgets with their current values, for the parameter bar."""
        return {name: dict(spec, value=self.get(name)) for name, spec in self._defs.items()}


kernel_widgets = Widgets()
"""The widgets of the kernel's (or script's) own notebook."""

_current = contextvars.ContextVar("spark_k8s_widgets", default=None)


def current():
    """The widget set of the notebook running now."""
    widgets = _current.get()
    return kernel_widgets if widgets is None else widgets


@contextlib.contextmanager
def using(widgets):
    """Make `widgets` current for the duration of the block."""
    token = _current.set(widgets)
    try:
        yield widgets
    finally:
        _current.reset(token)


def getArgument(name, defaultValue=None):
    """Databricks' getArgument: the current notebook's widget value."""
    return current().getArgument(name, defaultValue)


class WidgetsBundle:
    """Declared widgets as JSON, for the parameter bar (through user_expressions)."""

    def _repr_json_(self):
        return kernel_widgets.describe()


def widgets_bundle():
    return WidgetsBundle()


def set_widget_values(values):
    """The parameter bar's values; the same as dbutils.widgets.set_values."""
    kernel_widgets.set_values(values)
