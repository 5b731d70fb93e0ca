"""display and displayHTML: a Spark DataFrame as a bounded table, the rest as Jupyter shows it.

A table is published with three forms: ``TABLE_MIME`` (the schema with Spark's types and
the shown rows, each value encoded faithfully as JSON, for the lab's result grid), and an
HTML and a text table for other frontends, nbconvert and logs. Only the shown rows (plus
one, to know whether more exist) are ever collected.
"""

import datetime
import decimal
import html
import json
import math

from .contract import DEFAULT_ROW_LIMIT
from .output import in_ipython, publish

TABLE_MIME = "application/vnd.spark-k8s.table+json"
"""The MIME type of a result table: ``{version, schema: {fields}, rows, limit, more, timeZone}``."""

TABLE_VERSION = 1
_MAX_SAFE_INTEGER = 2**53 - 1

_NUMBER_TYPES = {"ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType"}
_KINDS = {
    "DecimalType": "decimal",
    "BooleanType": "boolean",
    "StringType": "string",
    "CharType": "string",
    "VarcharType": "string",
    "NullType": "string",
    "DateType": "date",
    "TimestampType": "timestamp",
    "TimestampNTZType": "timestamp_ntz",
    "BinaryType": "binary",
    "ArrayType": "array",
    "MapType": "map",
    "StructType": "struct",
    "DayTimeIntervalType": "interval",
    "YearMonthIntervalType": "interval",
    "CalendarIntervalType": "interval",
    "VariantType": "variant",
}


def is_spark_dataframe(obj):
    module = type(obj).__module__ or ""
    return module.startswith("pyspark.sql") and type(obj).__name__ == "DataFrame"


def kind_of(data_type):
    """The grid's kind of a Spark data type: number, decimal, string, timestamp, struct, …"""
    name = type(data_type).__name__
    if name in _NUMBER_TYPES:
        return "number"
    return _KINDS.get(name, "other")


def _zone(time_zone):
    if not time_zone:
        return None
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(time_zone)
    except Exception:  # noqa: BLE001 - an offset like "+01:00" or an unknown name: the process zone
        return None


def _timestamp(value, zone):
    """A timestamp as ISO 8601 with its offset, in the session's time zone.

    PySpark hands a TimestampType value over as a naive datetime in the Python process's
    local time; astimezone() reads it as such.
    """
    try:
        return value.astimezone(zone).isoformat() if zone else value.astimezone().isoformat()
    except (OverflowError, OSError, ValueError):
        return value.isoformat()


def _float(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _integer(value):
    return value if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER else str(value)


def encode(value, data_type, zone=None):
    """One value of a Spark type as JSON: NULL as null, decimals and huge integers as exact strings,
    timestamps in ISO 8601 with their offset, binary as hex, arrays as lists, maps as [key, value]
    pairs, structs as objects."""
    if value is None:
        return None
    name = type(data_type).__name__
    if name in ("ByteType", "ShortType", "IntegerType", "LongType"):
        return _integer(int(value))
    if name in ("FloatType", "DoubleType"):
        return _float(float(value))
    if name == "DecimalType":
        return format(value, "f") if isinstance(value, decimal.Decimal) else str(value)
    if name == "BooleanType":
        return bool(value)
    if name == "StringType" or name in ("CharType", "VarcharType"):
        return str(value)
    if name == "DateType":
        return value.isoformat()
    if name == "TimestampType":
        return _timestamp(value, zone)
    if name == "TimestampNTZType":
        return value.isoformat()
    if name == "BinaryType":
        return bytes(value).hex()
    if name == "ArrayType":
        return [encode(v, data_type.elementType, zone) for v in value]
    if name == "MapType":
        return [
            [encode(k, data_type.keyType, zone), encode(v, data_type.valueType, zone)]
            for k, v in value.items()
        ]
    if name == "StructType":
        return {f.name: encode(v, f.dataType, zone) for f, v in zip(data_type.fields, value, strict=True)}
    if name == "VariantType" and hasattr(value, "toJson"):
        return value.toJson()
    return infer_encode(value)


def infer_encode(value):
    """A plain Python value (no Spark type known) as JSON, by its own type."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if hasattr(value, "asDict"):
        return {k: infer_encode(v) for k, v in value.asDict().items()}
    if isinstance(value, dict):
        return [[infer_encode(k), infer_encode(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [infer_encode(v) for v in value]
    return str(value)


def _infer_kind(values):
    for value in values:
        if value is None:
            continue
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, (int, float)):
            return "number"
        if isinstance(value, decimal.Decimal):
            return "decimal"
        if isinstance(value, datetime.datetime):
            return "timestamp_ntz" if value.tzinfo is None else "timestamp"
        if isinstance(value, datetime.date):
            return "date"
        if isinstance(value, (bytes, bytearray)):
            return "binary"
        if isinstance(value, dict):
            return "map"
        if hasattr(value, "asDict"):
            return "struct"
        if isinstance(value, (list, tuple)):
            return "array"
        return "string"
    return "string"


def _cell_text(value, kind):
    """An encoded value as the text and HTML tables show it."""
    if value is None:
        return "NULL"
    if kind == "binary" and isinstance(value, str):
        return "0x" + value
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _note(count, truncated, limit):
    if truncated:
        return f"Showing the first {limit:,} rows; the result has more."
    return f"{count:,} row{'' if count == 1 else 's'}"


def _fallbacks(columns, kinds, encoded, truncated, limit):
    """The text and HTML tables of encoded rows."""
    cells = [[_cell_text(v, kinds[i]) for i, v in enumerate(row)] for row in encoded]
    note = _note(len(encoded), truncated, limit)
    widths = [len(c) for c in columns]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(values):
        return "|" + "|".join(f" {v.ljust(widths[i])} " for i, v in enumerate(values)) + "|"

    text = "\n".join([sep, line(columns), sep] + [line(r) for r in cells] + [sep, note])

    def td(value, raw, kind):
        align = "right" if kind in ("number", "decimal") else "left"
        if raw is None:
            return f'<td style="text-align: {align}"><em class="jp-SparkK8s-null">NULL</em></td>'
        return f'<td style="text-align: {align}">{html.escape(value)}</td>'

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>{}</tr>".format(
            "".join(td(v, raw, kinds[i]) for i, (v, raw) in enumerate(zip(row, raws, strict=True)))
        )
        for row, raws in zip(cells, encoded, strict=True)
    )
    markup = (
        f'<div class="jp-SparkK8s-table"><table class="dataframe"><thead><tr>{head}</tr></thead>'
        f'<tbody>{body}</tbody></table><p class="jp-SparkK8s-tableNote">{html.escape(note)}</p></div>'
    )
    return text, markup


def table_bundle(columns, rows, truncated, limit, fields=None, time_zone=None):
    """Rows as the grid's JSON, an HTML table and a text table, with a note on how many there are.

    `fields` are the columns' Spark types (a StructType's fields); without them each column's
    kind is inferred from its Python values (as for %fs ls).
    """
    columns = [str(c) for c in columns]
    if fields is not None:
        zone = _zone(time_zone)
        schema = [
            {
                "name": f.name,
                "type": f.dataType.simpleString(),
                "kind": kind_of(f.dataType),
                "nullable": f.nullable,
            }
            for f in fields
        ]
        encoded = [[encode(v, f.dataType, zone) for v, f in zip(row, fields, strict=True)] for row in rows]
    else:
        schema = [
            {"name": c, "type": kind, "kind": kind, "nullable": True}
            for c, kind in ((c, _infer_kind(row[i] for row in rows)) for i, c in enumerate(columns))
        ]
        encoded = [[infer_encode(v) for v in row] for row in rows]
    kinds = [f["kind"] for f in schema]
    text, markup = _fallbacks(columns, kinds, encoded, truncated, limit)
    table = {
        "version": TABLE_VERSION,
        "schema": {"fields": schema},
        "rows": encoded,
        "limit": limit,
        "more": bool(truncated),
        "timeZone": time_zone,
    }
    return {TABLE_MIME: table, "text/html": markup, "text/plain": text}


def _session_time_zone(df, fields):
    if not any("timestamp" in f.dataType.simpleString() for f in fields):
        return None
    try:
        return df.sparkSession.conf.get("spark.sql.session.timeZone")
    except Exception:  # noqa: BLE001 - the zone is a nicety; the process's own zone stands in
        return None


def dataframe_bundle(df, limit=DEFAULT_ROW_LIMIT):
    """A DataFrame's first `limit` rows as a table bundle; only limit + 1 rows are collected."""
    fields = df.schema.fields
    rows = df.limit(limit + 1).collect()
    truncated = len(rows) > limit
    time_zone = _session_time_zone(df, fields)
    return table_bundle([f.name for f in fields], rows[:limit], truncated, limit, fields, time_zone)


def display(*objs, limit=DEFAULT_ROW_LIMIT):
    """Databricks-style display: a Spark DataFrame as a bounded table, others as Jupyter shows them."""
    for obj in objs:
        if is_spark_dataframe(obj):
            publish(dataframe_bundle(obj, limit))
        elif in_ipython():
            from IPython.display import display as ipy_display

            ipy_display(obj)
        else:
            print(obj)


def displayHTML(markup):
    """Show raw HTML, as Databricks' displayHTML does."""
    publish({"text/html": str(markup), "text/plain": "<HTML>"})
