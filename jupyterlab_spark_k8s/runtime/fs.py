"""dbutils.fs on any Hadoop path through Spark's JVM (file:, s3a:, …), Databricks paths mapped."""

from collections import namedtuple

from .errors import SparkK8sError
from .sql import map_path
from .state import require_session

FileInfo = namedtuple("FileInfo", ["path", "name", "size", "modificationTime"])


class Fs:
    """dbutils.fs."""

    def _fs(self, path):
        spark = require_session()
        jvm = spark.sparkContext._jvm
        p = jvm.org.apache.hadoop.fs.Path(map_path(path))
        return p.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), p, jvm

    def ls(self, path):
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
        fs, p, _ = self._fs(path)
        return bool(fs.mkdirs(p))

    def rm(self, path, recurse=False):
        fs, p, _ = self._fs(path)
        return bool(fs.delete(p, bool(recurse)))

    def cp(self, src, dst, recurse=False):
        sfs, sp, jvm = self._fs(src)
        dfs, dp, _ = self._fs(dst)
        if sfs.getFileStatus(sp).isDirectory() and not recurse:
            raise SparkK8sError(f"{src} is a directory: use recurse=True.")
        conf = require_session().sparkContext._jsc.hadoopConfiguration()
        return bool(jvm.org.apache.hadoop.fs.FileUtil.copy(sfs, sp, dfs, dp, False, conf))

    def mv(self, src, dst, recurse=False):
        copied = self.cp(src, dst, recurse)
        return copied and self.rm(src, True)

    def head(self, path, maxBytes=65536):
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
        fs, p, _ = self._fs(path)
        if fs.exists(p) and not overwrite:
            raise SparkK8sError(f"{path} exists: pass overwrite=True to replace it.")
        stream = fs.create(p, bool(overwrite))
        try:
            stream.write(bytearray(str(contents).encode("utf-8")))
        finally:
            stream.close()
        return True


fs = Fs()
