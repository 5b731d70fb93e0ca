/**
 * The Jobs view's state and logic, apart from its view: the applications and
 * schedules published from notebooks, kept live from the service's stream
 * (snapshot, then deltas; reconnects in words), the rows the view shows (runs
 * newest first, grouped under their schedules, next runs in each schedule's
 * zone), the selected run's driver log, the actions a job owner needs and
 * which finished runs deserve a notification. The service client is the
 * boundary a test fakes.
 */
import { ISignal, Signal } from '@lumino/signaling';
import {
  IClusterInfo,
  IRunSummary,
  IScheduleSummary,
  JobsStreamMessage,
  RunState
} from '../../core';
import type { ISparkServiceClient, IStream } from '../api/client';
import { schedulePreview } from '../publish/model';

/** A stream the client opened; closing it stops its callbacks. */
export type IJobsStream = IStream;

/** What the view needs of the Spark service. */
export type IJobsClient = Pick<
  ISparkServiceClient,
  | 'cluster'
  | 'jobsStream'
  | 'runSchedule'
  | 'rerunApplication'
  | 'setScheduleSuspended'
  | 'deleteJob'
  | 'driverLog'
>;

/** Run states after which nothing more happens to the run. */
export const FINAL_STATES: ReadonlySet<RunState> = new Set<RunState>([
  'completed',
  'failed',
  'submission-failed'
]);

/** States in which the driver may be running. */
export const ACTIVE_STATES: ReadonlySet<RunState> = new Set<RunState>([
  'running',
  'succeeding',
  'failing'
]);

/** Whether a run has ended. */
export function isFinal(run: IRunSummary): boolean {
  return FINAL_STATES.has(run.state);
}

/** Whether the run ended well. */
export function succeeded(run: IRunSummary): boolean {
  return run.state === 'completed';
}

/** A schedule as the view shows it, with its runs newest first. */
export interface IScheduleRow {
  schedule: IScheduleSummary;
  /** The cron in words with its zone, or the cron itself when it has no words. */
  description: string;
  /** The next run in the schedule's zone; null when suspended or none. */
  nextRun: Date | null;
  /** The next run in words (in the schedule's zone). */
  nextRunLabel: string | null;
  /** Why there is no next run (a bad cron or zone). */
  nextRunError: string | null;
  /** The latest run, by the operator's schedule or Run now (the newer). */
  lastRun: { time: string; name?: string } | null;
  runs: IRunSummary[];
}

/** A `--name value` pair of a job's arguments. */
export interface IArgumentPair {
  name: string;
  value: string;
}

/** What the model is doing. */
export type JobsPhase = 'loading' | 'ready';

/** The driver log of the selected run. */
export interface IDriverLog {
  /** The run whose log this is. */
  run: string;
  text: string;
  /** 'streaming' while chunks arrive, 'ended' when the log closed, 'error': `error` says why. */
  status: 'streaming' | 'ended' | 'error';
  error: string | null;
  /** True when the oldest lines were dropped to stay under the limit. */
  truncated: boolean;
}

/** A decision to tell the user a run ended. */
export interface IRunNotice {
  run: IRunSummary;
  ok: boolean;
}

/** A failure of an action, in words. */
export interface IActionError {
  action: string;
  target: string;
  message: string;
}

/** The most log text kept in memory (the oldest lines go first). */
export const LOG_LIMIT = 2_000_000;

/** Newest first: created (else submitted) time, then name. */
export function compareRuns(a: IRunSummary, b: IRunSummary): number {
  const at = a.createdAt ?? a.submittedAt ?? '';
  const bt = b.createdAt ?? b.submittedAt ?? '';
  const byTime = Date.parse(bt || '0') - Date.parse(at || '0');
  if (byTime && !isNaN(byTime)) {
    return byTime;
  }
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/** The run's duration in milliseconds (to now while it runs), or null before it started. */
export function runDuration(run: IRunSummary, now: Date): number | null {
  const start = Date.parse(run.submittedAt ?? run.createdAt ?? '');
  if (isNaN(start)) {
    return null;
  }
  const end = run.endedAt
    ? Date.parse(run.endedAt)
    : isFinal(run)
      ? NaN
      : now.getTime();
  return isNaN(end) ? null : Math.max(0, end - start);
}

/** A duration in short words: `45 s`, `3 min 05 s`, `2 h 04 min`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) {
    return '';
  }
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return `${s} s`;
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  }
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** `--name value` pairs of arguments; a lone argument is a pair with an empty name. */
export function argumentPairs(args: readonly string[]): IArgumentPair[] {
  const pairs: IArgumentPair[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const next = args[i + 1];
      const value = next !== undefined && !next.startsWith('--') ? next : '';
      if (value !== '' || next === '') {
        i++;
      }
      pairs.push({ name: arg.slice(2), value });
    } else {
      pairs.push({ name: '', value: arg });
    }
  }
  return pairs;
}

/** The arguments of `--name value` pairs; a pair without a name stands alone. */
export function pairArguments(pairs: readonly IArgumentPair[]): string[] {
  const args: string[] = [];
  for (const { name, value } of pairs) {
    if (name.trim()) {
      args.push(`--${name.trim()}`, value);
    } else if (value !== '') {
      args.push(value);
    }
  }
  return args;
}

/** Problems of edited pairs (a name used twice, a name with spaces), in words. */
export function pairProblems(pairs: readonly IArgumentPair[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name } of pairs) {
    const n = name.trim();
    if (!n) {
      continue;
    }
    if (/\s/.test(n) || n.startsWith('-')) {
      problems.push(
        `parameter name ${JSON.stringify(n)} must be one word without leading dashes.`
      );
    } else if (seen.has(n)) {
      problems.push(`parameter ${JSON.stringify(n)} is given twice.`);
    }
    seen.add(n);
  }
  return problems;
}

/** The value `dbutils.notebook.exit` gave, from the driver log. */
export function exitValue(log: string): string | null {
  const found = [...log.matchAll(/^Notebook exited: (.*)$/gm)];
  return found.length ? found[found.length - 1][1] : null;
}

/** The failing cell (`Cell N (title) failed: …`), from the termination message or the log. */
export function failingCell(run: IRunSummary, log: string): string | null {
  const pattern = /Cell \d+(?: \([^\n]*?\))? failed: [^\n]*/g;
  for (const text of [run.errorMessage ?? '', run.stateText, log]) {
    const found = text.match(pattern);
    if (found) {
      return found[found.length - 1];
    }
  }
  return null;
}

/** The job and run ids the job wrote its output under (`<runOutput>/<job>/<run>`). */
export function runOutputIds(run: IRunSummary): { job: string; run: string } {
  const job = run.scheduleName ?? run.name.replace(/-r\d{14}$/, '');
  return { job, run: run.name };
}

/** Whether two notebooks' code differs (the source changed since a run). */
export function codeChanged(
  executed: { cells?: { cell_type: string; source: string | string[] }[] },
  current: { cells?: { cell_type: string; source: string | string[] }[] }
): boolean {
  const code = (nb: typeof executed) =>
    (nb.cells ?? [])
      .filter(c => c.cell_type === 'code')
      .map(c => (Array.isArray(c.source) ? c.source.join('') : c.source).trim())
      .filter(s => s !== '');
  const a = code(executed);
  const b = code(current);
  return a.length !== b.length || a.some((s, i) => s !== b[i]);
}

/**
 * A `spark-k8s-jobs:<name>` performance mark (the open benchmark reads them:
 * stream opened, snapshot received, rows rendered).
 */
export function mark(name: string): void {
  if (typeof performance !== 'undefined' && performance.mark) {
    performance.mark(`spark-k8s-jobs:${name}`);
  }
}

/** The state of the jobs of the namespace, live. */
export class JobsModel {
  constructor(private _options: JobsModel.IOptions) {}

  /** Emitted whenever anything the view shows changes. */
  get changed(): ISignal<JobsModel, void> {
    return this._changed;
  }

  /** Emitted when a run the user cares about ended (see `shouldNotify`). */
  get finished(): ISignal<JobsModel, IRunNotice> {
    return this._finished;
  }

  get phase(): JobsPhase {
    return this._phase;
  }

  /** Whether the stream is connected to the API server's watches. */
  get connected(): boolean {
    return this._connected;
  }

  /** Why the stream is not connected, in words. */
  get streamError(): string | null {
    return this._streamError;
  }

  get cluster(): IClusterInfo | null {
    return this._cluster;
  }

  /**
   * Why there can be no jobs at all, in words (no cluster, no operator, no
   * permission), or null.
   */
  get blocker(): string | null {
    const cluster = this._cluster;
    if (this._clusterError) {
      return `The Spark service cannot be reached: ${this._clusterError}`;
    }
    if (!cluster) {
      return null;
    }
    if (!cluster.available) {
      return `No Kubernetes cluster is reachable: ${cluster.reason ?? 'the service found no configuration'}. Published jobs appear here once Jupyter runs with access to a cluster.`;
    }
    const ops = cluster.operators;
    if (ops && !ops.kubeflow && !ops.apache) {
      return 'No Spark operator is installed in the cluster: the API server serves neither sparkoperator.k8s.io (kubeflow spark-operator) nor spark.apache.org (Apache Spark Kubernetes Operator). Ask the cluster administrator to install one; published notebooks then run and appear here.';
    }
    return null;
  }

  /** Every run, newest first. */
  get runs(): IRunSummary[] {
    if (!this._sortedRuns) {
      // Each time parsed once (thousands of runs: not in every comparison).
      const keyed = [...this._runs.values()].map(run => ({
        run,
        time: Date.parse(run.createdAt ?? run.submittedAt ?? '') || 0
      }));
      keyed.sort(
        (a, b) =>
          b.time - a.time ||
          (a.run.name < b.run.name ? 1 : a.run.name > b.run.name ? -1 : 0)
      );
      this._sortedRuns = keyed.map(k => k.run);
    }
    return this._sortedRuns;
  }

  /** Runs of no known schedule (one-off applications), newest first. */
  get oneOffRuns(): IRunSummary[] {
    return this._grouped().oneOff;
  }

  /** Schedules by name, each with its runs newest first and its next run. */
  scheduleRows(now = this._now()): IScheduleRow[] {
    const byName = this._grouped().bySchedule;
    return [...this._schedules.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(schedule => {
        const preview = this._preview(
          schedule.schedule,
          schedule.timeZone || 'UTC',
          now
        );
        const next = preview.nextRuns[0];
        const runs = byName.get(schedule.name) ?? [];
        const newest = runs[0];
        const newestTime = newest?.createdAt ?? newest?.submittedAt;
        let lastRun: IScheduleRow['lastRun'] = schedule.lastRun
          ? { time: schedule.lastRun, name: schedule.lastRunName }
          : null;
        if (
          newestTime &&
          (!lastRun || Date.parse(newestTime) > Date.parse(lastRun.time))
        ) {
          lastRun = { time: newestTime, name: newest.name };
        }
        return {
          schedule,
          description:
            preview.description ??
            `${schedule.schedule} (${schedule.timeZone || 'UTC'})`,
          nextRun: schedule.suspended || !next ? null : next.date,
          nextRunLabel: schedule.suspended || !next ? null : next.label,
          nextRunError: preview.error,
          lastRun,
          runs
        };
      });
  }

  /** A schedule by name. */
  schedule(name: string): IScheduleSummary | null {
    return this._schedules.get(name) ?? null;
  }

  /** A run by name. */
  run(name: string): IRunSummary | null {
    return this._runs.get(name) ?? null;
  }

  /** The selected run's name. */
  get selected(): string | null {
    return this._selected;
  }

  /** The selected run, while it exists. */
  get selectedRun(): IRunSummary | null {
    return this._selected ? (this._runs.get(this._selected) ?? null) : null;
  }

  /** The selected run's driver log. */
  get log(): IDriverLog | null {
    return this._log;
  }

  /** The log's lines containing `filter` (case-insensitive), all when empty. */
  logLines(filter = ''): string[] {
    const text = this._log?.text ?? '';
    const lines = text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') {
      lines.pop();
    }
    const f = filter.trim().toLowerCase();
    return f ? lines.filter(l => l.toLowerCase().includes(f)) : lines;
  }

  /** Actions running now, by `action:target`. */
  isBusy(action: string, target: string): boolean {
    return this._busy.has(`${action}:${target}`);
  }

  /** The last action's failure, in words. */
  get actionError(): IActionError | null {
    return this._actionError;
  }

  /** Forget the last failure (the user closed it). */
  dismissError(): void {
    this._actionError = null;
    this._changed.emit();
  }

  /** Ask the cluster's capabilities, then open the stream. */
  start(): void {
    if (this._stream || this._disposed) {
      return;
    }
    this._options.client
      .cluster()
      .then(cluster => {
        this._cluster = cluster;
        this._clusterError = null;
      })
      .catch(e => {
        this._clusterError = (e as Error).message;
      })
      .finally(() => this._changed.emit());
    mark('stream-open');
    this._stream = this._options.client.jobsStream(m => this._onMessage(m));
  }

  /** Select a run (or none) and stream its driver log. */
  select(name: string | null): void {
    if (name === this._selected) {
      return;
    }
    this._selected = name;
    this._openLog();
    this._changed.emit();
  }

  /** Run a schedule's template now (with other arguments); resolves with the new run's name. */
  async runNow(schedule: string, args?: string[]): Promise<string | null> {
    return this._act('run', schedule, async () => {
      const { run } = await this._options.client.runSchedule(schedule, args);
      this._mine.add(run);
      return run;
    });
  }

  /** Run a one-off application again (with other arguments); resolves with the new run's name. */
  async rerun(application: string, args?: string[]): Promise<string | null> {
    return this._act('rerun', application, async () => {
      const { run } = await this._options.client.rerunApplication(
        application,
        args
      );
      this._mine.add(run);
      return run;
    });
  }

  /** Suspend or resume a schedule. */
  async setSuspended(schedule: string, suspend: boolean): Promise<boolean> {
    const done = await this._act(
      suspend ? 'suspend' : 'resume',
      schedule,
      async () => {
        const summary = await this._options.client.setScheduleSuspended(
          schedule,
          suspend
        );
        if (summary && summary.name) {
          this._schedules.set(summary.name, summary);
        }
        return true;
      }
    );
    return !!done;
  }

  /** Delete a schedule (the operator's garbage collection deletes its runs) or an application. */
  async remove(
    kind: 'application' | 'schedule',
    name: string
  ): Promise<boolean> {
    const done = await this._act('delete', name, async () => {
      await this._options.client.deleteJob(kind, name);
      return true;
    });
    return !!done;
  }

  /**
   * Whether the end of `run` deserves a notification: a run the user started
   * here, one they own, or one of a schedule they own (any, when the user is
   * not known).
   */
  shouldNotify(run: IRunSummary): boolean {
    if (this._mine.has(run.name)) {
      return true;
    }
    const user = this._options.user;
    if (!user) {
      return true;
    }
    if (run.owner === user) {
      return true;
    }
    const schedule = run.scheduleName
      ? this._schedules.get(run.scheduleName)
      : undefined;
    return schedule?.owner === user;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Close the streams. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._stream?.close();
    this._logStream?.close();
    this._stream = null;
    this._logStream = null;
    Signal.clearData(this);
  }

  private async _act<T>(
    action: string,
    target: string,
    fn: () => Promise<T>
  ): Promise<T | null> {
    const key = `${action}:${target}`;
    this._busy.add(key);
    this._actionError = null;
    this._changed.emit();
    try {
      return await fn();
    } catch (e) {
      this._actionError = { action, target, message: (e as Error).message };
      return null;
    } finally {
      this._busy.delete(key);
      this._changed.emit();
    }
  }

  private _onMessage(message: JobsStreamMessage): void {
    if (this._disposed) {
      return;
    }
    switch (message.type) {
      case 'snapshot': {
        mark('snapshot');
        const before = this._runs;
        this._runs = new Map(message.runs.map(r => [r.name, r]));
        this._schedules = new Map(message.schedules.map(s => [s.name, s]));
        this._connected = message.connected;
        if (message.connected) {
          this._streamError = null;
        }
        // The first snapshot is the baseline; after a reconnect, runs that
        // ended while the stream was down are news.
        if (this._phase === 'ready') {
          for (const run of message.runs) {
            this._noticeEnd(before.get(run.name), run);
          }
        }
        this._phase = 'ready';
        break;
      }
      case 'run': {
        const before = this._runs.get(message.run.name);
        this._runs.set(message.run.name, message.run);
        this._noticeEnd(before, message.run, true);
        if (message.run.name === this._selected) {
          this._maybeReopenLog(before, message.run);
        }
        break;
      }
      case 'run-deleted':
        this._runs.delete(message.name);
        break;
      case 'schedule':
        this._schedules.set(message.schedule.name, message.schedule);
        break;
      case 'schedule-deleted':
        this._schedules.delete(message.name);
        break;
      case 'status':
        this._connected = message.connected;
        this._streamError = message.connected ? null : (message.error ?? null);
        break;
    }
    this._sortedRuns = null;
    this._changed.emit();
  }

  private _noticeEnd(
    before: IRunSummary | undefined,
    run: IRunSummary,
    isNew = false
  ): void {
    if (!isFinal(run)) {
      return;
    }
    const wasRunning = before
      ? !isFinal(before)
      : isNew && this._mine.has(run.name);
    if (wasRunning && this.shouldNotify(run)) {
      this._finished.emit({ run, ok: succeeded(run) });
    }
  }

  private _maybeReopenLog(
    before: IRunSummary | undefined,
    run: IRunSummary
  ): void {
    const log = this._log;
    if (!log || log.status !== 'error') {
      return;
    }
    const started =
      (run.driverPod && run.driverPod !== before?.driverPod) ||
      (ACTIVE_STATES.has(run.state) &&
        !ACTIVE_STATES.has(before?.state as RunState));
    if (started) {
      this._openLog();
    }
  }

  private _openLog(): void {
    this._logStream?.close();
    this._logStream = null;
    const name = this._selected;
    if (!name) {
      this._log = null;
      return;
    }
    const log: IDriverLog = {
      run: name,
      text: '',
      status: 'streaming',
      error: null,
      truncated: false
    };
    this._log = log;
    let closed = false;
    const stream = this._options.client.driverLog(
      name,
      chunk => {
        if (closed || this._log !== log) {
          return;
        }
        log.text += chunk;
        if (log.text.length > LOG_LIMIT) {
          const cut = log.text.indexOf('\n', log.text.length - LOG_LIMIT);
          log.text = log.text.slice(cut + 1);
          log.truncated = true;
        }
        this._changed.emit();
      },
      error => {
        if (closed || this._log !== log) {
          return;
        }
        log.status = error ? 'error' : 'ended';
        log.error = error ?? null;
        this._changed.emit();
      }
    );
    this._logStream = {
      close: () => {
        closed = true;
        stream.close();
      }
    };
  }

  /** The runs by schedule and the one-off runs, computed once per change. */
  private _grouped(): {
    bySchedule: Map<string, IRunSummary[]>;
    oneOff: IRunSummary[];
  } {
    const runs = this.runs;
    if (
      this._groups?.runs === runs &&
      this._groups.schedules === this._schedules.size
    ) {
      return this._groups;
    }
    const bySchedule = new Map<string, IRunSummary[]>();
    const oneOff: IRunSummary[] = [];
    for (const run of runs) {
      if (run.scheduleName && this._schedules.has(run.scheduleName)) {
        const list = bySchedule.get(run.scheduleName);
        if (list) {
          list.push(run);
        } else {
          bySchedule.set(run.scheduleName, [run]);
        }
      } else {
        oneOff.push(run);
      }
    }
    this._groups = {
      runs,
      schedules: this._schedules.size,
      bySchedule,
      oneOff
    };
    return this._groups;
  }

  /** The schedule's preview, computed again once its next run has passed. */
  private _preview(
    cron: string,
    timeZone: string,
    now: Date
  ): ReturnType<typeof schedulePreview> {
    const key = `${cron}\n${timeZone}`;
    const cached = this._previews.get(key);
    const next = cached?.nextRuns[0]?.date;
    if (cached && (cached.error || (next && next > now))) {
      return cached;
    }
    const preview = schedulePreview(cron, timeZone, now, this._options.locale);
    this._previews.set(key, preview);
    return preview;
  }

  private _now(): Date {
    return this._options.now ? this._options.now() : new Date();
  }

  private _changed = new Signal<JobsModel, void>(this);
  private _finished = new Signal<JobsModel, IRunNotice>(this);
  private _phase: JobsPhase = 'loading';
  private _connected = false;
  private _streamError: string | null = null;
  private _cluster: IClusterInfo | null = null;
  private _clusterError: string | null = null;
  private _runs = new Map<string, IRunSummary>();
  private _schedules = new Map<string, IScheduleSummary>();
  private _sortedRuns: IRunSummary[] | null = null;
  private _groups: {
    runs: IRunSummary[];
    schedules: number;
    bySchedule: Map<string, IRunSummary[]>;
    oneOff: IRunSummary[];
  } | null = null;
  private _selected: string | null = null;
  private _log: IDriverLog | null = null;
  private _logStream: IJobsStream | null = null;
  private _stream: IJobsStream | null = null;
  private _busy = new Set<string>();
  private _actionError: IActionError | null = null;
  private _mine = new Set<string>();
  private _disposed = false;
  private _previews = new Map<string, ReturnType<typeof schedulePreview>>();
}

/** The JobsModel's options. */
export namespace JobsModel {
  export interface IOptions {
    client: IJobsClient;
    /** The hub user (PageConfig `hubUser`); notifications are for their jobs. */
    user?: string;
    /** The clock (tests). */
    now?: () => Date;
    /** Locale of dates in words. */
    locale?: string;
  }
}
