/**
 * A cell's Spark progress as the runtime reports it (`PROGRESS_MIME`), and the
 * words and links shown for it. Pure: no DOM, so it is tested in Node.
 */

/** One stage of a running job. */
export interface IStageProgress {
  id: number;
  name: string;
  total: number;
  done: number;
  active: number;
  failed: number;
  skipped?: boolean;
}

/** A running job with its unfinished stages. */
export interface IActiveJob {
  id: number;
  status: string;
  stages: IStageProgress[];
}

/** Counts over every job of the execution. */
export interface IProgressTotals {
  jobs: number;
  running: number;
  failedJobs: number;
  stages: number;
  skippedStages: number;
  tasks: number;
  done: number;
  failedTasks: number;
  skippedTasks: number;
}

/** The data of one progress output: while jobs run, and the final summary. */
export interface IProgressData {
  version: number;
  /** The Spark job description of the execution: `cell [N]: …`. */
  description: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  /** Seconds since the first job of the execution was seen. */
  elapsed: number;
  /** The driver's UI port, for links through `/sparkui/<port>/`. */
  uiPort: number | null;
  totals: IProgressTotals;
  /** Finished jobs, by id. */
  jobs: { id: number; status: string }[];
  /** Running jobs and their stages. */
  active: IActiveJob[];
}

/** What the words need: JupyterLab's translation bundle (or a stand-in in tests). */
export interface IWords {
  __(text: string, ...args: unknown[]): string;
  _n(singular: string, plural: string, n: number, ...args: unknown[]): string;
}

/** Is `value` progress data this renderer understands? */
export function isProgressData(value: unknown): value is IProgressData {
  const data = value as IProgressData | null;
  return (
    !!data &&
    typeof data === 'object' &&
    data.version === 1 &&
    typeof data.totals === 'object' &&
    Array.isArray(data.jobs) &&
    Array.isArray(data.active)
  );
}

/** Elapsed seconds in words: `4.2 s`, `3 min 5 s`, `1 h 2 min`. */
export function elapsedText(seconds: number, words: IWords): string {
  if (seconds < 60) {
    return words.__('%1 s', seconds.toFixed(1));
  }
  const total = Math.round(seconds);
  const minutes = Math.floor(total / 60);
  if (minutes < 60) {
    return words.__('%1 min %2 s', minutes, total % 60);
  }
  return words.__('%1 h %2 min', Math.floor(minutes / 60), minutes % 60);
}

/** The one-line summary: `3 jobs · 12 stages · 4.2 s` (with skipped and failed counts). */
export function summaryText(data: IProgressData, words: IWords): string {
  const t = data.totals;
  const parts = [
    words._n('%1 job', '%1 jobs', t.jobs),
    words._n('%1 stage', '%1 stages', t.stages)
  ];
  if (t.skippedStages) {
    parts.push(words.__('%1 skipped', t.skippedStages));
  }
  if (t.failedTasks) {
    parts.push(words._n('%1 failed task', '%1 failed tasks', t.failedTasks));
  }
  if (t.failedJobs) {
    parts.push(words._n('%1 job failed', '%1 jobs failed', t.failedJobs));
  }
  parts.push(elapsedText(data.elapsed, words));
  return parts.join(' · ');
}

/** The state in words, for the start of the line. */
export function stateText(data: IProgressData, words: IWords): string {
  switch (data.state) {
    case 'running':
      return words._n(
        'Spark: %1 job running',
        'Spark: %1 jobs running',
        data.totals.running
      );
    case 'cancelled':
      return words.__('Spark: cancelled');
    case 'failed':
      return words.__('Spark: failed');
    default:
      return words.__('Spark:');
  }
}

/** A stage's task counts: `3/8 tasks` (and active, failed). */
export function stageText(stage: IStageProgress, words: IWords): string {
  let text = words.__('%1/%2 tasks', stage.done, stage.total);
  if (stage.active) {
    text += ' · ' + words.__('%1 running', stage.active);
  }
  if (stage.failed) {
    text += ' · ' + words.__('%1 failed', stage.failed);
  }
  return text;
}

/** The fraction of a stage's tasks done, 0…1. */
export function stageFraction(stage: IStageProgress): number {
  return stage.total > 0 ? Math.min(1, stage.done / stage.total) : 0;
}

/** The Spark UI page of job `id` through the server's `/sparkui/<port>/` route. */
export function jobUrl(baseUrl: string, port: number, id: number): string {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  return `${base}sparkui/${Math.trunc(port)}/jobs/job/?id=${Math.trunc(id)}`;
}
