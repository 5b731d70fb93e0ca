/**
 * The jupyterlab-spark-k8s service: the only process that talks to the
 * Kubernetes API. jupyter-server-proxy starts it on a unix socket, so every
 * request has passed Jupyter's authentication.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, unlinkSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { discover, IClusterAccess, loadAccess } from './cluster';
import { ServiceError } from './errors';
import { Jobs } from './jobs';
import { argumentsOf, JobActions, JOB_NAME } from './jobs-actions';
import { logOptions, streamDriverLog } from './jobs-log';
import { driverUiRoute } from './jobs-ui';
import { publish } from './publish';
import { Reaper } from './reaper';
import { listSecrets } from './secrets';
import { ExecutorPods } from './sessions';
import { idleUnitMs, SparkConnects, SPARK_CONNECT_NAME } from './sparkconnect';

const SESSION_ID = /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/;

/** The request's URL; a malformed one is a 400, never a crash. */
export function requestURL(raw: string | undefined): URL {
  try {
    // Only the path and query matter: a path that looks like `//host` must not become one.
    return new URL(
      (raw ?? '/').replace(/^\/+/, '/').replace(/^[^/]/, '/$&'),
      'http://service'
    );
  } catch {
    throw new ServiceError(
      400,
      'BadRequest',
      'The request path is not a valid URL path.'
    );
  }
}

/** One percent-encoded path segment, decoded; a malformed one is a 400. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ServiceError(
      400,
      'BadRequest',
      'The request path has a malformed percent-encoding (such as "%E0%A4%A").'
    );
  }
}

function sendJSON(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text)
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  const e =
    err instanceof ServiceError
      ? err
      : new ServiceError(
          500,
          'Internal',
          `The service failed: ${(err as Error).message ?? err}`
        );
  if (!res.headersSent) {
    sendJSON(res, e.status, e.toJSON());
  } else {
    res.end();
  }
}

function noCluster(access: IClusterAccess): ServiceError {
  return new ServiceError(
    503,
    'NoCluster',
    `No Kubernetes cluster: ${access.unavailable ?? 'not configured'}.`
  );
}

/** The /jobs routes (the Jobs view); false when `path` is not one. */
async function jobsRoute(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
  access: IClusterAccess,
  jobs: Jobs | null
): Promise<boolean> {
  if (!path.startsWith('/jobs/')) {
    return false;
  }
  if (!jobs) {
    throw noCluster(access);
  }
  const actions = new JobActions(access, jobs);
  if (req.method === 'GET' && path === '/jobs/events') {
    await jobs.stream(res);
    return true;
  }
  if (await driverUiRoute(req, res, url, access, actions)) {
    return true;
  }
  const m =
    /^\/jobs\/(schedules|applications)\/([^/]+)(?:\/(run|rerun|log))?$/.exec(
      path
    );
  if (!m) {
    return false;
  }
  const kind = m[1] === 'schedules' ? 'schedule' : 'application';
  const name = decodeSegment(m[2]);
  if (!JOB_NAME.test(name)) {
    throw new ServiceError(
      400,
      'BadRequest',
      `"${name}" is not the name of a Spark ${kind}.`
    );
  }
  const route = `${req.method} ${kind}${m[3] ? '/' + m[3] : ''}`;
  switch (route) {
    case 'POST schedule/run':
      sendJSON(
        res,
        200,
        await actions.runSchedule(name, argumentsOf(await readBody(req)))
      );
      return true;
    case 'POST application/rerun':
      sendJSON(
        res,
        200,
        await actions.rerunApplication(name, argumentsOf(await readBody(req)))
      );
      return true;
    case 'PATCH schedule': {
      const body = (await readBody(req)) as { suspend?: unknown } | null;
      if (typeof body?.suspend !== 'boolean') {
        throw new ServiceError(
          400,
          'BadRequest',
          'The body must be {"suspend": true} or {"suspend": false}.'
        );
      }
      sendJSON(res, 200, await actions.setSuspended(name, body.suspend));
      return true;
    }
    case 'DELETE schedule':
    case 'DELETE application':
      sendJSON(res, 200, await actions.deleteJob(kind, name));
      return true;
    case 'GET application/log':
      await streamDriverLog(
        access,
        actions,
        name,
        logOptions(url.searchParams),
        res
      );
      return true;
  }
  return false;
}

/** The /sparkconnect routes (the operator's SparkConnect servers); false when `path` is not one. */
async function sparkConnectRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  access: IClusterAccess,
  connects: SparkConnects | null
): Promise<boolean> {
  if (path !== '/sparkconnect' && !path.startsWith('/sparkconnect/')) {
    return false;
  }
  if (!connects) {
    throw noCluster(access);
  }
  if (path === '/sparkconnect') {
    if (req.method !== 'POST') {
      return false;
    }
    sendJSON(res, 201, await connects.create(await readBody(req)));
    return true;
  }
  const m = /^\/sparkconnect\/([^/]+)(?:\/(events|activity))?$/.exec(path);
  if (!m) {
    return false;
  }
  const name = decodeSegment(m[1]);
  if (!SPARK_CONNECT_NAME.test(name)) {
    throw new ServiceError(
      400,
      'BadRequest',
      `"${name.slice(0, 100)}" is not the name of a SparkConnect.`
    );
  }
  switch (`${req.method} ${m[2] ?? ''}`) {
    case 'GET events':
      await connects.stream(name, res);
      return true;
    case 'POST activity':
      await connects.activity(name);
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
      return true;
    case 'DELETE ':
      sendJSON(res, 200, { deleted: await connects.delete(name) });
      return true;
  }
  return false;
}

/** A small JSON body of a /jobs action; empty is null. */
async function readBody(req: IncomingMessage): Promise<unknown> {
  const limit = 64 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end (keeping at most `limit` bytes) so the answer, even a 413,
  // reaches a client still sending: breaking off would reset the connection.
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      }
    });
    req.on('end', resolve);
    req.on('error', reject);
  });
  if (size > limit) {
    throw new ServiceError(
      413,
      'TooLarge',
      `The request body is larger than ${limit} bytes.`
    );
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ServiceError(
      400,
      'BadRequest',
      `The request body is not valid JSON: ${(e as Error).message}.`
    );
  }
}

/** The HTTP handler: routes, JSON answers and typed errors. */
export function handler(
  access: IClusterAccess,
  pods: ExecutorPods | null,
  jobs: Jobs | null = null,
  connects: SparkConnects | null = null
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = requestURL(req.url);
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (req.method === 'GET' && (path === '/' || path === '/health')) {
        return sendJSON(res, 200, { ok: true, pid: process.pid });
      }
      if (req.method === 'GET' && path === '/cluster') {
        return sendJSON(res, 200, await discover(access));
      }
      if (await jobsRoute(req, res, url, path, access, jobs)) {
        return;
      }
      if (await sparkConnectRoute(req, res, path, access, connects)) {
        return;
      }
      if (req.method === 'POST' && path === '/publish') {
        return sendJSON(res, 200, await publish(req, access));
      }
      if (req.method === 'GET' && path === '/secrets') {
        if (!pods) {
          throw new ServiceError(
            503,
            'NoCluster',
            `No Kubernetes cluster: ${access.unavailable ?? 'not configured'}.`
          );
        }
        return sendJSON(res, 200, { secrets: await listSecrets(access) });
      }
      const m = /^\/sessions\/([^/]+)\/(pods|events)$/.exec(path);
      if (m) {
        const id = decodeSegment(m[1]);
        if (!SESSION_ID.test(id)) {
          throw new ServiceError(
            400,
            'BadRequest',
            `"${id}" is not a session id.`
          );
        }
        if (!pods) {
          throw new ServiceError(
            503,
            'NoCluster',
            `No Kubernetes cluster: ${access.unavailable ?? 'not configured'}.`
          );
        }
        if (m[2] === 'events' && req.method === 'GET') {
          pods.start();
          return pods.stream(id, res);
        }
        if (m[2] === 'pods' && req.method === 'GET') {
          pods.start();
          return sendJSON(res, 200, {
            pods: pods.podsOf(id).map(p => pods.summary(p))
          });
        }
        if (m[2] === 'pods' && req.method === 'DELETE') {
          return sendJSON(res, 200, { deleted: await pods.deleteSession(id) });
        }
      }
      throw new ServiceError(
        404,
        'NotFound',
        `No route for ${String(req.method).slice(0, 16)} ${path.slice(0, 200)}.`
      );
    } catch (e) {
      await drain(req);
      sendError(res, e);
    }
  };
}

/**
 * Read and drop what is left of a request's body before answering it, so a
 * client (or jupyter-server-proxy) still sending gets the answer, not a broken
 * pipe. A body past `limit` bytes is not waited for.
 */
function drain(req: IncomingMessage, limit = 1 << 20): Promise<void> {
  if (req.complete || req.readableEnded || req.destroyed) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    let size = 0;
    const done = () => {
      req.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
      }
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('error', done);
    req.once('close', done);
    req.resume();
  });
}

/** Start the service; returns a function that stops it. */
export function serve(options: {
  socket?: string;
  port?: number;
  host?: string;
}): () => void {
  const access = loadAccess();
  const pods = access.unavailable ? null : new ExecutorPods(access);
  // Started by the first Jobs view, then shared.
  const jobs = access.unavailable ? null : new Jobs(access);
  let reaper: Reaper | null = null;
  // SparkConnect servers: deleted when their kernel is gone or idle past their deadline.
  const connects = pods
    ? new SparkConnects(access, pods, {
        unitMs: idleUnitMs(),
        user: process.env.JUPYTERHUB_USER || undefined
      })
    : null;
  if (pods) {
    pods.start();
    reaper = new Reaper(pods);
    reaper.start();
    connects?.start();
  }
  const handle = handler(access, pods, jobs, connects);
  const server = createServer((req, res) => {
    handle(req, res).catch(e => sendError(res, e));
  });
  // A request Node cannot parse (bad header, bad request line) gets a JSON 400 too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      code: 'BadRequest',
      message: `The request could not be parsed (${err.code ?? 'malformed'}).`
    });
    socket.end(
      'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    );
  });
  if (options.socket) {
    if (existsSync(options.socket)) {
      unlinkSync(options.socket);
    }
    server.listen(options.socket);
  } else {
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const address = server.address();
      if (address && typeof address === 'object') {
        console.log(
          `spark-k8s service listening on ${address.address}:${address.port}`
        );
      }
    });
  }
  console.log(
    `spark-k8s service: ${access.unavailable ? 'no cluster (' + access.unavailable + ')' : `namespace ${access.namespace}, pod ${access.podName ?? '(unknown)'}`}`
  );
  return () => {
    reaper?.stop();
    connects?.stop();
    pods?.stop();
    jobs?.stop();
    server.close();
  };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      socket: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' }
    }
  });
  const stop = serve({
    socket: values.socket,
    port: values.port ? Number(values.port) : undefined,
    host: values.host
  });
  // A fault in one request or watch is logged; it never ends the service (the causes are
  // handled where they arise: this is the last guard, not the error handling).
  process.on('unhandledRejection', reason => {
    console.error('spark-k8s service: unhandled rejection:', reason);
  });
  process.on('uncaughtException', err => {
    console.error('spark-k8s service: uncaught exception:', err);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stop();
      process.exit(0);
    });
  }
}
