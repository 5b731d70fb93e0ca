"""%sql cells (widget substitution, parameter markers) and the Databricks path mapping.

Widget values never become SQL text of their own: ``:name`` markers are passed as
``args=``, ``getArgument('name')`` becomes a quoted literal, and ``${name}`` is escaped
for the string literal or back-quoted name it stands in, or must be a number or a name.
A %sql cell turns Spark's own variable substitution off in its session (``${env:NAME}``
would show the process's environment, secrets included).
"""

import os
import re

from .contract import DBFS_ROOT_CONF, DBFS_ROOT_ENV, DEFAULT_ROW_LIMIT
from .errors import SparkK8sError
from .output import in_ipython
from .render import display
from .state import _state, current_spark, require_session
from .widgets import current as current_widgets

# ---------------------------------------------------------------------------
# Databricks paths


def _dbfs_root():
    root = os.environ.get(DBFS_ROOT_ENV)
    spark = current_spark()
    if not root:
        # A Spark Connect session keeps the runtime's own keys in the kernel.
        root = (_state["own_conf"] or {}).get(DBFS_ROOT_CONF)
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

_SUBSTITUTE = "spark.sql.variable.substitute"
_VARIABLE = re.compile(r"\$\{(\w+)\}")
_GET_ARGUMENT = re.compile(r"""getArgument\(\s*(['"])(\w+)\1\s*\)""")
# What a widget may be where ${name} stands outside quotes: a number or a (dotted) name.
_BARE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?[LSYDlsyd]?|[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _sql_literal(value):
    """A Spark SQL string literal holding exactly `value`."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _in_quotes(value, quote):
    """`value` escaped to stand inside a `quote`-delimited string literal or identifier."""
    if quote == "`":
        return value.replace("`", "``")
    return value.replace("\\", "\\\\").replace(quote, quote + quote)


def _bare(name, value):
    if not _BARE.fullmatch(value):
        raise SparkK8sError(
            f"Widget {name!r} is used bare in SQL (${{{name}}}), where only a number or a name may "
            f"stand, but its value is {value!r}. Put it in quotes ('${{{name}}}') to use it as a "
            f"string, or use the parameter marker :{name}."
        )
    # "-1" after a "-" would start a comment: a signed number goes in parentheses.
    return f"({value})" if value[0] in "-+" else value


def substitute(statement, widgets=None):
    """Databricks' ${name} and getArgument('name') from widgets, without SQL injection.

    ``${name}`` inside a string literal or a back-quoted name is escaped for it; outside
    quotes the value must be a number or a (dotted) name, else a clear error.
    ``getArgument('name')`` becomes a string literal. Comments are left alone.
    """
    if widgets is None:
        widgets = current_widgets()
    out = []
    quote = None
    i, n = 0, len(statement)
    while i < n:
        c = statement[i]
        m = _VARIABLE.match(statement, i) if c == "$" else None
        if m and widgets._defined(m.group(1)):
            value = widgets.get(m.group(1))
            out.append(_in_quotes(value, quote) if quote else _bare(m.group(1), value))
            i = m.end()
            continue
        if quote is not None:
            if c == "\\" and quote != "`":
                out.append(statement[i : i + 2])
                i += 2
                continue
            if c == quote:
                quote = None
            out.append(c)
            i += 1
            continue
        if c in "'\"`":
            quote = c
        elif statement.startswith("--", i) or statement.startswith("/*", i):
            close = "\n" if c == "-" else "*/"
            j = statement.find(close, i + 2)
            j = n if j < 0 else j + len(close)
            out.append(statement[i:j])
            i = j
            continue
        elif c == "g":
            m = _GET_ARGUMENT.match(statement, i)
            if m and (i == 0 or not (statement[i - 1].isalnum() or statement[i - 1] in "_.")):
                out.append(_sql_literal(widgets.get(m.group(2))))
                i = m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def sql_cell(items, limit=DEFAULT_ROW_LIMIT):
    """Run a %sql cell's instructions in order; display and return the last result.

    Items are ("sql", statement, marker_names), ("create_widget", type, name,
    default, choices_query_or_None) and ("remove_widget", name). Widgets are the
    current notebook's (a notebook started by dbutils.notebook.run has its own).
    """
    spark = require_session()
    # The cell's ${name} are the widgets' (substituted above, escaped); Spark's own substitution
    # would expand ${env:NAME} even inside a widget's value, showing the process's environment.
    if spark.conf.get(_SUBSTITUTE, "true").strip().lower() != "false":
        spark.conf.set(_SUBSTITUTE, "false")
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
