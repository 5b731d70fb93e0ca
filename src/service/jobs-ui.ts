/**
 * GET|HEAD /jobs/applications/{name}/ui/<path>: the live Spark UI of a
 * running driver, proxied. The operator's UI address is a cluster IP no
 * browser reaches; the service (reached only through Jupyter's authenticated
 * proxy) streams HTTP to the driver pod's IP and UI port instead, with
 * `X-Forwarded-Context` set so Spark's links and redirects stay under the
 * route. Only published applications that run and have a driver pod with an
 * IP; the browser's cookies and credentials never reach the driver.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { driverUiPath, driverUiPort, summarizeApplication } from '../core';
import type { IClusterAccess } from './cluster';
import { ServiceError } from './errors';
import type { JobActions } from './jobs-actions';
import { JOB_NAME } from './jobs-request';
import { driverPodOf } from './jobs-log';
import { forwardToDriver } from './jobs-ui-forward';

export { forwardToDriver, UI_TIMEOUT_MS } from './jobs-ui-forward';

const UI_ROUTE = /^\/jobs\/applications\/([^/]+)\/ui(\/.*)?$/;

/**
 * Serve the route when `url` is one (true), else false. Errors are thrown as
 * ServiceErrors before anything is written.
 */
export async function driverUiRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  access: IClusterAccess,
  actions: JobActions
): Promise<boolean> {
  const m = UI_ROUTE.exec(url.pathname);
  if (!m) {
    return false;
  }
  let name = '';
  try {
    name = decodeURIComponent(m[1]);
  } catch {
    // not a name: refused below
  }
  if (!JOB_NAME.test(name)) {
    throw new ServiceError(
      400,
      'BadRequest',
      `"${m[1].slice(0, 100)}" is not the name of a Spark application.`
    );
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new ServiceError(
      405,
      'MethodNotAllowed',
      `The Spark UI is read only: ${req.method} is not proxied to the driver.`
    );
  }
  if (!m[2]) {
    // `…/ui` -> `…/ui/`, so Spark's relative links resolve; jupyter-server-proxy
    // puts its own prefix in front of a path-absolute Location.
    res.writeHead(302, {
      Location: driverUiPath(name) + '/' + url.search,
      'Cache-Control': 'no-store'
    });
    res.end();
    return true;
  }
  await proxyDriverUi(req, res, access, actions, name, m[2] + url.search);
  return true;
}

/** Where the running driver of `name` serves its UI: `{ host, port }`. */
export async function driverUiTarget(
  access: IClusterAccess,
  actions: JobActions,
  name: string
): Promise<{ host: string; port: number; pod: string }> {
  const { obj } = await actions._findApplication(name);
  const run = summarizeApplication(obj);
  if (run.state !== 'running') {
    throw new ServiceError(
      409,
      'NotRunning',
      `The Spark UI of "${name}" is served by its driver while it runs; the application is not running (${run.stateText}).`,
      run.state === 'completed' || run.state === 'failed'
        ? 'Open "Spark UI (history)" to see the finished run replayed from its event log.'
        : 'Try again once the run is Running.'
    );
  }
  const pod = await driverPodOf(access, name, obj);
  const podName = pod.metadata?.name ?? '';
  const host = pod.status?.podIP;
  if (pod.status?.phase !== 'Running' || !host) {
    throw new ServiceError(
      503,
      'DriverNotReady',
      `The driver pod "${podName}" of "${name}" is ${pod.status?.phase ?? 'not started'}${host ? '' : ' and has no IP yet'}, so its Spark UI cannot be reached.`,
      'Try again in a few seconds.'
    );
  }
  return { host, port: driverUiPort(obj), pod: podName };
}

/** Stream one request to the driver's UI and its answer back. */
async function proxyDriverUi(
  req: IncomingMessage,
  res: ServerResponse,
  access: IClusterAccess,
  actions: JobActions,
  name: string,
  path: string
): Promise<void> {
  const target = await driverUiTarget(access, actions, name);
  await forwardToDriver(req, res, target, name, path);
}
