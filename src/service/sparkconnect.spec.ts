import assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { createServer, IncomingMessage, request, Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { IClusterAccess } from './cluster';
import { handler } from './main';
import { ExecutorPods } from './sessions';
import { CRD_MISSING, idleUnitMs, SparkConnects } from './sparkconnect';

/** Send a JSON request to the service: [status, parsed body]. */
function send(
  port: number,
  method: string,
  path: string,
  body?: unknown
): Promise<[number, any]> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { 'Content-Type': 'application/json' }
      },
      res => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () =>
          resolve([res.statusCode ?? 0, text ? JSON.parse(text) : null])
        );
      }
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function listen(server: Server): Promise<number> {
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve((server.address() as AddressInfo).port)
    )
  );
}

/**
 * The boundary faked: an API server without the SparkConnect CRD. Its answer is
 * the real API server's for a resource type it does not serve (a 404 whose
 * details name nothing; tests/integration/test_sparkconnect.py checks that).
 */
describe('POST /sparkconnect without the CRD', () => {
  const seen: string[] = [];
  const api = createServer((req: IncomingMessage, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404
    });
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  let service: Server;
  let port = 0;

  before(async () => {
    const apiPort = await listen(api);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'c',
          server: `http://127.0.0.1:${apiPort}`,
          skipTLSVerify: true
        }
      ],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'ns' }],
      currentContext: 'x'
    });
    const access: IClusterAccess = {
      kc,
      inCluster: false,
      namespace: 'ns',
      podName: 'jupyter-alice',
      server: null,
      auth: {}
    };
    const pods = new ExecutorPods(access);
    const connects = new SparkConnects(access, pods, { log: () => {} });
    service = createServer(handler(access, pods, null, connects));
    port = await listen(service);
  });

  after(() => {
    service.close();
    api.close();
  });

  it('answers 503 saying the operator (≥ 2.3) is not installed and what to do', async () => {
    const [status, body] = await send(port, 'POST', '/sparkconnect', {
      profile: {
        name: 'w',
        kind: 'sparkconnect',
        image: 'apache/spark:4.0.1-python3'
      },
      sessionId: 's-1'
    });
    assert.equal(status, 503);
    assert.equal(body.code, 'NotInstalled');
    assert.equal(body.message, CRD_MISSING);
    assert.match(body.message, /kubeflow spark-operator ≥ 2\.3/);
    assert.match(body.message, /ask an admin/);
    assert.deepEqual(seen, [
      'POST /apis/sparkoperator.k8s.io/v1alpha1/namespaces/ns/sparkconnects?fieldManager=jupyterlab-spark-k8s'
    ]);
  });

  it('checks the request before asking the API server', async () => {
    seen.length = 0;
    const [status, body] = await send(port, 'POST', '/sparkconnect', {
      profile: { name: 'w', kind: 'sparkconnect', image: '' },
      sessionId: 's-1'
    });
    assert.equal(status, 400);
    assert.match(body.message, /image/);
    assert.deepEqual(seen, []);
  });
});

describe('idleUnitMs', () => {
  it('is a minute unless SPARK_K8S_IDLE_UNIT_SECONDS shortens it', () => {
    assert.equal(idleUnitMs({}), 60_000);
    assert.equal(idleUnitMs({ SPARK_K8S_IDLE_UNIT_SECONDS: '0.5' }), 500);
    assert.equal(idleUnitMs({ SPARK_K8S_IDLE_UNIT_SECONDS: 'x' }), 60_000);
  });
});
