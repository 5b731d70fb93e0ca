"""display and displayHTML: a Spark DataFrame as a bounded table, the rest as Jupyter shows it."""

import html

from .contract import DEFAULT_ROW_LIMIT
from .output import in_ipython, publish


def is_spark_dataframe(obj):
    module = type(obj).__module__ or ""
    return module.startswith("pyspark.sql") and type(obj).__name__ == "DataFrame"


def _cell_text(value):
    if value is None:
        return "null"
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


def table_bundle(columns, rows, truncated, limit):
    """Rows as an HTML table and a text table, with a note on how many there are."""
    cells = [[_cell_text(v) for v in row] for row in rows]
    note = (
        f"Showing the first {limit:,} rows; the result has more."
        if truncated
        else f"{len(rows):,} row{'' if len(rows) == 1 else 's'}"
    )
    widths = [len(c) for c in columns]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values):
        return "|" + "|".join(f" {v.ljust(widths[i])} " for i, v in enumerate(values)) + "|"

    text = "\n".join([sep, line(columns), sep] + [line(r) for r in cells] + [sep, note])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>{}</tr>".format("".join(f"<td>{html.escape(v)}</td>" for v in row)) for row in cells)
    markup = (
        f'<div class="jp-SparkK8s-table"><table class="dataframe"><thead><tr>{head}</tr></thead>'
        f'<tbody>{body}</tbody></table><p class="jp-SparkK8s-tableNote">{html.escape(note)}</p></div>'
    )
    return {"text/html": markup, "text/plain": text}


def display(*objs, limit=DEFAULT_ROW_LIMIT):
    """Databricks-style display: a Spark DataFrame as a bounded table, others as Jupyter shows them."""
    for obj in objs:
        if is_spark_dataframe(obj):
            rows = obj.take(limit + 1)
            truncated = len(rows) > limit
            publish(table_bundle(obj.columns, rows[:limit], truncated, limit))
        elif in_ipython():
            from IPython.display import display as ipy_display

            ipy_display(obj)
        else:
            print(obj)


def displayHTML(markup):
    """Show raw HTML, as Databricks' displayHTML does."""
    publish({"text/html": str(markup), "text/plain": "<HTML>"})
