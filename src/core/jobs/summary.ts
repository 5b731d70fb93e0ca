/**
 * SparkApplications of both operators and kubeflow ScheduledSparkApplications
 * summarized for the Jobs view: one state model, in plain words.
 */
import { ANNOTATIONS, LABELS, MANAGED_BY } from '../manifests/labels';
import { SCHEDULED_APP_LABEL } from './names';
import type { IRunSummary, IScheduleSummary, RunState } from './types';

type Obj = { [key: string]: any };

const KUBEFLOW_STATES: { [state: string]: [RunState, string] } = {
  '': ['new', 'Created, not submitted yet'],
  NEW: ['new', 'Created, not submitted yet'],
  SUBMITTED: ['submitted', 'Submitted'],
  RUNNING: ['running', 'Running'],
  SUCCEEDING: ['succeeding', 'Finishing: the driver succeeded'],
  COMPLETED: ['completed', 'Completed'],
  FAILING: ['failing', 'Failing: the driver failed'],
  FAILED: ['failed', 'Failed'],
  SUBMISSION_FAILED: ['submission-failed', 'Submission failed'],
  PENDING_RERUN: ['pending-rerun', 'Waiting to run again'],
  INVALIDATING: ['invalidating', 'Restarting: its spec changed'],
  UNKNOWN: ['unknown', 'Unknown: the operator lost track of the driver']
};

const APACHE_STATES: { [state: string]: [RunState, string] } = {
  Submitted: ['submitted', 'Submitted'],
  DriverRequested: ['submitted', 'Submitted: driver pod requested'],
  ScheduledToRestart: ['pending-rerun', 'Waiting to run again'],
  DriverStarted: ['running', 'Running: driver started'],
  DriverReady: ['running', 'Running: driver ready'],
  InitializedBelowThresholdExecutors: [
    'running',
    'Running with fewer executors than requested'
  ],
  RunningHealthy: ['running', 'Running'],
  RunningWithBelowThresholdExecutors: [
    'running',
    'Running with fewer executors than requested'
  ],
  RunningWithPartialCapacity: [
    'running',
    'Running with fewer executors than requested'
  ],
  Succeeded: ['succeeding', 'Finishing: the driver succeeded'],
  Failed: ['failing', 'Failing: the driver failed'],
  SchedulingFailure: [
    'submission-failed',
    'Submission failed: the driver pod could not be created'
  ],
  DriverEvicted: ['failing', 'Failing: the driver pod was evicted'],
  DriverStartTimedOut: ['failing', 'Failing: the driver did not start in time'],
  DriverReadyTimedOut: [
    'failing',
    'Failing: the driver did not become ready in time'
  ],
  ExecutorsStartTimedOut: [
    'failing',
    'Failing: the executors did not start in time'
  ]
};

/** Apache states that end a run unsuccessfully (before its resources go). */
const APACHE_FAILURES = new Set([
  'Failed',
  'SchedulingFailure',
  'DriverEvicted',
  'DriverStartTimedOut',
  'DriverReadyTimedOut',
  'ExecutorsStartTimedOut'
]);

/** Apache states after which nothing more happens to a run. */
const APACHE_ENDS = new Set([
  'ResourceReleased',
  'TerminatedWithoutReleaseResources'
]);

/** Whether a run has ended (nothing more will happen to it). */
export function isFinished(state: RunState): boolean {
  return (
    state === 'completed' || state === 'failed' || state === 'submission-failed'
  );
}

/** Whether an object carries the product's managed-by label. */
export function isPublished(obj: unknown): boolean {
  return (obj as Obj)?.metadata?.labels?.[LABELS.managedBy] === MANAGED_BY;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(v => String(v)) : [];
}

/** Name, owner and source notebook from the metadata. */
function origin(metadata: Obj) {
  const labels: Obj = metadata.labels ?? {};
  const annotations: Obj = metadata.annotations ?? {};
  return {
    name: String(metadata.name ?? ''),
    owner: str(annotations[ANNOTATIONS.owner]) ?? str(labels[LABELS.owner]),
    notebookPath: str(annotations[ANNOTATIONS.notebookPath]),
    contentHash: str(annotations[ANNOTATIONS.contentHash])
  };
}

/** Identity as well, for schedules (a few per namespace). */
function identity(metadata: Obj) {
  return {
    ...origin(metadata),
    namespace: String(metadata.namespace ?? ''),
    uid: String(metadata.uid ?? '')
  };
}

function withError(text: string, error?: string): string {
  return error ? `${text}: ${error}` : text;
}

/** Drops undefined fields, so summaries compare and serialize cleanly. */
function compact<T extends object>(value: T): T {
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) {
      out[key] = v;
    }
  }
  return out as T;
}

/** One SparkApplication of either operator, by its apiVersion. */
export function summarizeApplication(obj: unknown): IRunSummary {
  const o = (obj ?? {}) as Obj;
  const apache = String(o.apiVersion ?? '').startsWith('spark.apache.org/');
  return apache ? summarizeApache(o) : summarizeKubeflow(o);
}

function summarizeKubeflow(o: Obj): IRunSummary {
  const metadata: Obj = o.metadata ?? {};
  const status: Obj = o.status ?? {};
  const raw = String(status.applicationState?.state ?? '');
  const [state, words] = KUBEFLOW_STATES[raw] ?? [
    'unknown',
    `Unknown state "${raw}"`
  ];
  const errorMessage = str(status.applicationState?.errorMessage);
  const attempts = Math.max(
    Number(status.executionAttempts ?? 0) || 0,
    Number(status.submissionAttempts ?? 0) || 0
  );
  const ended =
    isFinished(state) || state === 'succeeding' || state === 'failing';
  return compact({
    operator: 'kubeflow',
    ...origin(metadata),
    state,
    stateText: withError(words, errorMessage),
    errorMessage,
    attempts,
    createdAt: str(metadata.creationTimestamp),
    submittedAt: str(status.lastSubmissionAttemptTime),
    endedAt: ended ? str(status.terminationTime) : undefined,
    scheduleName: str(metadata.labels?.[SCHEDULED_APP_LABEL]),
    driverPod: str(status.driverInfo?.podName),
    arguments: strings(o.spec?.arguments)
  });
}

interface IApacheState {
  currentStateSummary?: string;
  lastTransitionTime?: string;
  message?: string;
}

function summarizeApache(o: Obj): IRunSummary {
  const metadata: Obj = o.metadata ?? {};
  const status: Obj = o.status ?? {};
  const current: IApacheState = status.currentState ?? {};
  const raw = current.currentStateSummary ?? '';
  // The history of the current attempt (keys are numbers in order).
  const history: IApacheState[] = Object.entries(
    (status.currentAttemptSummary?.stateTransitionHistory ??
      status.stateTransitionHistory ??
      {}) as { [id: string]: IApacheState }
  )
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, s]) => s);
  let state: RunState;
  let words: string;
  let failure: IApacheState | undefined;
  if (!raw) {
    [state, words] = ['new', 'Created, not submitted yet'];
  } else if (APACHE_ENDS.has(raw)) {
    failure = [...history]
      .reverse()
      .find(s => APACHE_FAILURES.has(s.currentStateSummary ?? ''));
    if (failure?.currentStateSummary === 'SchedulingFailure') {
      [state, words] = ['submission-failed', 'Submission failed'];
    } else if (failure) {
      [state, words] = ['failed', 'Failed'];
    } else {
      [state, words] = ['completed', 'Completed'];
    }
  } else {
    [state, words] = APACHE_STATES[raw] ?? [
      'unknown',
      `Unknown state "${raw}"`
    ];
    if (APACHE_FAILURES.has(raw)) {
      failure = current;
    }
  }
  const errorMessage = failure ? str(failure.message) : undefined;
  const ended = APACHE_ENDS.has(raw) || state === 'succeeding' || !!failure;
  const endedAt = ended
    ? (history.find(
        s =>
          s.currentStateSummary === 'Succeeded' ||
          APACHE_FAILURES.has(s.currentStateSummary ?? '')
      )?.lastTransitionTime ?? str(current.lastTransitionTime))
    : undefined;
  const attemptId = status.currentAttemptSummary?.attemptInfo?.id;
  const conf: Obj = o.spec?.sparkConf ?? {};
  return compact({
    operator: 'apache',
    ...origin(metadata),
    state,
    stateText: withError(words, errorMessage),
    errorMessage,
    attempts: raw ? (Number(attemptId ?? 0) || 0) + 1 : 0,
    createdAt: str(metadata.creationTimestamp),
    submittedAt: str(history[0]?.lastTransitionTime),
    endedAt: str(endedAt),
    scheduleName: str(metadata.labels?.[SCHEDULED_APP_LABEL]),
    driverPod: str(conf['spark.kubernetes.driver.pod.name']),
    arguments: strings(o.spec?.driverArgs)
  });
}

/** One kubeflow ScheduledSparkApplication. */
export function summarizeSchedule(obj: unknown): IScheduleSummary {
  const o = (obj ?? {}) as Obj;
  const spec: Obj = o.spec ?? {};
  const status: Obj = o.status ?? {};
  return compact({
    ...identity(o.metadata ?? {}),
    schedule: String(spec.schedule ?? ''),
    timeZone: String(spec.timeZone ?? ''),
    suspended: spec.suspend === true,
    concurrencyPolicy: String(spec.concurrencyPolicy ?? 'Allow'),
    lastRun: str(status.lastRun),
    lastRunName: str(status.lastRunName),
    nextRun: str(status.nextRun),
    scheduleState: str(status.scheduleState),
    arguments: strings(spec.template?.arguments)
  });
}
