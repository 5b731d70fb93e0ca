"""The Spark driver UI through jupyter-server-proxy, under ``<base>/sparkui/<port>/``.

Spark's UI JavaScript finds the application id by looking for the word
"proxy" in the page's path, so the stock ``/proxy/<port>/`` route breaks the
Executors page. This route reuses jupyter-server-proxy's authenticated local
proxy under a different prefix. The prefix reaches Spark as the
``X-Forwarded-Context`` header (Spark's ``uiRoot``), and Location headers of
redirects are rewritten back under it.
"""

from jupyter_server.utils import url_path_join
from jupyter_server_proxy.handlers import LocalProxyHandler

PREFIX = "sparkui"


class SparkUIHandler(LocalProxyHandler):
    """Proxy to a Spark UI on a local port; only authenticated users get through."""

    def _use_prefix(self, port):
        self.proxy_base = "%s/%s" % (PREFIX, port)

    async def http_get(self, port, proxied_path):
        if not proxied_path:
            # `<base>/sparkui/4040` -> `<base>/sparkui/4040/`, so relative links resolve.
            self.redirect(url_path_join(self.base_url, PREFIX, str(port)) + "/")
            return None
        return await self.proxy(port, proxied_path)

    async def open(self, port, proxied_path):
        self._use_prefix(port)
        return await super().open(port, proxied_path)

    def proxy(self, port, proxied_path):
        self._use_prefix(port)
        return super().proxy(port, proxied_path)


def setup_handlers(web_app):
    base_url = web_app.settings["base_url"]
    pattern = url_path_join(base_url, PREFIX, r"(\d+)(.*)")
    web_app.add_handlers(
        ".*$",
        [(pattern, SparkUIHandler, {"absolute_url": False, "host_allowlist": ["localhost", "127.0.0.1"]})],
    )
