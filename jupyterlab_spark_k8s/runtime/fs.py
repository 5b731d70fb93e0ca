"""dbutils.fs on any Hadoop path through Spark's JVM (file:, s3a:, …), Databricks paths mapped.

On a Spark Connect session the kernel has no JVM: ``ls`` and ``head`` go through Spark
itself (the ``binaryFile`` source lists and reads files where the server runs); the
commands that change files say they need a classic session.
"""

import urllib.parse
from collections import namedtuple

from .connect import is_connect
from .errors import SparkK8sError
from .sql import map_path
from .state import require_session

FileInfo = namedtuple("FileInfo", ["path", "name", "size", "modificationTime"])


def _connect_files(spark, path, columns):
    """The files under `path` (recursively) as rows of `columns`, read by the Connect server."""
    try:
        return (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(path)
            .select(*columns)
            .collect()
        )
    except Exception as exc:  # noqa: BLE001 - Spark's own words, first line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "PATH_NOT_FOUND" in first or "does not exist" in first:
            raise SparkK8sError(f"{path} does not exist (as the Spark Connect server sees it).") from None
        raise SparkK8sError(f"Listing {path} through Spark Connect failed: {first}") from None


def _location(path):
    """A path without its scheme (``file:/a`` and ``/a`` are one place), for comparing."""
    parsed = urllib.parse.urlparse(path)
    return (parsed.netloc + "/" + parsed.path.lstrip("/")).rstrip("/")


def _connect_ls(spark, path):
    """Immediate children of `path`: its files, and its folders that hold visible files."""
    target = map_path(path)
    base = _location(target)
    rows = _connect_files(spark, target, ["path", "length", "modificationTime"])
    children = {}
    for row in rows:
        full = row["path"]
        where = _location(full)
        if where == base:  # `path` is a file itself
            return [FileInfo(full, full.rsplit("/", 1)[-1], row["length"], _millis(row))]
        rest = where[len(base) :].lstrip("/") if where.startswith(base + "/") else where.rsplit("/", 1)[-1]
        name, _, deeper = rest.partition("/")
        if deeper:
            folder = full[: len(full) - len(rest)] + name + "/"
            children.setdefault(name + "/", FileInfo(folder, name + "/", 0, 0))
        else:
            children[name] = FileInfo(full, name, row["length"], _millis(row))
    return [children[name] for name in sorted(children)]


def _millis(row):
    when = row["modificationTime"]
    return int(when.timestamp() * 1000) if when is not None else 0


def _connect_only(verb):
    raise SparkK8sError(
        f"dbutils.fs.{verb} is not available on a Spark Connect session: the kernel has no Hadoop to "
        "change files with. ls and head work (through Spark); change files with SQL or the DataFrame "
        "writer, or start a classic (local, kubernetes or standalone) session."
    )


class Fs:
    """dbutils.fs."""

    def _fs(self, path, verb="ls"):
        spark = require_session()
        if is_connect(spark):
            _connect_only(verb)
        jvm = spark.sparkContext._jvm
        p = jvm.org.apache.hadoop.fs.Path(map_path(path))
        return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), p, jvm

    def ls(self, path):
        spark = require_session()
        if is_connect(spark):
            return _connect_ls(spark, path)
        fs, p, _ = self._fs(path)
        out = []
        for st in fs.listStatus(p):
            slash = "/" if st.isDirectory() else ""
            out.append(
                FileInfo(
                    str(st.getPath().toString()) + slash,
                    st.getPath().getName() + slash,
                    st.getLen(),
                    st.getModificationTime(),
                )
            )
        return out

    def mkdirs(self, path):
        fs, p, _ = self._fs(path, "mkdirs")
        return bool(fs.mkdirs(p))

    def rm(self, path, recurse=False):
        fs, p, _ = self._fs(path, "rm")
        return bool(fs.delete(p, bool(recurse)))

    def cp(self, src, dst, recurse=False):
        sfs, sp, jvm = self._fs(src, "cp")
        dfs, dp, _ = self._fs(dst, "cp")
        if sfs.getFileStatus(sp).isDirectory() and not recurse:
            raise SparkK8sError(f"{src} is a directory: use recurse=True.")
        conf = require_session().sparkContext._jsc.hadoopConfiguration()
        return bool(jvm.org.apache.hadoop.fs.FileUtil.copy(sfs, sp, dfs, dp, False, conf))

    def mv(self, src, dst, recurse=False):
        if is_connect(require_session()):
            _connect_only("mv")
        copied = self.cp(src, dst, recurse)
        return copied and self.rm(src, True)

    def head(self, path, maxBytes=65536):
        spark = require_session()
        if is_connect(spark):
            from pyspark.sql.functions import col, substring

            rows = _connect_files(
                spark, map_path(path), [substring(col("content"), 1, int(maxBytes)).alias("c")]
            )
            if len(rows) != 1:
                raise SparkK8sError(f"{path} is not a file: dbutils.fs.head reads one file.")
            return bytes(rows[0]["c"] or b"").decode("utf-8", "replace")
        fs, p, _ = self._fs(path)
        stream = fs.open(p)
        try:
            data = bytearray()
            while len(data) < maxBytes:
                b = stream.read()
                if b < 0:
                    break
                data.append(b)
        finally:
            stream.close()
        return data.decode("utf-8", "replace")

    def put(self, path, contents, overwrite=False):
        fs, p, _ = self._fs(path, "put")
        if fs.exists(p) and not overwrite:
            raise SparkK8sError(f"{path} exists: pass overwrite=True to replace it.")
        stream = fs.create(p, bool(overwrite))
        try:
            stream.write(bytearray(str(contents).encode("utf-8")))
        finally:
            stream.close()
        return True


fs = Fs()
