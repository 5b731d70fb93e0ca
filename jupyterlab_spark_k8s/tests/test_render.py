"""The result table a display() or %sql publishes, on real PySpark: types, values, limits, safety."""

import json

import pytest

TABLE_MIME = "application/vnd.spark-k8s.table+json"


@pytest.fixture
def shown(session):
    """display() through the runtime, the published bundles collected (as a job's sink does)."""
    runtime, ns, _ = session
    bundles = []

    def show(df, **kwargs):
        with runtime.output.capture_displays(bundles.append):
            runtime.display(df, **kwargs)
        # What Jupyter stores is JSON: every value must survive a round trip unchanged.
        return json.loads(json.dumps(bundles[-1], allow_nan=False))

    return ns["spark"], show


def by_name(table):
    fields = table["schema"]["fields"]
    return [dict(zip((f["name"] for f in fields), row, strict=True)) for row in table["rows"]], {
        f["name"]: f for f in fields
    }


def test_values_keep_their_spark_types(shown):
    spark, show = shown
    zone = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "Europe/Oslo")
    try:
        bundle = show(
            spark.sql(
                """SELECT CAST(NULL AS STRING) AS missing, 'null' AS text, 42 AS i, 9007199254740993L AS big,
                1.5D AS dbl, CAST('NaN' AS DOUBLE) AS nan, true AS flag,
                CAST('12345678901234567890.123456780' AS DECIMAL(38,9)) AS amount,
                TIMESTAMP '2024-03-01 12:34:56.789' AS ts, TIMESTAMP_NTZ '2024-07-01 08:00:00' AS local_ts,
                DATE '2024-03-01' AS day, X'CAFE00' AS raw, array(1, NULL, 3) AS arr,
                map('a', 1, 'b', NULL) AS m, named_struct('city', 'Oslo', 'zip', 1234) AS place,
                array(named_struct('k', map(1, array('x')))) AS deep"""
            )
        )
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    table = bundle[TABLE_MIME]
    [row], fields = by_name(table)
    assert row["missing"] is None and row["text"] == "null"
    assert row["i"] == 42 and row["big"] == "9007199254740993" and row["dbl"] == 1.5 and row["nan"] == "NaN"
    assert row["flag"] is True
    assert row["amount"] == "12345678901234567890.123456780"
    assert row["ts"] == "2024-03-01T12:34:56.789000+01:00"
    assert row["local_ts"] == "2024-07-01T08:00:00"
    assert row["day"] == "2024-03-01"
    assert row["raw"] == "cafe00"
    assert row["arr"] == [1, None, 3]
    assert row["m"] == [["a", 1], ["b", None]]
    assert row["place"] == {"city": "Oslo", "zip": 1234}
    assert row["deep"] == [{"k": [[1, ["x"]]]}]
    assert table["timeZone"] == "Europe/Oslo"
    assert {n: (f["type"], f["kind"]) for n, f in fields.items()} == {
        "missing": ("string", "string"),
        "text": ("string", "string"),
        "i": ("int", "number"),
        "big": ("bigint", "number"),
        "dbl": ("double", "number"),
        "nan": ("double", "number"),
        "flag": ("boolean", "boolean"),
        "amount": ("decimal(38,9)", "decimal"),
        "ts": ("timestamp", "timestamp"),
        "local_ts": ("timestamp_ntz", "timestamp_ntz"),
        "day": ("date", "date"),
        "raw": ("binary", "binary"),
        "arr": ("array<int>", "array"),
        "m": ("map<string,int>", "map"),
        "place": ("struct<city:string,zip:int>", "struct"),
        "deep": ("array<struct<k:map<int,array<string>>>>", "array"),
    }
    # The fallbacks for other frontends: no Python reprs, NULL marked apart from the string.
    text, markup = bundle["text/plain"], bundle["text/html"]
    assert "Row(" not in text and "{'" not in text
    assert '{"city": "Oslo", "zip": 1234}' in text and "0xcafe00" in text
    assert (
        '<em class="jp-SparkK8s-null">NULL</em>' in markup
        and '<td style="text-align: left">null</td>' in markup
    )


def test_rows_are_bounded_and_say_whether_more_exist(shown):
    spark, show = shown
    table = show(spark.range(25), limit=10)[TABLE_MIME]
    assert [r[0] for r in table["rows"]] == list(range(10))
    assert table["limit"] == 10 and table["more"] is True
    table = show(spark.range(10), limit=10)[TABLE_MIME]
    assert len(table["rows"]) == 10 and table["more"] is False
    assert show(spark.range(0), limit=10)[TABLE_MIME]["rows"] == []


def test_only_the_shown_rows_are_computed(shown):
    spark, show = shown
    # Row 30 onwards fails when computed: a display of 10 rows must never get there.
    df = spark.range(0, 1000, 1, 1).selectExpr("IF(id < 30, id, raise_error('computed too far')) AS id")
    table = show(df, limit=10)[TABLE_MIME]
    assert len(table["rows"]) == 10 and table["more"] is True


def test_hostile_strings_stay_data(shown):
    spark, show = shown
    hostile = '</script><img src=x onerror=alert(1)>"},{"x":1}\u2028'
    df = spark.createDataFrame([(hostile, {hostile: hostile})], f"`{hostile}` string, m map<string,string>")
    bundle = show(df)
    table = bundle[TABLE_MIME]
    assert table["schema"]["fields"][0]["name"] == hostile
    assert table["rows"] == [[hostile, [[hostile, hostile]]]]
    assert "<img" not in bundle["text/html"] and "</script>" not in bundle["text/html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in bundle["text/html"]


def test_plain_rows_get_kinds_from_their_values(runtime):
    bundle = runtime.render.table_bundle(
        ["path", "size", "when"], [("dbfs:/a", 12, None), ("dbfs:/<b>", None, None)], False, 2
    )
    table = bundle[TABLE_MIME]
    assert [f["kind"] for f in table["schema"]["fields"]] == ["string", "number", "string"]
    assert table["rows"] == [["dbfs:/a", 12, None], ["dbfs:/<b>", None, None]]
    assert "&lt;b&gt;" in bundle["text/html"]
