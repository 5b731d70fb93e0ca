/** The session models against a faked Spark service, session context and kernel. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Signal } from '@lumino/signaling';
import {
  announceSession,
  IClusterInfo,
  ISparkConnectRequest,
  ISparkConnectStatus,
  LOCAL_PROFILE,
  SESSION_MIME,
  sessionConf,
  setNotebookPath,
  startSession,
  stopSession
} from '../../core';
import { ISparkServiceClient, PodStreamMessage } from '../api/client';
import { CurrentSession } from './current';
import { parseKernelProcess } from './kernel';
import {
  ExecutorMonitor,
  formatBytes,
  formatDuration,
  mergeExecutors,
  parseExecutors
} from './executors';
import {
  clusterAdvice,
  sessionCancellable,
  sessionDetails,
  sessionExecutors,
  sessionSparkConnect,
  sessionStartedAt,
  SparkSessionManager
} from './model';

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
  /** SparkConnect requests, deletions and activity reports, by name. */
  created: ISparkConnectRequest[] = [];
  createError: Error | null = null;
  scDeleted: string[] = [];
  activity: string[] = [];
  /** Push a status to the open stream of a SparkConnect. */
  push: (status: Partial<ISparkConnectStatus>) => void = () => undefined;
  createSparkConnect(request: ISparkConnectRequest) {
    if (this.createError) {
      return Promise.reject(this.createError);
    }
    this.created.push(request);
    return Promise.resolve(scStatus({ state: 'creating' }));
  }
  sparkConnectStream(
    name: string,
    onStatus: (status: ISparkConnectStatus) => void
  ) {
    let open = true;
    this.push = status => {
      if (open) {
        onStatus(scStatus({ name, ...status }));
      }
    };
    this.push({ state: 'creating' });
    return { close: () => (open = false) };
  }
  sparkConnectActivity(name: string) {
    this.activity.push(name);
    return Promise.resolve();
  }
  deleteSparkConnect(name: string) {
    this.scDeleted.push(name);
    return Promise.resolve({ deleted: true });
  }
}

/** A SparkConnect status as the service streams it. */
function scStatus(
  status: Partial<ISparkConnectStatus> = {}
): ISparkConnectStatus {
  return {
    name: 'spark-ann-1a2b',
    namespace: 'team',
    state: 'creating',
    reason: null,
    endpoint: 'sc://spark-ann-1a2b-server.team.svc:15002',
    idleMinutes: 60,
    idleDeadline: '2030-01-01T10:00:00Z',
    ...status
  };
}

/** A kernel that answers each request with what the runtime would announce. */
class FakeKernel {
  id = 'k1';
  statusChanged = new Signal<any, string>(this);
  codes: string[] = [];
  /** Requests that asked whether Spark runs (a reloaded page). */
  probes: string[] = [];
  /** What the runtime reports when asked (a page reload finds it). */
  running: { state: string; [k: string]: unknown } = { state: 'stopped' };
  answer: (code: string) => { state: string; [k: string]: unknown } | Error =
    code =>
      code.includes('session_info')
        ? this.running
        : code.includes('stop_session')
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
  /** The kernel's PySpark, as `importlib.metadata` reports it (a repr), or an error. */
  pysparkVersion: string | null = "'4.3.0'";
  requestExecute(content: {
    code: string;
    user_expressions?: Record<string, string>;
  }) {
    if (content.user_expressions) {
      const values: Record<string, unknown> = {};
      for (const [name, expr] of Object.entries(content.user_expressions)) {
        values[name] =
          expr.includes('version("pyspark")') && this.pysparkVersion
            ? { status: 'ok', data: { 'text/plain': this.pysparkVersion } }
            : { status: 'error', ename: 'Error' };
      }
      return {
        done: Promise.resolve({
          content: { status: 'ok', user_expressions: values }
        })
      };
    }
    if (content.code === announceSession()) {
      this.probes.push(content.code);
    } else {
      this.codes.push(content.code);
    }
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
      uiOrigin: 'https://hub.example.org',
      // The executor figures (another change) are not this test's business.
      fetchJson: () => new Promise(() => undefined)
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

const READY = {
  state: 'ready',
  appId: 'local-7',
  appName: 'nb',
  master: 'local[2]',
  sparkVersion: '4.3.0',
  pythonVersion: '3.11.2',
  uiPort: 4041
};

/** Let the fake kernel answer (it answers after 1 ms). */
const settle = () => new Promise(resolve => setTimeout(resolve, 20));

describe('a running session is found again', () => {
  it('shows Ready without a click when the kernel already runs Spark (a reloaded page)', async () => {
    const kernel = new FakeKernel();
    kernel.running = { ...READY, sessionId: 'abc' };
    const client = new FakeClient();
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    await settle();
    assert.equal(kernel.probes.length, 1);
    assert.equal(session.state, 'ready');
    assert.equal(session.info?.appId, 'local-7');
    assert.equal(session.uiUrl, '/sparkui/4041/');
    // A kubernetes session's executor pods are watched again.
    assert.deepEqual(client.streams, ['abc']);
    assert.equal(kernel.codes.length, 0);
  });

  it('stays Stopped for a kernel without Spark, and asks again for a new kernel', async () => {
    const kernel = new FakeKernel();
    const context = fakeContext(kernel);
    const manager = new SparkSessionManager({ client: new FakeClient() });
    const session = manager.sessionFor(context);
    await settle();
    assert.equal(session.state, 'stopped');
    const other = new FakeKernel();
    other.id = 'k2';
    other.running = READY;
    context.session = { kernel: other };
    context.kernelChanged.emit({});
    await settle();
    assert.equal(other.probes.length, 1);
    assert.equal(session.state, 'ready');
    // A kernel restart ends it.
    context.statusChanged.emit('restarting');
    assert.equal(session.state, 'stopped');
  });

  it('a start that began meanwhile wins over a late answer', async () => {
    const kernel = new FakeKernel();
    kernel.running = { state: 'stopped' };
    const manager = new SparkSessionManager({ client: new FakeClient() });
    const session = manager.sessionFor(fakeContext(kernel));
    const started = session.start();
    assert.equal(session.state, 'starting');
    const since = sessionStartedAt(session);
    assert.ok(since !== null && Date.now() - since < 1000);
    await started;
    await settle();
    assert.equal(session.state, 'ready');
    assert.equal(sessionStartedAt(session), null);
  });
});

describe('CurrentSession', () => {
  it('reports every state change of the notebook shown, whichever was shown first', async () => {
    const manager = new SparkSessionManager({ client: new FakeClient() });
    const current = new CurrentSession(manager);
    const notebook = (kernel: FakeKernel) => ({
      sessionContext: fakeContext(kernel),
      context: { path: 'x.ipynb', pathChanged: new Signal<any, string>({}) }
    });
    const kernels = [new FakeKernel(), new FakeKernel(), new FakeKernel()];
    const books = kernels.map(notebook);
    let changes = 0;
    current.changed.connect(() => changes++);
    current.follow(books[0]);
    current.follow(books[1]);
    current.follow(books[2]);
    current.follow(books[1]);
    changes = 0;
    const states: string[] = [];
    current.changed.connect(() => states.push(current.current!.state));
    await current.current!.start();
    // (The cluster answer in between repeats a state: the view renders again.)
    assert.deepEqual(
      states.filter((s, i) => s !== states[i - 1]),
      ['starting', 'ready']
    );
    // The first notebook's session no longer reaches the view.
    states.length = 0;
    await manager.sessionFor(books[0].sessionContext).start();
    assert.deepEqual(states, []);
    current.follow(books[0]);
    assert.equal(current.current!.state, 'ready');
    assert.ok(changes > 0);
  });
});

describe('clusterAdvice', () => {
  it('says in words why there is no cluster and what to do', () => {
    const none = clusterAdvice({
      available: false,
      reason:
        'not running in a Kubernetes pod and no kubeconfig was found (set KUBECONFIG)'
    });
    assert.match(none.why, /does not run in a Kubernetes pod/);
    assert.match(none.todo, /KUBECONFIG.*Check again\.$/);
    const down = clusterAdvice({
      available: false,
      reason:
        'The Kubernetes API server cannot be reached (ECONNREFUSED). Check that the cluster is up and this pod can reach it, then try again.'
    });
    assert.equal(
      down.why,
      'The Kubernetes API server cannot be reached (ECONNREFUSED).'
    );
    assert.match(down.todo, /Check again/);
    assert.doesNotMatch(down.why + down.todo, /try again/);
  });

  it('names the Spark service when it did not answer, not a raw client error', async () => {
    const client = new FakeClient();
    client.cluster = () =>
      Promise.reject(
        new Error('The Spark service answered 503 Service Unavailable.')
      );
    const manager = new SparkSessionManager({ client });
    const info = await manager.refreshCluster();
    const advice = clusterAdvice(info);
    assert.match(
      advice.why,
      /^The Spark service of this Jupyter server did not answer \(The Spark service answered 503/
    );
    assert.match(advice.todo, /jupyter-server-proxy/);
  });
});

/** An executor as Spark's `allexecutors` answers it (the fields the view reads, and more). */
function sparkExecutor(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    hostPort: id === 'driver' ? 'jupyter:40000' : `10.0.0.${id}:7079`,
    isActive: true,
    rddBlocks: 0,
    memoryUsed: 0,
    diskUsed: 0,
    totalCores: id === 'driver' ? 0 : 2,
    maxTasks: 2,
    activeTasks: 0,
    failedTasks: 0,
    completedTasks: 0,
    totalTasks: 0,
    totalDuration: 0,
    totalGCTime: 0,
    totalInputBytes: 0,
    totalShuffleRead: 0,
    totalShuffleWrite: 0,
    maxMemory: 434_031_820,
    executorLogs: {},
    ...extra
  };
}

function pod(name: string, phase = 'Running', extra = {}) {
  return {
    name,
    phase,
    ready: phase === 'Running',
    restarts: 0,
    node: phase === 'Running' ? 'node-a' : null,
    cpu: '1',
    memory: '512Mi',
    reason: phase === 'Running' ? null : 'no node has 4 CPUs free',
    ...extra
  };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('executor view', () => {
  it("reads Spark's executor list and refuses anything else in words", () => {
    const [driver] = parseExecutors([
      sparkExecutor('driver', {
        totalCores: 2,
        completedTasks: 7,
        totalGCTime: 120,
        memoryUsed: 2048
      }),
      { notAnExecutor: true }
    ]);
    assert.equal(driver.id, 'driver');
    assert.equal(driver.totalCores, 2);
    assert.equal(driver.completedTasks, 7);
    assert.equal(driver.memoryUsed, 2048);
    assert.throws(
      () => parseExecutors({ message: 'no such app' }),
      /without an executor list/
    );
  });

  it('shows the driver alone in local mode', () => {
    const rows = mergeExecutors(
      parseExecutors([sparkExecutor('driver', { totalCores: 2 })]),
      [],
      true
    );
    assert.deepEqual(
      rows.map(r => [r.id, r.executor?.totalCores, r.pod]),
      [['driver', 2, null]]
    );
  });

  it('merges executors with their pods by executor id; Pending pods show before they register', () => {
    const executors = parseExecutors([
      sparkExecutor('driver'),
      sparkExecutor('2', { completedTasks: 5 }),
      sparkExecutor('1', { completedTasks: 3 }),
      // A removed executor whose pod is gone: not shown.
      sparkExecutor('9', { isActive: false, removeReason: 'lost' })
    ]);
    const rows = mergeExecutors(
      executors,
      [
        pod('nb-3f2a-exec-1'),
        pod('nb-3f2a-exec-10', 'Pending'),
        // The label's id wins over the name.
        pod('renamed', 'Running', { execId: '2' }),
        pod('stray', 'Pending')
      ],
      false
    );
    assert.deepEqual(
      rows.map(r => [r.id, r.pod?.name ?? null, r.executor?.completedTasks]),
      [
        ['1', 'nb-3f2a-exec-1', 3],
        ['2', 'renamed', 5],
        ['10', 'nb-3f2a-exec-10', undefined],
        ['stray', 'stray', undefined]
      ]
    );
    assert.equal(rows[2].pod?.reason, 'no node has 4 CPUs free');
  });

  it('formats sizes and times compactly, through the translation bundle', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(512 * 1024), '512 KiB');
    assert.equal(formatBytes(434_031_820), '414 MiB');
    assert.equal(formatBytes(1.5 * 1024 ** 3), '1.5 GiB');
    assert.equal(formatDuration(40), '40 ms');
    assert.equal(formatDuration(420), '0.4 s');
    assert.equal(formatDuration(12_400), '12 s');
    assert.equal(formatDuration(210_000), '3.5 min');
    const seen: string[] = [];
    formatBytes(2048, {
      __: (t: string) => {
        seen.push(t);
        return t;
      }
    });
    assert.deepEqual(seen, ['%1 KiB']);
  });

  it('fetches once a second while the kernel is busy, once when it turns idle, never while idle', async () => {
    const owner = {};
    const statusChanged = new Signal<any, string>(owner);
    let status = 'idle';
    const urls: string[] = [];
    let completed = 0;
    const monitor = new ExecutorMonitor({
      kernel: { statusChanged, status: () => status },
      fetchJson: url => {
        urls.push(url);
        completed += 4;
        return Promise.resolve([
          sparkExecutor('driver', { totalCores: 2, completedTasks: completed })
        ]);
      },
      interval: 20
    });
    const url = '/sparkui/4040/api/v1/applications/local-1/allexecutors';
    monitor.setTarget(url);
    await sleep(100);
    // Set while idle: one fetch, then quiet.
    assert.deepEqual(urls, [url]);
    assert.equal(monitor.executors[0].completedTasks, 4);

    status = 'busy';
    statusChanged.emit('busy');
    await sleep(130);
    const whileBusy = urls.length;
    assert.ok(whileBusy >= 3, `${whileBusy} fetches while busy`);
    assert.ok(whileBusy <= 8, `${whileBusy} fetches while busy`);

    status = 'idle';
    statusChanged.emit('idle');
    await sleep(10);
    const atIdle = urls.length;
    assert.ok(atIdle >= whileBusy + 1, 'one fetch when the kernel turns idle');
    await sleep(150);
    assert.equal(urls.length, atIdle, 'no fetch while idle');
    assert.equal(monitor.executors[0].completedTasks, completed);

    // A stopped session: nothing fetched even when the kernel is busy.
    monitor.setTarget(null);
    assert.deepEqual(monitor.executors, []);
    status = 'busy';
    statusChanged.emit('busy');
    await sleep(80);
    assert.equal(urls.length, atIdle);
    monitor.dispose();
  });

  it('keeps the last figures and says why when a fetch fails', async () => {
    const owner = {};
    let fail = false;
    const monitor = new ExecutorMonitor({
      kernel: {
        statusChanged: new Signal<any, string>(owner),
        status: () => 'idle'
      },
      fetchJson: () =>
        fail
          ? Promise.reject(new Error('The Spark UI answered 502 Bad Gateway.'))
          : Promise.resolve([sparkExecutor('driver', { totalCores: 2 })])
    });
    monitor.setTarget('/a');
    await sleep(10);
    fail = true;
    monitor.setTarget('/b');
    await sleep(10);
    assert.equal(monitor.error, 'The Spark UI answered 502 Bad Gateway.');
    assert.equal(monitor.executors[0].totalCores, 2);
    monitor.dispose();
  });

  it("a ready session fetches its application's executors through the Spark UI proxy", async () => {
    const kernel = new FakeKernel();
    const urls: string[] = [];
    const manager = new SparkSessionManager({
      client: new FakeClient(),
      fetchJson: url => {
        urls.push(url);
        return Promise.resolve([
          sparkExecutor('driver', { totalCores: 8, completedTasks: 12 })
        ]);
      }
    });
    const session = manager.sessionFor(fakeContext(kernel));
    await session.start();
    await sleep(10);
    assert.deepEqual(urls, [
      '/sparkui/4040/api/v1/applications/local-1/allexecutors'
    ]);
    const monitor = sessionExecutors(session)!;
    assert.equal(monitor.executors[0].completedTasks, 12);
    await session.stop();
    assert.equal(monitor.target, null);
    assert.deepEqual(monitor.executors, []);
  });
});

describe('Spark Connect and standalone sessions', () => {
  /** A kernel whose runtime answers as a Connect client does. */
  function connectKernel(server: string): FakeKernel {
    const kernel = new FakeKernel();
    kernel.answer = code =>
      code.includes('stop_session')
        ? { state: 'stopped' }
        : {
            state: 'ready',
            kind: 'connect',
            server,
            sessionId: '7d1c-connect-session',
            sparkVersion: '4.0.1',
            pythonVersion: '3.11.2'
          };
    return kernel;
  }

  it('a connect profile starts the kernel on spark.remote, shows server and session id, no executors', async () => {
    const kernel = connectKernel('127.0.0.1:15002');
    let fetched = 0;
    const client = new FakeClient();
    const manager = new SparkSessionManager({
      client,
      fetchJson: () => {
        fetched++;
        return Promise.resolve([]);
      }
    });
    const session = manager.sessionFor(fakeContext(kernel));
    const profile = {
      name: 'warehouse',
      kind: 'connect' as const,
      remote: 'sc://127.0.0.1:15002',
      token: { file: '/var/run/connect/token' },
      uiUrl: 'http://127.0.0.1:4099'
    };
    await session.start(profile);
    assert.equal(session.state, 'ready');
    const code = kernel.codes.find(c => c.includes('start_session'))!;
    assert.match(code, /"spark\.remote": "sc:\/\/127\.0\.0\.1:15002"/);
    assert.match(
      code,
      /"spark\.jupyter\.connect\.tokenFile": "\/var\/run\/connect\/token"/
    );
    assert.deepEqual(sessionDetails(session), {
      kind: 'connect',
      server: '127.0.0.1:15002',
      connectSessionId: '7d1c-connect-session',
      masterUi: null,
      serverUiUrl: 'http://127.0.0.1:4099'
    });
    // The server's own UI, not a /sparkui/ proxy; no executor list to poll.
    assert.equal(session.uiUrl, 'http://127.0.0.1:4099');
    assert.equal(sessionExecutors(session)!.target, null);
    assert.equal(client.streams.length, 0);
    kernel.statusChanged.emit('busy');
    await settle();
    assert.equal(fetched, 0);
    // A connect profile creates nothing through the service.
    assert.deepEqual(client.created, []);
  });

  it('a standalone session links the master UI the kernel reports', async () => {
    const kernel = new FakeKernel();
    kernel.answer = () => ({
      ...READY,
      kind: 'standalone',
      master: 'spark://127.0.0.1:7077',
      masterUi: 'http://127.0.0.1:8080'
    });
    const manager = new SparkSessionManager({
      client: new FakeClient(),
      fetchJson: () => new Promise(() => undefined)
    });
    const session = manager.sessionFor(fakeContext(kernel));
    await session.start({
      name: 'lakehouse',
      kind: 'standalone',
      master: 'spark://127.0.0.1:7077',
      driverHost: '127.0.0.1'
    });
    assert.equal(sessionDetails(session)?.masterUi, 'http://127.0.0.1:8080');
    assert.equal(session.uiUrl, '/sparkui/4041/');
    assert.match(
      kernel.codes[0],
      /"spark\.master": "spark:\/\/127\.0\.0\.1:7077"/
    );
  });

  it("storage presets take the jars built for the kernel's own Spark, and refuse one without any", async () => {
    const profile = {
      name: 'lake',
      kind: 'local' as const,
      storage: {
        s3: { endpoint: 'http://127.0.0.1:9000', bucket: 'lake' },
        delta: true
      }
    };
    const kernel = new FakeKernel();
    const manager = new SparkSessionManager({ client: new FakeClient() });
    const session = manager.sessionFor(fakeContext(kernel));
    await session.start(profile);
    const packages = /"spark\.jars\.packages": "([^"]*)"/.exec(
      kernel.codes.find(c => c.includes('start_session'))!
    );
    assert.ok(packages, 'the start sends spark.jars.packages');
    assert.match(packages[1], /io\.delta:delta-spark_4\.2_2\.13:/);

    const old = new FakeKernel();
    old.pysparkVersion = "'3.5.1'";
    const other = manager.sessionFor(fakeContext(old));
    await assert.rejects(
      other.start(profile),
      /no Maven packages are known to work with Spark 3\.5/
    );
    assert.equal(other.state, 'failed');
    assert.equal(old.codes.filter(c => c.includes('start_session')).length, 0);
  });

  const SPARKCONNECT = {
    name: 'shared',
    kind: 'sparkconnect' as const,
    image: 'apache/spark:4.0.1-python3',
    idleMinutes: 60
  };

  it('a sparkconnect profile creates the server, shows why it is Pending, connects once Ready, deletes it on Stop', async () => {
    const kernel = connectKernel('spark-ann-1a2b-server.team.svc:15002');
    const client = new FakeClient();
    client.clusterInfo = CLUSTER;
    const manager = new SparkSessionManager({ client, activityInterval: 40 });
    const session = manager.sessionFor(fakeContext(kernel));
    const started = session.start(SPARKCONNECT);
    await settle();
    assert.equal(client.created.length, 1);
    assert.equal(client.created[0].profile.name, 'shared');
    assert.equal(session.state, 'starting');
    client.push({
      state: 'pending',
      reason: 'No node has 4 CPUs free (0/3 nodes are available).'
    });
    assert.equal(
      sessionSparkConnect(session)?.reason,
      'No node has 4 CPUs free (0/3 nodes are available).'
    );
    // Nothing reaches the kernel until the server is ready.
    assert.equal(
      kernel.codes.filter(c => c.includes('start_session')).length,
      0
    );
    client.push({ state: 'ready' });
    await started;
    assert.equal(session.state, 'ready');
    const code = kernel.codes.find(c => c.includes('start_session'))!;
    assert.match(
      code,
      /"spark\.remote": "sc:\/\/spark-ann-1a2b-server\.team\.svc:15002"/
    );
    assert.equal(
      sessionDetails(session)?.server,
      'spark-ann-1a2b-server.team.svc:15002'
    );

    // Cells running report activity, at most once per interval.
    (session.sessionContext.statusChanged as Signal<any, string>).emit('busy');
    assert.deepEqual(client.activity, []);
    await new Promise(resolve => setTimeout(resolve, 60));
    (session.sessionContext.statusChanged as Signal<any, string>).emit('busy');
    (session.sessionContext.statusChanged as Signal<any, string>).emit('busy');
    assert.equal(client.activity.length, 1);
    // A cell that runs longer than the interval keeps reporting; an idle kernel stops.
    await new Promise(resolve => setTimeout(resolve, 130));
    const whileBusy = client.activity.length;
    assert.ok(whileBusy >= 2, `reports while busy: ${whileBusy}`);
    (session.sessionContext.statusChanged as Signal<any, string>).emit('idle');
    await new Promise(resolve => setTimeout(resolve, 100));
    assert.equal(client.activity.length, whileBusy);
    assert.ok(client.activity.every(name => name === 'spark-ann-1a2b'));

    await session.stop();
    assert.deepEqual(client.scDeleted, ['spark-ann-1a2b']);
    assert.equal(session.state, 'stopped');
  });

  it('a SparkConnect deleted for idleness is shown in words, and the session ends', async () => {
    const kernel = connectKernel('spark-ann-1a2b-server.team.svc:15002');
    const client = new FakeClient();
    client.clusterInfo = CLUSTER;
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    const started = session.start(SPARKCONNECT);
    await settle();
    client.push({ state: 'ready' });
    await started;
    client.push({ state: 'deleted', reason: 'idle for 60 minutes' });
    assert.equal(session.state, 'failed');
    assert.match(
      session.error!,
      /The SparkConnect server spark-ann-1a2b was deleted: idle for 60 minutes\. Start the session again/
    );
    await settle();
    // The kernel's client session is dropped too.
    assert.ok(kernel.codes.some(c => c === stopSession()));
  });

  it('a SparkConnect that fails while starting is deleted, and the reason shown', async () => {
    const kernel = connectKernel('x');
    const client = new FakeClient();
    client.clusterInfo = CLUSTER;
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    const started = session.start(SPARKCONNECT);
    await settle();
    client.push({
      state: 'failed',
      reason:
        'The server pod failed: ImagePullBackOff (apache/spark:4.0.1-python3).'
    });
    await assert.rejects(
      started,
      /failed: The server pod failed: ImagePullBackOff/
    );
    assert.equal(session.state, 'failed');
    assert.deepEqual(client.scDeleted, ['spark-ann-1a2b']);
    assert.equal(
      kernel.codes.filter(c => c.includes('start_session')).length,
      0
    );
  });

  it("the service's refusal (no SparkConnect CRD) is the panel's error; nothing starts", async () => {
    const kernel = connectKernel('x');
    const client = new FakeClient();
    client.clusterInfo = CLUSTER;
    client.createError = new Error(
      'The SparkConnect resource (sparkoperator.k8s.io/v1alpha1, kubeflow spark-operator ≥ 2.3) is not installed in this cluster: ask an admin to install it.'
    );
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    await assert.rejects(session.start(SPARKCONNECT), /is not installed/);
    assert.match(session.error!, /kubeflow spark-operator ≥ 2\.3/);
    assert.deepEqual(client.scDeleted, []);
    assert.equal(
      kernel.codes.filter(c => c.includes('start_session')).length,
      0
    );
  });

  it('Stop while the SparkConnect server is Pending cancels the start and deletes the server', async () => {
    const kernel = connectKernel('x');
    const client = new FakeClient();
    client.clusterInfo = CLUSTER;
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    const started = session.start(SPARKCONNECT);
    await settle();
    client.push({
      state: 'pending',
      reason: 'No node matches the node selector.'
    });
    assert.equal(sessionCancellable(session), true);
    await session.stop();
    await assert.rejects(
      started,
      /stopped before its SparkConnect server was ready/
    );
    assert.equal(session.state, 'stopped');
    assert.equal(session.error, null);
    assert.deepEqual(client.scDeleted, ['spark-ann-1a2b']);
    assert.equal(sessionCancellable(session), false);
    assert.equal(
      kernel.codes.filter(c => c.includes('start_session')).length,
      0
    );
  });

  it('a sparkconnect profile needs the cluster, and says so before creating anything', async () => {
    const kernel = connectKernel('x');
    const client = new FakeClient();
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    await assert.rejects(session.start(SPARKCONNECT), /No Kubernetes cluster/);
    assert.deepEqual(client.created, []);
    assert.equal(manager.usable(SPARKCONNECT).ok, false);
  });

  it('a page reload finds a SparkConnect session again and follows its server', async () => {
    const kernel = new FakeKernel();
    kernel.running = {
      state: 'ready',
      kind: 'connect',
      server: 'spark-ann-1a2b-server.team.svc:15002',
      sessionId: 'abc',
      sparkVersion: '4.0.1',
      pythonVersion: '3.11.2'
    };
    const client = new FakeClient();
    const manager = new SparkSessionManager({ client });
    const session = manager.sessionFor(fakeContext(kernel));
    await settle();
    assert.equal(session.state, 'ready');
    // The Connect session id is not an executor-pod session.
    assert.deepEqual(client.streams, []);
    assert.equal(sessionSparkConnect(session)?.name, 'spark-ann-1a2b');
    client.push({ state: 'deleted', reason: 'its kernel is gone' });
    assert.equal(session.state, 'failed');
  });

  it("reads the kernel's pid and start time from /proc/self/stat", () => {
    const stat =
      "'4242 (python3 (x)) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 1\\n'";
    assert.deepEqual(parseKernelProcess('4242', stat), {
      pid: 4242,
      start: '987654'
    });
    assert.equal(parseKernelProcess('x', stat), null);
    assert.equal(parseKernelProcess('4242', null), null);
  });
});
