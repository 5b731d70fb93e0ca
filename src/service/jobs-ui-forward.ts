/**
 * The forwarding half of the live Spark UI proxy (GET /jobs/applications/
 * {name}/ui/…): one request to a driver's UI and its answer back, kept free of
 * client-node so it is tested alone against a local server.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { driverUiPrefix, rewriteDriverLocation } from '../core';
import { ServiceError } from './errors';

/** How long the driver may take to answer (connect and each read). */
export const UI_TIMEOUT_MS = 15000;

/** Request headers passed to the driver; nothing else (no cookies, no tokens). */
const PASSED_REQUEST = [
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'if-modified-since',
  'if-none-match',
  'range',
  'user-agent'
];

/** Response headers not passed back (hop by hop, or the driver's cookies). */
const DROPPED_RESPONSE = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade'
]);

/**
 * Forward `req` (GET or HEAD) to the driver UI at `target` as `path`, and
 * stream its answer into `res`: only the request headers a page needs, the
 * prefix as `X-Forwarded-Context`, redirects kept under the route, no
 * cookies either way. A driver that cannot be reached or does not answer in
 * `timeoutMs` is a ServiceError thrown before anything is written; the
 * upstream request ends when the browser goes.
 */
export async function forwardToDriver(
  req: IncomingMessage,
  res: ServerResponse,
  target: { host: string; port: number; pod: string },
  name: string,
  path: string,
  timeoutMs = UI_TIMEOUT_MS
): Promise<void> {
  const forwarded = req.headers['x-forwarded-context'];
  const headers: { [key: string]: string } = {
    host: `${target.host}:${target.port}`,
    'x-forwarded-context': driverUiPrefix(forwarded, name)
  };
  for (const key of PASSED_REQUEST) {
    const value = req.headers[key];
    if (typeof value === 'string') {
      headers[key] = value;
    }
  }
  const upstreamOrigin = `http://${target.host}:${target.port}`;
  const where = `${target.host}:${target.port} (pod "${target.pod}")`;
  await new Promise<void>((resolve, reject) => {
    let answered = false;
    const upstream = httpRequest({
      host: target.host,
      port: target.port,
      method: req.method,
      path,
      headers,
      timeout: timeoutMs
    });
    const fail = (err: ServiceError) => {
      upstream.destroy();
      if (!answered) {
        answered = true;
        reject(err);
      } else {
        res.destroy();
        resolve();
      }
    };
    upstream.on('timeout', () =>
      fail(
        new ServiceError(
          504,
          'DriverUiTimeout',
          `The Spark UI of "${name}" at ${where} did not answer within ${timeoutMs / 1000} s.`,
          'The driver may be busy or stuck; its log says more.'
        )
      )
    );
    upstream.on('error', (e: NodeJS.ErrnoException) =>
      fail(
        new ServiceError(
          502,
          'DriverUiUnreachable',
          `The Spark UI of "${name}" at ${where} cannot be reached: ${e.code ?? e.message}.`,
          'Its UI may be off (spark.ui.enabled=false) or on another port (spark.ui.port), or the driver is just starting.'
        )
      )
    );
    upstream.on('response', answer => {
      answered = true;
      const out: { [key: string]: string | string[] } = {};
      for (const [key, value] of Object.entries(answer.headers)) {
        if (value === undefined || DROPPED_RESPONSE.has(key)) {
          continue;
        }
        out[key] =
          key === 'location' && typeof value === 'string'
            ? rewriteDriverLocation(value, upstreamOrigin, forwarded, name)
            : value;
      }
      out['cache-control'] ??= 'no-store';
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    // The browser went: the driver's answer is not needed any more.
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        resolve();
      }
    });
    upstream.end();
  });
}
