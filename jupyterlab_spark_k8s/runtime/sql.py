"""%sql cells (widget substitution, parameter markers) and the Databricks path mapping."""

import os
import re

from .contract import DBFS_ROOT_CONF, DBFS_ROOT_ENV, DEFAULT_ROW_LIMIT
from .output import in_ipython
from .render import display
from .state import current_spark, require_session
from .widgets import current as current_widgets

# ---------------------------------------------------------------------------
# Databricks paths


def _dbfs_root():
    root = os.environ.get(DBFS_ROOT_ENV)
    spark = current_spark()
    if not root and spark is not None:
        root = spark.conf.get(DBFS_ROOT_CONF, None)
    return (root or "file://" + os.path.expanduser("~/dbfs")).rstrip("/")


def map_path(path):
    """dbfs:/x, /dbfs/x and /Volumes/x to the configured storage root; other paths unchanged."""
    path = str(path)
    for prefix in ("dbfs:/", "/dbfs/"):
        if path.startswith(prefix):
            return _dbfs_root() + "/" + path[len(prefix) :].lstrip("/")
    if path.startswith("/Volumes/"):
        return _dbfs_root() + path
    return path


_SQL_PATH = re.compile(r"""(['"`])(dbfs:/|/dbfs/|/Volumes/)([^'"`]*)\1""")


def map_sql_paths(statement):
    """Quoted dbfs:/, /dbfs/ and /Volumes/ paths in SQL, moved to the storage root."""
    return _SQL_PATH.sub(lambda m: m.group(1) + map_path(m.group(2) + m.group(3)) + m.group(1), statement)


def map_code_paths(lines):
    """An IPython input transformer: string literals that are Databricks paths, mapped.

    Only complete string tokens change, so no code can be created or broken.
    """
    import ast
    import io
    import tokenize

    source = "".join(lines)
    if "dbfs" not in source and "/Volumes/" not in source:
        return lines
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return lines
    changed = False
    out = []
    for tok in tokens:
        if tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                value = None
            if isinstance(value, str) and map_path(value) != value:
                tok = tok._replace(string=repr(map_path(value)))
                changed = True
        out.append(tok)
    if not changed:
        return lines
    return tokenize.untokenize(out).splitlines(keepends=True)


def install_path_mapping():
    if in_ipython():
        from IPython import get_ipython

        transformers = get_ipython().input_transformers_post
        if not any(getattr(t, "__name__", "") == "map_code_paths" for t in transformers):
            transformers.append(map_code_paths)


# ---------------------------------------------------------------------------
# SQL cells

_VARIABLE = re.compile(r"\$\{(\w+)\}")
_GET_ARGUMENT = re.compile(r"""getArgument\(\s*(['"])(\w+)\1\s*\)""")


def _sql_literal(value):
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def substitute(statement, widgets=None):
    """Databricks' ${name} (text) and getArgument('name') (a string literal) from widgets."""
    if widgets is None:
        widgets = current_widgets()

    def variable(m):
        return widgets.get(m.group(1)) if widgets._defined(m.group(1)) else m.group(0)

    statement = _VARIABLE.sub(variable, statement)
    return _GET_ARGUMENT.sub(lambda m: _sql_literal(widgets.get(m.group(2))), statement)


def sql_cell(items, limit=DEFAULT_ROW_LIMIT):
    """Run a %sql cell's instructions in order; display and return the last result.

    Items are ("sql", statement, marker_names), ("create_widget", type, name,
    default, choices_query_or_None) and ("remove_widget", name). Widgets are the
    current notebook's (a notebook started by dbutils.notebook.run has its own).
    """
    spark = require_session()
    widgets = current_widgets()
    result = None
    for item in items:
        kind = item[0]
        if kind == "create_widget":
            _, wtype, name, default, choices_query = item
            choices = [str(r[0]) for r in spark.sql(choices_query).collect()] if choices_query else None
            if wtype == "text":
                widgets.text(name, default)
            else:
                getattr(widgets, wtype)(name, default, choices or [default])
        elif kind == "remove_widget":
            widgets.remove(item[1])
        else:
            _, statement, markers = item
            statement = map_sql_paths(substitute(statement, widgets))
            args = {name: widgets.get(name) for name in markers}
            result = spark.sql(statement, args=args) if args else spark.sql(statement)
    if result is not None and result.columns:
        display(result, limit=limit)
    return result
