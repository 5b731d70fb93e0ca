import assert from 'node:assert/strict';
import {
  createServer,
  get,
  IncomingMessage,
  request,
  Server,
  ServerResponse
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from './errors';
import { forwardToDriver } from './jobs-ui-forward';

/** A stand-in for the driver's UI (the boundary): records what reaches it. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function listen(server: Server): Promise<number> {
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve((server.address() as AddressInfo).port)
    )
  );
}

describe('forwardToDriver', () => {
  let handle: Handler = (_, res) => res.end();
  const seen: IncomingMessage[] = [];
  const driver = createServer((req, res) => {
    seen.push(req);
    handle(req, res);
  });
  let driverPort = 0;
  let timeoutMs = 5000;
  let target = { host: '127.0.0.1', port: 0, pod: 'etl-driver' };
  const proxy = createServer((req, res) => {
    forwardToDriver(req, res, target, 'etl', req.url!, timeoutMs).catch(
      (e: ServiceError) => {
        res.writeHead(e.status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(e.toJSON()));
      }
    );
  });
  let proxyPort = 0;

  before(async () => {
    driverPort = await listen(driver);
    proxyPort = await listen(proxy);
    target = { ...target, port: driverPort };
  });
  after(() => {
    driver.closeAllConnections();
    proxy.closeAllConnections();
    driver.close();
    proxy.close();
  });

  function fetchProxy(
    path: string,
    headers: { [key: string]: string } = {}
  ): Promise<{ status: number; headers: any; body: string }> {
    return new Promise((resolve, reject) => {
      get({ port: proxyPort, path, headers }, res => {
        let body = '';
        res.on('data', c => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body })
        );
      }).on('error', reject);
    });
  }

  it('passes no cookie or credential to the driver, and sets the prefix', async () => {
    handle = (_, res) => res.end('<html>jobs</html>');
    const got = await fetchProxy('/jobs/?id=1', {
      Cookie: '_xsrf=abc; username-localhost-8888=secret',
      Authorization: 'token jupyter-secret',
      'X-Forwarded-Context': '/user/ada/spark-k8s-api',
      Accept: 'text/html'
    });
    assert.equal(got.status, 200);
    assert.equal(got.body, '<html>jobs</html>');
    const req = seen[seen.length - 1];
    assert.equal(req.url, '/jobs/?id=1');
    assert.equal(req.headers.cookie, undefined);
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.headers.accept, 'text/html');
    assert.equal(
      req.headers['x-forwarded-context'],
      '/user/ada/spark-k8s-api/jobs/applications/etl/ui'
    );
  });

  it('keeps redirects under the route and drops the driver’s cookies', async () => {
    handle = (_, res) => {
      res.writeHead(302, {
        Location: `http://127.0.0.1:${driverPort}/user/ada/spark-k8s-api/jobs/applications/etl/ui/jobs/`,
        'Set-Cookie': 'driver=1; Path=/'
      });
      res.end();
    };
    const got = await fetchProxy('/', {
      'X-Forwarded-Context': '/user/ada/spark-k8s-api'
    });
    assert.equal(got.status, 302);
    assert.equal(got.headers.location, '/jobs/applications/etl/ui/jobs/');
    assert.equal(got.headers['set-cookie'], undefined);
  });

  it('says in words when the driver’s UI cannot be reached or does not answer', async () => {
    const closed = createServer();
    const port = await listen(closed);
    closed.close();
    target = { ...target, port };
    let got = await fetchProxy('/jobs/');
    assert.equal(got.status, 502);
    assert.match(
      JSON.parse(got.body).message,
      /cannot be reached: ECONNREFUSED/
    );
    assert.match(JSON.parse(got.body).hint, /spark\.ui\.port/);

    target = { ...target, port: driverPort };
    timeoutMs = 200;
    handle = () => undefined; // never answers
    got = await fetchProxy('/jobs/');
    assert.equal(got.status, 504);
    assert.match(JSON.parse(got.body).message, /did not answer within 0.2 s/);
    timeoutMs = 5000;
  });

  it('ends the request to the driver when the browser goes', async () => {
    let upstreamClosed: () => void = () => undefined;
    const closed = new Promise<void>(resolve => (upstreamClosed = resolve));
    handle = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first chunk');
      res.on('close', () => upstreamClosed());
    };
    await new Promise<void>((resolve, reject) => {
      const req = request({ port: proxyPort, path: '/slow' }, res => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
      setTimeout(() => reject(new Error('no first chunk')), 5000);
    });
    await closed;
  });
});
