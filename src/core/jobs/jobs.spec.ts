import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compactTime,
  isPublished,
  manualRunName,
  rerunName,
  summarizeApplication,
  summarizeSchedule
} from './index';

const META = {
  name: 'etl',
  namespace: 'team',
  uid: 'u-1',
  creationTimestamp: '2025-03-01T10:00:00Z',
  labels: {
    'spark-k8s.jupyter.org/app': 'etl',
    'spark-k8s.jupyter.org/managed-by': 'jupyterlab-spark-k8s',
    'spark-k8s.jupyter.org/owner': 'ada'
  },
  annotations: {
    'spark-k8s.jupyter.org/content-hash': 'abc123',
    'spark-k8s.jupyter.org/notebook-path': 'work/etl.ipynb',
    'spark-k8s.jupyter.org/owner': 'ada@example.org'
  }
};

/** A kubeflow v1beta2 application as the operator (v2.5.2) leaves it. */
function kubeflow(status: object, labels: object = {}) {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { ...META, labels: { ...META.labels, ...labels } },
    spec: { type: 'Python', arguments: ['--day', 'friday'] },
    status
  };
}

describe('summarizeApplication (kubeflow)', () => {
  it('reads a new application that the operator has not seen yet', () => {
    const run = summarizeApplication(kubeflow(undefined as never));
    assert.equal(run.state, 'new');
    assert.equal(run.stateText, 'Created, not submitted yet');
    assert.equal(run.attempts, 0);
    assert.deepEqual(run.arguments, ['--day', 'friday']);
    assert.equal(run.owner, 'ada@example.org');
    assert.equal(run.notebookPath, 'work/etl.ipynb');
    assert.equal(run.contentHash, 'abc123');
    assert.equal(run.operator, 'kubeflow');
    assert.equal(run.createdAt, '2025-03-01T10:00:00Z');
    assert.equal(run.endedAt, undefined);
  });

  it('follows SUBMITTED, RUNNING and COMPLETED with attempts and times', () => {
    const base = {
      driverInfo: { podName: 'etl-driver', webUIPort: 4040 },
      lastSubmissionAttemptTime: '2025-03-01T10:00:02Z',
      submissionAttempts: 1,
      sparkApplicationId: 'spark-1'
    };
    const submitted = summarizeApplication(
      kubeflow({ ...base, applicationState: { state: 'SUBMITTED' } })
    );
    assert.equal(submitted.state, 'submitted');
    assert.equal(submitted.submittedAt, '2025-03-01T10:00:02Z');
    assert.equal(submitted.driverPod, 'etl-driver');
    assert.equal(submitted.attempts, 1);
    const running = summarizeApplication(
      kubeflow({
        ...base,
        applicationState: { state: 'RUNNING' },
        executionAttempts: 1
      })
    );
    assert.equal(running.stateText, 'Running');
    const done = summarizeApplication(
      kubeflow({
        ...base,
        applicationState: { state: 'COMPLETED' },
        executionAttempts: 1,
        terminationTime: '2025-03-01T10:00:07Z'
      })
    );
    assert.equal(done.state, 'completed');
    assert.equal(done.endedAt, '2025-03-01T10:00:07Z');
  });

  it('puts the operator error message into the words', () => {
    const run = summarizeApplication(
      kubeflow({
        applicationState: {
          state: 'FAILED',
          errorMessage:
            'driver container failed with ExitCode: 1, Reason: Error'
        },
        executionAttempts: 2,
        submissionAttempts: 2,
        terminationTime: '2025-03-01T10:01:00Z'
      })
    );
    assert.equal(run.state, 'failed');
    assert.equal(
      run.stateText,
      'Failed: driver container failed with ExitCode: 1, Reason: Error'
    );
    assert.equal(run.attempts, 2);
  });

  it('maps every kubeflow state to one RunState', () => {
    const table: [string, string][] = [
      ['', 'new'],
      ['SUBMITTED', 'submitted'],
      ['RUNNING', 'running'],
      ['SUCCEEDING', 'succeeding'],
      ['COMPLETED', 'completed'],
      ['FAILING', 'failing'],
      ['FAILED', 'failed'],
      ['SUBMISSION_FAILED', 'submission-failed'],
      ['PENDING_RERUN', 'pending-rerun'],
      ['INVALIDATING', 'invalidating'],
      ['UNKNOWN', 'unknown']
    ];
    for (const [raw, state] of table) {
      const run = summarizeApplication(
        kubeflow({ applicationState: { state: raw } })
      );
      assert.equal(run.state, state, raw);
      assert.ok(run.stateText.length > 3, raw);
    }
    assert.equal(
      summarizeApplication(kubeflow({ applicationState: { state: 'WEIRD' } }))
        .stateText,
      'Unknown state "WEIRD"'
    );
  });

  it('names the schedule of a run', () => {
    const run = summarizeApplication(
      kubeflow(
        { applicationState: { state: 'RUNNING' } },
        { 'sparkoperator.k8s.io/scheduled-app-name': 'nightly' }
      )
    );
    assert.equal(run.scheduleName, 'nightly');
  });

  it('survives objects with missing or odd fields', () => {
    const run = summarizeApplication({ metadata: { name: 'x' } });
    assert.equal(run.name, 'x');
    assert.equal(run.state, 'new');
    assert.deepEqual(run.arguments, []);
    assert.doesNotThrow(() => summarizeApplication(null));
    assert.doesNotThrow(() => summarizeApplication({ spec: { arguments: 3 } }));
  });
});

/** An Apache spark.apache.org/v1 application with this state history. */
function apache(history: [string, string, string?][], attemptId = 0) {
  const entries: { [id: string]: object } = {};
  history.forEach(([summary, at, message], i) => {
    entries[String(i)] = {
      currentStateSummary: summary,
      lastTransitionTime: at,
      message: message ?? ''
    };
  });
  const [last, lastAt, lastMessage] = history[history.length - 1];
  return {
    apiVersion: 'spark.apache.org/v1',
    kind: 'SparkApplication',
    metadata: META,
    spec: { driverArgs: ['--day', 'monday'] },
    status: {
      currentState: {
        currentStateSummary: last,
        lastTransitionTime: lastAt,
        message: lastMessage ?? ''
      },
      currentAttemptSummary: {
        attemptInfo: { id: attemptId },
        stateTransitionHistory: entries
      },
      stateTransitionHistory: entries
    }
  };
}

describe('summarizeApplication (Apache)', () => {
  it('maps the Apache operator states to the same model', () => {
    const table: [string, string][] = [
      ['Submitted', 'submitted'],
      ['DriverRequested', 'submitted'],
      ['DriverStarted', 'running'],
      ['DriverReady', 'running'],
      ['RunningHealthy', 'running'],
      ['Succeeded', 'succeeding'],
      ['Failed', 'failing'],
      ['SchedulingFailure', 'submission-failed'],
      ['DriverEvicted', 'failing'],
      ['ScheduledToRestart', 'pending-rerun']
    ];
    for (const [raw, state] of table) {
      const run = summarizeApplication(apache([[raw, '2025-03-01T10:00:01Z']]));
      assert.equal(run.state, state, raw);
      assert.equal(run.operator, 'apache');
    }
  });

  it('ends Completed after a success, Failed with its message after a failure', () => {
    const ok = summarizeApplication(
      apache([
        ['Submitted', '2025-03-01T10:00:01Z'],
        ['DriverRequested', '2025-03-01T10:00:02Z'],
        ['RunningHealthy', '2025-03-01T10:00:05Z'],
        ['Succeeded', '2025-03-01T10:01:00Z'],
        ['ResourceReleased', '2025-03-01T10:01:02Z']
      ])
    );
    assert.equal(ok.state, 'completed');
    assert.equal(ok.stateText, 'Completed');
    assert.equal(ok.submittedAt, '2025-03-01T10:00:01Z');
    assert.equal(ok.endedAt, '2025-03-01T10:01:00Z');
    assert.equal(ok.attempts, 1);
    assert.deepEqual(ok.arguments, ['--day', 'monday']);

    const bad = summarizeApplication(
      apache(
        [
          ['Submitted', '2025-03-01T10:00:01Z'],
          ['DriverStarted', '2025-03-01T10:00:03Z'],
          [
            'Failed',
            '2025-03-01T10:00:09Z',
            'Driver has one or more failed critical container(s), refer last observed status for details.'
          ],
          ['ResourceReleased', '2025-03-01T10:00:10Z']
        ],
        1
      )
    );
    assert.equal(bad.state, 'failed');
    assert.match(bad.stateText, /^Failed: Driver has one or more failed/);
    assert.equal(bad.attempts, 2);
    assert.equal(bad.endedAt, '2025-03-01T10:00:09Z');
  });
});

describe('summarizeSchedule', () => {
  it('reads the schedule, its zone and what the operator wrote', () => {
    const s = summarizeSchedule({
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'ScheduledSparkApplication',
      metadata: { ...META, name: 'nightly' },
      spec: {
        schedule: '0 6 * * 1-5',
        timeZone: 'Europe/Paris',
        concurrencyPolicy: 'Forbid',
        suspend: false,
        template: { type: 'Python', arguments: ['--day', 'x'] }
      },
      status: {
        lastRun: '2025-03-03T05:00:00Z',
        lastRunName: 'nightly-1740978000',
        nextRun: '2025-03-04T05:00:00Z',
        scheduleState: 'Scheduled',
        pastSuccessfulRunNames: ['nightly-1740978000']
      }
    });
    assert.deepEqual(s, {
      name: 'nightly',
      namespace: 'team',
      uid: 'u-1',
      owner: 'ada@example.org',
      notebookPath: 'work/etl.ipynb',
      contentHash: 'abc123',
      schedule: '0 6 * * 1-5',
      timeZone: 'Europe/Paris',
      suspended: false,
      concurrencyPolicy: 'Forbid',
      lastRun: '2025-03-03T05:00:00Z',
      lastRunName: 'nightly-1740978000',
      nextRun: '2025-03-04T05:00:00Z',
      scheduleState: 'Scheduled',
      arguments: ['--day', 'x']
    });
    const fresh = summarizeSchedule({
      metadata: { name: 'n' },
      spec: { schedule: '* * * * *', suspend: true }
    });
    assert.equal(fresh.suspended, true);
    assert.equal(fresh.concurrencyPolicy, 'Allow');
    assert.equal(fresh.lastRun, undefined);
  });
});

describe('run names', () => {
  const at = new Date('2025-03-01T09:08:07.654Z');
  it('names a manual run and a re-run by the time, in UTC', () => {
    assert.equal(compactTime(at), '20250301090807');
    assert.equal(manualRunName('nightly', at), 'nightly-manual-20250301090807');
    assert.equal(rerunName('etl', at), 'etl-r20250301090807');
    assert.equal(rerunName('etl-r20250101000000', at), 'etl-r20250301090807');
  });
  it('keeps names within the application name limit', () => {
    const long = 'a'.repeat(36);
    const name = manualRunName(long, at);
    assert.ok(name.length <= 50, name);
    assert.match(name, /^a+-manual-20250301090807$/);
    assert.ok(!manualRunName('ab-'.repeat(12), at).includes('--'));
  });
  it('knows what the product published', () => {
    assert.equal(isPublished({ metadata: META }), true);
    assert.equal(isPublished({ metadata: { labels: {} } }), false);
  });
});
