/**
 * The Jobs view's model of published applications and schedules, the same
 * for both Spark operators (the contract between the service and the view).
 */

/** One state for both operators' state models. */
export type RunState =
  | 'new'
  | 'submitted'
  | 'running'
  | 'succeeding'
  | 'completed'
  | 'failing'
  | 'failed'
  | 'submission-failed'
  | 'pending-rerun'
  | 'invalidating'
  | 'unknown';

/**
 * One SparkApplication (a run) of either operator: only what the view shows
 * and acts on (a namespace holds thousands; its snapshot carries them all).
 */
export interface IRunSummary {
  operator: 'kubeflow' | 'apache';
  name: string;
  state: RunState;
  /** Plain words, e.g. "Running", "Failed: driver container failed with ExitCode: 1". */
  stateText: string;
  errorMessage?: string;
  attempts: number;
  /** RFC 3339 times. */
  createdAt?: string;
  submittedAt?: string;
  endedAt?: string;
  /** From the `spark-k8s.jupyter.org/` labels and annotations. */
  owner?: string;
  notebookPath?: string;
  contentHash?: string;
  /** The schedule that ran it (label `sparkoperator.k8s.io/scheduled-app-name`). */
  scheduleName?: string;
  driverPod?: string;
  arguments: string[];
}

/** One kubeflow ScheduledSparkApplication. */
export interface IScheduleSummary {
  name: string;
  namespace: string;
  uid: string;
  schedule: string;
  timeZone: string;
  suspended: boolean;
  concurrencyPolicy: string;
  lastRun?: string;
  lastRunName?: string;
  nextRun?: string;
  scheduleState?: string;
  owner?: string;
  notebookPath?: string;
  contentHash?: string;
  arguments: string[];
}

/** One message of GET /jobs/events (the SSE event name is `type`). */
export type JobsStreamMessage =
  | {
      type: 'snapshot';
      runs: IRunSummary[];
      schedules: IScheduleSummary[];
      connected: boolean;
    }
  | { type: 'run'; run: IRunSummary }
  | { type: 'run-deleted'; name: string }
  | { type: 'schedule'; schedule: IScheduleSummary }
  | { type: 'schedule-deleted'; name: string }
  | { type: 'status'; connected: boolean; error?: string };
