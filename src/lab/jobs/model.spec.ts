/** The Jobs view's model against a faked service. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IClusterInfo,
  IRunSummary,
  IScheduleSummary,
  JobsStreamMessage
} from '../../core';
import {
  argumentPairs,
  codeChanged,
  exitValue,
  failingCell,
  formatDuration,
  IJobsClient,
  IJobsStream,
  IRunNotice,
  JobsModel,
  pairArguments,
  pairProblems,
  runDuration,
  runOutputIds
} from './model';

const CLUSTER: IClusterInfo = {
  available: true,
  namespace: 'lab',
  operators: { kubeflow: true, apache: false }
};

function run(name: string, extra: Partial<IRunSummary> = {}): IRunSummary {
  return {
    operator: 'kubeflow',
    name,
    state: 'submitted',
    stateText: 'Submitted',
    attempts: 0,
    arguments: [],
    ...extra
  };
}

function schedule(
  name: string,
  extra: Partial<IScheduleSummary> = {}
): IScheduleSummary {
  return {
    name,
    namespace: 'lab',
    uid: `uid-${name}`,
    schedule: '0 6 * * 1-5',
    timeZone: 'Europe/Paris',
    suspended: false,
    concurrencyPolicy: 'Allow',
    arguments: ['--day', 'mon'],
    ...extra
  };
}

/** A driver log stream the test writes to. */
interface IFakeLog {
  name: string;
  text(chunk: string): void;
  end(error?: string): void;
  closed: boolean;
}

class FakeClient implements IJobsClient {
  cluster_: IClusterInfo | Error = CLUSTER;
  send: (m: JobsStreamMessage) => void = () => undefined;
  streamClosed = false;
  calls: string[] = [];
  logs: IFakeLog[] = [];
  fail: Error | null = null;
  nextRun = 'etl-manual-1';

  async cluster(): Promise<IClusterInfo> {
    if (this.cluster_ instanceof Error) {
      throw this.cluster_;
    }
    return this.cluster_;
  }
  jobsStream(onMessage: (m: JobsStreamMessage) => void): IJobsStream {
    this.send = onMessage;
    return { close: () => (this.streamClosed = true) };
  }
  private async answer<T>(call: string, value: T): Promise<T> {
    this.calls.push(call);
    if (this.fail) {
      throw this.fail;
    }
    return value;
  }
  runSchedule(name: string, args?: string[]) {
    return this.answer(`run ${name} ${JSON.stringify(args ?? null)}`, {
      run: this.nextRun
    });
  }
  rerunApplication(name: string, args?: string[]) {
    return this.answer(`rerun ${name} ${JSON.stringify(args ?? null)}`, {
      run: this.nextRun
    });
  }
  setScheduleSuspended(name: string, suspend: boolean) {
    return this.answer(
      `suspend ${name} ${suspend}`,
      schedule(name, { suspended: suspend })
    );
  }
  deleteJob(kind: 'application' | 'schedule', name: string) {
    return this.answer(`delete ${kind} ${name}`, { deleted: name });
  }
  driverLog(
    name: string,
    onText: (chunk: string) => void,
    onEnd: (error?: string) => void
  ): IJobsStream {
    const log: IFakeLog = {
      name,
      closed: false,
      text: chunk => !log.closed && onText(chunk),
      end: error => !log.closed && onEnd(error)
    };
    this.logs.push(log);
    return { close: () => (log.closed = true) };
  }
}

const NOW = new Date('2025-03-28T12:00:00Z'); // a Friday

function started(client = new FakeClient(), user?: string) {
  const model = new JobsModel({
    client,
    user,
    now: () => NOW,
    locale: 'en-GB'
  });
  const notices: IRunNotice[] = [];
  model.finished.connect((_, n) => notices.push(n));
  model.start();
  return { model, client, notices };
}

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

describe('JobsModel stream', () => {
  it('is loading until the snapshot, then shows schedules with their runs newest first', () => {
    const { model, client } = started();
    assert.equal(model.phase, 'loading');
    client.send({
      type: 'snapshot',
      connected: true,
      schedules: [schedule('nightly'), schedule('etl')],
      runs: [
        run('etl-1', {
          scheduleName: 'etl',
          createdAt: '2025-03-27T05:00:00Z',
          state: 'completed'
        }),
        run('etl-2', {
          scheduleName: 'etl',
          createdAt: '2025-03-28T05:00:00Z',
          state: 'running'
        }),
        run('adhoc', { createdAt: '2025-03-26T09:00:00Z' }),
        run('orphan-1', {
          scheduleName: 'gone',
          createdAt: '2025-03-28T09:00:00Z'
        })
      ]
    });
    assert.equal(model.phase, 'ready');
    const rows = model.scheduleRows();
    assert.deepEqual(
      rows.map(r => r.schedule.name),
      ['etl', 'nightly']
    );
    assert.deepEqual(
      rows[0].runs.map(r => r.name),
      ['etl-2', 'etl-1']
    );
    assert.deepEqual(rows[1].runs, []);
    // The last run: the newest of the operator's and Run now's.
    assert.deepEqual(rows[0].lastRun, {
      time: '2025-03-28T05:00:00Z',
      name: 'etl-2'
    });
    assert.equal(rows[1].lastRun, null);
    // A run of a schedule the view does not know is shown with the one-off runs.
    assert.deepEqual(
      model.oneOffRuns.map(r => r.name),
      ['orphan-1', 'adhoc']
    );
  });

  it('says the cron in words and computes the next run in the schedule\u2019s zone', () => {
    const { model, client } = started();
    client.send({
      type: 'snapshot',
      connected: true,
      runs: [],
      schedules: [
        schedule('etl'),
        schedule('ny', {
          schedule: '30 23 * * *',
          timeZone: 'America/New_York'
        }),
        schedule('off', { suspended: true })
      ]
    });
    const [etl, ny, off] = model.scheduleRows();
    assert.equal(
      etl.description,
      'At 06:00, Monday through Friday (Europe/Paris)'
    );
    // Friday noon UTC: the next weekday 06:00 in Paris is Monday, summer time (UTC+2) since Sunday.
    assert.equal(etl.nextRun?.toISOString(), '2025-03-31T04:00:00.000Z');
    assert.match(etl.nextRunLabel ?? '', /06:00/);
    // 23:30 in New York on the 28th (EDT, UTC-4) is 03:30 UTC on the 29th.
    assert.equal(ny.nextRun?.toISOString(), '2025-03-29T03:30:00.000Z');
    assert.equal(off.nextRun, null);
    // Once that time has passed, the next one.
    const later = model.scheduleRows(new Date('2025-03-31T04:00:01Z'))[0];
    assert.equal(later.nextRun?.toISOString(), '2025-04-01T04:00:00.000Z');
  });

  it('applies deltas and deletes, and reports a lost stream in words', () => {
    const { model, client } = started();
    client.send({ type: 'snapshot', connected: true, runs: [], schedules: [] });
    client.send({ type: 'schedule', schedule: schedule('etl') });
    client.send({ type: 'run', run: run('etl-1', { scheduleName: 'etl' }) });
    assert.equal(model.scheduleRows()[0].runs.length, 1);
    client.send({
      type: 'run',
      run: run('etl-1', {
        scheduleName: 'etl',
        state: 'running',
        stateText: 'Running'
      })
    });
    assert.equal(model.run('etl-1')?.stateText, 'Running');
    client.send({
      type: 'status',
      connected: false,
      error: 'The API server cannot be reached; reconnecting.'
    });
    assert.equal(model.connected, false);
    assert.equal(
      model.streamError,
      'The API server cannot be reached; reconnecting.'
    );
    client.send({ type: 'status', connected: true });
    assert.equal(model.streamError, null);
    client.send({ type: 'run-deleted', name: 'etl-1' });
    client.send({ type: 'schedule-deleted', name: 'etl' });
    assert.deepEqual(model.scheduleRows(), []);
    assert.deepEqual(model.runs, []);
  });

  it('says when no operator is installed or the service is unreachable', async () => {
    const none = new FakeClient();
    none.cluster_ = {
      ...CLUSTER,
      operators: { kubeflow: false, apache: false }
    };
    const a = started(none).model;
    await tick();
    assert.match(a.blocker ?? '', /No Spark operator is installed/);
    const down = new FakeClient();
    down.cluster_ = new Error('The Jupyter server cannot be reached: offline');
    const b = started(down).model;
    await tick();
    assert.match(b.blocker ?? '', /cannot be reached: .*offline/);
    const ok = started().model;
    await tick();
    assert.equal(ok.blocker, null);
  });

  it('closes its streams when disposed', () => {
    const { model, client } = started();
    model.select('x');
    model.dispose();
    assert.equal(client.streamClosed, true);
    assert.equal(client.logs[0].closed, true);
  });
});

describe('JobsModel notifications', () => {
  function snapshot(client: FakeClient) {
    client.send({
      type: 'snapshot',
      connected: true,
      schedules: [
        schedule('mine', { owner: 'alice' }),
        schedule('theirs', { owner: 'bob' })
      ],
      runs: [
        run('mine-1', { scheduleName: 'mine', state: 'running' }),
        run('theirs-1', { scheduleName: 'theirs', state: 'running' }),
        run('old', { scheduleName: 'mine', state: 'failed' })
      ]
    });
  }

  it('tells the owner when a run of their schedule ends, not others\u2019 runs nor old ones', () => {
    const { client, notices } = started(new FakeClient(), 'alice');
    snapshot(client);
    assert.equal(notices.length, 0);
    client.send({
      type: 'run',
      run: run('theirs-1', { scheduleName: 'theirs', state: 'completed' })
    });
    client.send({
      type: 'run',
      run: run('mine-1', {
        scheduleName: 'mine',
        state: 'failed',
        stateText: 'Failed: Cell 2 failed: ValueError: bad'
      })
    });
    // Another update of an ended run is no news.
    client.send({
      type: 'run',
      run: run('mine-1', { scheduleName: 'mine', state: 'failed' })
    });
    assert.deepEqual(
      notices.map(n => [n.run.name, n.ok]),
      [['mine-1', false]]
    );
  });

  it('tells the user about a run they started with Run now, whoever owns the schedule', async () => {
    const { model, client, notices } = started(new FakeClient(), 'alice');
    snapshot(client);
    client.nextRun = 'theirs-manual';
    assert.equal(await model.runNow('theirs'), 'theirs-manual');
    client.send({
      type: 'run',
      run: run('theirs-manual', { scheduleName: 'theirs', state: 'submitted' })
    });
    client.send({
      type: 'run',
      run: run('theirs-manual', { scheduleName: 'theirs', state: 'completed' })
    });
    assert.deepEqual(
      notices.map(n => [n.run.name, n.ok]),
      [['theirs-manual', true]]
    );
  });

  it('notifies about every run when the user is unknown, including ends missed while disconnected', () => {
    const { client, notices } = started();
    snapshot(client);
    client.send({ type: 'status', connected: false, error: 'lost' });
    client.send({
      type: 'snapshot',
      connected: true,
      schedules: [],
      runs: [
        run('mine-1', { scheduleName: 'mine', state: 'completed' }),
        run('theirs-1', { scheduleName: 'theirs', state: 'running' })
      ]
    });
    assert.deepEqual(
      notices.map(n => n.run.name),
      ['mine-1']
    );
  });
});

describe('JobsModel actions', () => {
  it('runs a schedule now with other parameters, suspends, resumes and deletes', async () => {
    const { model, client } = started();
    client.send({
      type: 'snapshot',
      connected: true,
      runs: [],
      schedules: [schedule('etl')]
    });
    await model.runNow('etl', ['--day', 'fri']);
    await model.rerun('adhoc');
    assert.equal(await model.setSuspended('etl', true), true);
    assert.equal(model.schedule('etl')?.suspended, true);
    await model.setSuspended('etl', false);
    assert.equal(await model.remove('schedule', 'etl'), true);
    assert.deepEqual(client.calls, [
      'run etl ["--day","fri"]',
      'rerun adhoc null',
      'suspend etl true',
      'suspend etl false',
      'delete schedule etl'
    ]);
  });

  it('keeps a failed action\u2019s reason in words, and is not busy after it', async () => {
    const { model, client } = started();
    client.fail = new Error(
      'Forbidden: cannot delete sparkapplications in namespace lab.'
    );
    const pending = model.remove('application', 'adhoc');
    assert.equal(model.isBusy('delete', 'adhoc'), true);
    assert.equal(await pending, false);
    assert.equal(model.isBusy('delete', 'adhoc'), false);
    assert.deepEqual(model.actionError, {
      action: 'delete',
      target: 'adhoc',
      message: 'Forbidden: cannot delete sparkapplications in namespace lab.'
    });
    model.dismissError();
    assert.equal(model.actionError, null);
  });
});

describe('JobsModel driver log', () => {
  it('streams the selected run\u2019s log, filters lines, and closes it on another selection', () => {
    const { model, client } = started();
    model.select('etl-1');
    assert.equal(model.log?.status, 'streaming');
    client.logs[0].text('=== Cell 1 ===\nreading tr');
    client.logs[0].text('ips\nNotebook exited: 42\n');
    assert.deepEqual(model.logLines(), [
      '=== Cell 1 ===',
      'reading trips',
      'Notebook exited: 42'
    ]);
    assert.deepEqual(model.logLines('TRIPS'), ['reading trips']);
    assert.equal(exitValue(model.log!.text), '42');
    client.logs[0].end();
    assert.equal(model.log?.status, 'ended');
    model.select('etl-2');
    assert.equal(client.logs[0].closed, true);
    assert.equal(model.log?.run, 'etl-2');
    assert.equal(model.log?.text, '');
  });

  it('says why there is no log, and opens it again when the driver starts', () => {
    const { model, client } = started();
    client.send({
      type: 'snapshot',
      connected: true,
      schedules: [],
      runs: [run('etl-1')]
    });
    model.select('etl-1');
    client.logs[0].end('The driver pod of etl-1 does not exist yet.');
    assert.equal(model.log?.status, 'error');
    assert.equal(
      model.log?.error,
      'The driver pod of etl-1 does not exist yet.'
    );
    client.send({
      type: 'run',
      run: run('etl-1', { state: 'running', driverPod: 'etl-1-driver' })
    });
    assert.equal(client.logs.length, 2);
    client.logs[1].text('started\n');
    assert.deepEqual(model.logLines(), ['started']);
  });
});

describe('run details', () => {
  it('names the failing cell from the termination message', () => {
    assert.equal(
      failingCell(
        run('x', {
          state: 'failed',
          errorMessage:
            'driver container failed with ExitCode: 1, Reason: Error, Message: Cell 3 (Load) failed: KeyError: day'
        }),
        ''
      ),
      'Cell 3 (Load) failed: KeyError: day'
    );
    assert.equal(failingCell(run('y'), 'all good\n'), null);
  });

  it('measures durations to the end, or to now while running', () => {
    const r = run('x', {
      submittedAt: '2025-03-28T11:00:00Z',
      endedAt: '2025-03-28T11:03:05Z',
      state: 'completed'
    });
    assert.equal(formatDuration(runDuration(r, NOW)), '3 min 05 s');
    const live = run('y', {
      submittedAt: '2025-03-28T10:00:00Z',
      state: 'running'
    });
    assert.equal(formatDuration(runDuration(live, NOW)), '2 h 00 min');
    assert.equal(runDuration(run('z'), NOW), null);
  });

  it('reads and writes --name value arguments', () => {
    const args = ['--day', 'mon', '--empty', '', '--flag', '--region', 'eu'];
    const pairs = argumentPairs(args);
    assert.deepEqual(pairs, [
      { name: 'day', value: 'mon' },
      { name: 'empty', value: '' },
      { name: 'flag', value: '' },
      { name: 'region', value: 'eu' }
    ]);
    assert.deepEqual(pairArguments(pairs), [
      '--day',
      'mon',
      '--empty',
      '',
      '--flag',
      '',
      '--region',
      'eu'
    ]);
    assert.deepEqual(
      pairProblems([
        { name: 'day', value: '1' },
        { name: 'day', value: '2' },
        { name: 'two words', value: '' }
      ]),
      [
        'parameter "day" is given twice.',
        'parameter name "two words" must be one word without leading dashes.'
      ]
    );
  });

  it('finds where a run wrote its output, and whether the notebook changed since', () => {
    assert.deepEqual(runOutputIds(run('etl-1', { scheduleName: 'etl' })), {
      job: 'etl',
      run: 'etl-1'
    });
    assert.deepEqual(runOutputIds(run('adhoc-r20250328120000')), {
      job: 'adhoc',
      run: 'adhoc-r20250328120000'
    });
    const nb = (...code: string[]) => ({
      cells: [
        { cell_type: 'markdown', source: '# title' },
        ...code.map(source => ({ cell_type: 'code', source }))
      ]
    });
    assert.equal(
      codeChanged(nb('a = 1', 'print(a)'), nb('a = 1\n', 'print(a)')),
      false
    );
    assert.equal(codeChanged(nb('a = 1'), nb('a = 2')), true);
  });
});
