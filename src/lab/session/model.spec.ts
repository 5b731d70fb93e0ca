/** The session models against a faked Spark service, session context and kernel. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Signal } from '@lumino/signaling';
import {
  IClusterInfo,
  LOCAL_PROFILE,
  SESSION_MIME,
  sessionConf,
  setNotebookPath,
  startSession,
  stopSession
} from '../../core';
import { ISparkServiceClient, PodStreamMessage } from '../api/client';
import { SparkSessionManager } from './model';

class FakeClient implements ISparkServiceClient {
  clusterInfo: IClusterInfo = { available: false, reason: 'no kubeconfig' };
  deleted: string[] = [];
  streams: string[] = [];
  closed = 0;
  cluster() {
    return Promise.resolve(this.clusterInfo);
  }
  secrets() {
    return Promise.resolve([
      { name: 'warehouse', keys: ['password'] },
      { name: 'api', keys: ['token'] }
    ]);
  }
  deleteSessionPods(id: string) {
    this.deleted.push(id);
    return Promise.resolve({ deleted: 1 });
  }
  podStream(id: string, onMessage: (m: PodStreamMessage) => void) {
    this.streams.push(id);
    onMessage({ type: 'snapshot', pods: [], connected: true });
    return { close: () => this.closed++ };
  }
  publish(): never {
    throw new Error('the session panel never publishes');
  }
  jobsStream(): never {
    throw new Error('the session panel shows no jobs');
  }
  runSchedule(): never {
    throw new Error('the session panel runs no jobs');
  }
  rerunApplication(): never {
    throw new Error('the session panel runs no jobs');
  }
  setScheduleSuspended(): never {
    throw new Error('the session panel changes no schedules');
  }
  deleteJob(): never {
    throw new Error('the session panel deletes no jobs');
  }
  driverLog(): never {
    throw new Error('the session panel shows no driver logs');
  }
}

/** A kernel that answers each request with what the runtime would announce. */
class FakeKernel {
  id = 'k1';
  statusChanged = new Signal<any, string>(this);
  codes: string[] = [];
  answer: (code: string) => { state: string; [k: string]: unknown } | Error =
    code =>
      code.includes('stop_session')
        ? { state: 'stopped' }
        : {
            state: 'ready',
            appId: 'local-1',
            appName: 'nb',
            master: 'local[*]',
            sparkVersion: '4.3.0',
            pythonVersion: '3.11.2',
            uiPort: 4040
          };
  requestExecute(content: { code: string }) {
    this.codes.push(content.code);
    const answer = this.answer(content.code);
    const future: any = {};
    future.done = new Promise(resolve =>
      setTimeout(() => {
        if (answer instanceof Error) {
          future.onIOPub?.({
            header: { msg_type: 'error' },
            content: { ename: 'SparkK8sError', evalue: answer.message }
          });
          resolve({
            content: {
              status: 'error',
              ename: 'SparkK8sError',
              evalue: answer.message
            }
          });
          return;
        }
        future.onIOPub?.({
          header: { msg_type: 'display_data' },
          content: { data: { [SESSION_MIME]: answer }, metadata: {} }
        });
        resolve({ content: { status: 'ok' } });
      }, 1)
    );
    return future;
  }
}

function fakeContext(kernel: FakeKernel) {
  const owner = {};
  return {
    path: 'work/sales report.ipynb',
    session: { kernel },
    ready: Promise.resolve(),
    statusChanged: new Signal<any, string>(owner),
    kernelChanged: new Signal<any, unknown>(owner),
    propertyChanged: new Signal<any, string>(owner),
    disposed: new Signal<any, void>(owner)
  } as any;
}

const CLUSTER: IClusterInfo = {
  available: true,
  server: 'https://10.0.0.1:443',
  namespace: 'team',
  pod: { name: 'jupyter-ann', ip: '10.1.2.3', missing: [] },
  auth: { tokenFile: '/var/run/token', caFile: '/var/run/ca.crt' },
  permissions: {
    session: { allowed: true, missing: [] },
    secrets: { allowed: true, missing: [] }
  } as any
};

describe('SparkSession', () => {
  it('starts with the contract code for the resolved conf, once for concurrent starts', async () => {
    const kernel = new FakeKernel();
    const manager = new SparkSessionManager({
      client: new FakeClient(),
      uiOrigin: 'https://hub.example.org'
    });
    const session = manager.sessionFor(fakeContext(kernel));
    const states: string[] = [];
    session.changed.connect(() => states.push(session.state));
    const [a, b] = await Promise.all([session.start(), session.start()]);
    assert.equal(a, b);
    assert.equal(kernel.codes.length, 1);
    const conf = sessionConf(LOCAL_PROFILE, {
      appName: 'sales report',
      uiOrigin: 'https://hub.example.org'
    });
    assert.equal(
      kernel.codes[0],
      startSession({
        conf,
        podTemplate: null,
        secretScopes: {},
        notebookPath: 'work/sales report.ipynb'
      })
    );
    assert.deepEqual(states, ['starting', 'ready']);
    assert.equal(session.info?.appId, 'local-1');
    assert.equal(session.uiUrl, '/sparkui/4040/');
  });

  it('tells the kernel the new path when the notebook is renamed', () => {
    const kernel = new FakeKernel();
    const context = fakeContext(kernel);
    const manager = new SparkSessionManager({ client: new FakeClient() });
    manager.sessionFor(context);
    context.path = 'work/renamed.ipynb';
    context.propertyChanged.emit('path');
    assert.deepEqual(kernel.codes, [setNotebookPath('work/renamed.ipynb')]);
  });

  it('refuses a bad profile with its reasons before asking the kernel', async () => {
    const kernel = new FakeKernel();
    const manager = new SparkSessionManager({ client: new FakeClient() });
    const session = manager.sessionFor(fakeContext(kernel));
    await assert.rejects(
      session.start({ name: 'x', kind: 'local', driverMemory: 'lots' }),
      /driver memory "lots" is not a size/
    );
    assert.equal(session.state, 'failed');
    assert.equal(kernel.codes.length, 0);
  });

  it('says why a kubernetes profile cannot start without a cluster', async () => {
    const kernel = new FakeKernel();
    const manager = new SparkSessionManager({ client: new FakeClient() });
    const session = manager.sessionFor(fakeContext(kernel));
    await assert.rejects(
      session.start({ name: 'k', kind: 'kubernetes', image: 'spark:4.3.0' }),
      /No Kubernetes cluster is reachable: no kubeconfig/
    );
    assert.equal(kernel.codes.length, 0);
  });

  it('runs a kubernetes session: pods streamed, secrets resolved once, pods deleted on stop', async () => {
    const kernel = new FakeKernel();
    const client = new FakeClient();
    client.clusterInfo = CLUSTER;
    const manager = new SparkSessionManager({ client });
    manager.settings = {
      startTimeout: 30,
      secretScopes: { 'prod-db': 'warehouse' }
    };
    const session = manager.sessionFor(fakeContext(kernel));
    await session.start({
      name: 'k',
      kind: 'kubernetes',
      image: 'spark:4.3.0-python3.11'
    });
    assert.equal(client.streams.length, 1);
    assert.equal(session.sessionId, client.streams[0]);
    const code = kernel.codes[0];
    // Executors get the mapped scope's keys as references...
    assert.match(
      code,
      /spark\.kubernetes\.executor\.secretKeyRef\.SPARK_K8S_SECRET_PROD_DB_PASSWORD": "warehouse:password"/
    );
    // ...the kernel gets every scope resolved: the mapped one and each Secret by name.
    assert.match(code, /\\"prod-db\\":\{\\"secret\\":\\"warehouse\\"/);
    assert.match(code, /\\"api\\":\{\\"secret\\":\\"api\\"/);
    const id = session.sessionId!;
    await session.stop();
    assert.equal(kernel.codes[1], stopSession());
    assert.deepEqual(client.deleted, [id]);
    assert.equal(client.closed, 1);
    assert.equal(session.state, 'stopped');
  });

  it('reports a kernel-side failure in the runtime\u2019s words and releases pods', async () => {
    const kernel = new FakeKernel();
    kernel.answer = () => new Error('Java was not found: install one.');
    const client = new FakeClient();
    client.clusterInfo = CLUSTER;
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    await assert.rejects(
      session.start({ name: 'k', kind: 'kubernetes', image: 'spark:4.3.0' }),
      /^Error: Java was not found: install one\.$/
    );
    assert.equal(session.error, 'Java was not found: install one.');
    assert.equal(client.deleted.length, 1);
  });
});
