import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { createServer, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { IClusterAccess } from './cluster';
import { decodeSegment, handler, requestURL } from './main';

/** A raw request (the path is sent as is): [status, content type, body]. */
function send(
  port: number,
  method: string,
  path: string
): Promise<[number, string, string]> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, res => {
      let body = '';
      res.on('data', chunk => (body += chunk));
      res.on('end', () =>
        resolve([res.statusCode ?? 0, res.headers['content-type'] ?? '', body])
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('malformed requests', () => {
  const access: IClusterAccess = {
    kc: new KubeConfig(),
    inCluster: false,
    namespace: 'default',
    podName: null,
    server: null,
    auth: {},
    unavailable: 'no cluster in this test'
  };
  const server = createServer(handler(access, null));
  let port = 0;
  before(
    () =>
      new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', () => {
          port = (server.address() as AddressInfo).port;
          resolve();
        })
      )
  );
  after(() => server.close());

  for (const [method, path, status] of [
    ['GET', '///', 200],
    ['GET', '//evil.example/sessions', 404],
    ['GET', '/sessions/%E0%A4%A/pods', 400],
    ['DELETE', '/jobs/applications/%E0%A4%A', 503],
    ['GET', '/sessions/%/events', 400],
    ['POST', '/nowhere', 404]
  ] as const) {
    it(`${method} ${path} is a JSON answer (${status}), not a crash`, async () => {
      const [code, type, body] = await send(port, method, path);
      assert.equal(code, status, body);
      assert.match(type, /^application\/json/);
      const data = JSON.parse(body);
      if (status >= 400) {
        assert.equal(typeof data.code, 'string');
        assert.equal(typeof data.message, 'string');
      }
    });
  }

  it('parses only a path: a scheme-relative one cannot name a host', () => {
    assert.equal(requestURL('//evil.example/x').host, 'service');
    assert.equal(requestURL('///').pathname, '/');
    assert.throws(
      () => decodeSegment('%E0%A4%A'),
      /malformed percent-encoding/
    );
  });
});
