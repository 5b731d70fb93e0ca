/**
 * Where a running driver serves its Spark UI, and how the service's proxy
 * to it keeps Spark's links under the proxy's prefix: pure, tested alone.
 */

type Obj = { [key: string]: any };

/** Spark's default UI port. */
export const DEFAULT_UI_PORT = 4040;

/** The service route under which a run's live Spark UI is proxied. */
export function driverUiPath(name: string): string {
  return `/jobs/applications/${encodeURIComponent(name)}/ui`;
}

function port(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,5}$/.test(text.trim())) {
    return null;
  }
  const n = Number(text.trim());
  return n >= 1 && n <= 65535 ? n : null;
}

/**
 * The driver's UI port: `spark.ui.port` of the application's Spark conf, else
 * the operator's `status.driverInfo.webUIPort`, else Spark's 4040.
 */
export function driverUiPort(app: unknown): number {
  const obj = (app ?? {}) as Obj;
  return (
    port(obj.spec?.sparkConf?.['spark.ui.port']) ??
    port(obj.status?.driverInfo?.webUIPort) ??
    DEFAULT_UI_PORT
  );
}

/**
 * The prefix Spark's UI lives under in the browser (its `X-Forwarded-Context`):
 * the context jupyter-server-proxy forwards (e.g. `/user/alice/spark-k8s-api`;
 * ignored unless a plain absolute path) plus the route of application `name`.
 */
export function driverUiPrefix(forwarded: unknown, name: string): string {
  const context =
    typeof forwarded === 'string' &&
    /^\/[-A-Za-z0-9._~%!$&'()*+,;=:@/]*$/.test(forwarded)
      ? forwarded.replace(/\/+$/, '')
      : '';
  return context + driverUiPath(name);
}

/**
 * A redirect of the driver's UI made relative to the service's root, as
 * jupyter-server-proxy expects (it puts its own context back in front):
 * `http://10.1.2.3:4040/user/a/spark-k8s-api/jobs/applications/x/ui/jobs/`
 * with context `/user/a/spark-k8s-api` is `/jobs/applications/x/ui/jobs/`.
 * `upstream` is the driver's origin (`http://10.1.2.3:4040`); a location on
 * another host, or relative, is returned as is.
 */
export function rewriteDriverLocation(
  location: string,
  upstream: string,
  forwarded: unknown,
  name: string
): string {
  let rest: string;
  const absolute = /^([a-z][-a-z0-9+.]*:\/\/[^/?#]*)(.*)$/i.exec(location);
  if (absolute) {
    if (absolute[1].toLowerCase() !== upstream.toLowerCase()) {
      return location;
    }
    rest = absolute[2] || '/';
  } else if (location.startsWith('/') && !location.startsWith('//')) {
    rest = location;
  } else {
    return location;
  }
  const pathname = rest.replace(/[?#].*$/, '');
  const prefix = driverUiPrefix(forwarded, name);
  const own = driverUiPath(name);
  if (pathname === prefix || pathname.startsWith(prefix + '/')) {
    return own + rest.slice(prefix.length);
  }
  // Spark without the header answers at its root: keep it under the route.
  if (!pathname.startsWith(own)) {
    return own + rest;
  }
  return rest;
}
