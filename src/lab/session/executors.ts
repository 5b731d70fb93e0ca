/**
 * The live executor view's model: Spark's own executor list (its REST API
 * `/api/v1/applications/<appId>/allexecutors`, through Jupyter's `/sparkui/`
 * proxy), fetched about once a second only while the notebook's kernel is busy
 * and once when it turns idle, merged with the session's executor pods. Pure
 * but for the injected fetch and timer: tested in Node.
 */
import type { IPodSummary } from '../../core';
import type { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/** One executor (or the driver) as Spark's REST API reports it; only what is shown. */
export interface IExecutorSummary {
  /** `driver`, or the executor id (`1`, `2`, …). */
  id: string;
  hostPort: string;
  isActive: boolean;
  totalCores: number;
  /** Storage memory used, bytes. */
  memoryUsed: number;
  /** Storage memory available, bytes. */
  maxMemory: number;
  activeTasks: number;
  failedTasks: number;
  completedTasks: number;
  /** Milliseconds spent in garbage collection. */
  totalGCTime: number;
  totalInputBytes: number;
  totalShuffleRead: number;
  totalShuffleWrite: number;
  /** Why a removed executor was removed. */
  removeReason: string | null;
}

/** One row of the view: a registered executor, its pod, or both. */
export interface IExecutorRow {
  /** The executor id; a pod whose executor has not registered yet has its pod name. */
  id: string;
  executor: IExecutorSummary | null;
  pod: IPodSummary | null;
}

/** A pod summary that may carry the value of its `spark-exec-id` label. */
export type ExecutorPod = IPodSummary & { execId?: string | null };

/**
 * Read Spark's `allexecutors` answer; anything that is not an executor list
 * is refused with a sentence that says so.
 */
export function parseExecutors(data: unknown): IExecutorSummary[] {
  if (!Array.isArray(data)) {
    throw new Error('The Spark UI answered without an executor list.');
  }
  const num = (v: unknown) => (typeof v === 'number' && isFinite(v) ? v : 0);
  return data
    .filter(
      (e): e is Record<string, unknown> =>
        !!e && typeof e === 'object' && typeof e.id === 'string'
    )
    .map(e => ({
      id: e.id as string,
      hostPort: typeof e.hostPort === 'string' ? e.hostPort : '',
      isActive: e.isActive !== false,
      totalCores: num(e.totalCores),
      memoryUsed: num(e.memoryUsed),
      maxMemory: num(e.maxMemory),
      activeTasks: num(e.activeTasks),
      failedTasks: num(e.failedTasks),
      completedTasks: num(e.completedTasks),
      totalGCTime: num(e.totalGCTime),
      totalInputBytes: num(e.totalInputBytes),
      totalShuffleRead: num(e.totalShuffleRead),
      totalShuffleWrite: num(e.totalShuffleWrite),
      removeReason: typeof e.removeReason === 'string' ? e.removeReason : null
    }));
}

/**
 * The executor id of a Spark executor pod: its `spark-exec-id` label when the
 * summary carries it, else the `-exec-<id>` end of the name Spark gives it.
 */
export function podExecutorId(pod: ExecutorPod): string | null {
  if (pod.execId) {
    return pod.execId;
  }
  const m = /-exec-(\d+)$/.exec(pod.name);
  return m ? m[1] : null;
}

function idOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a === 'driver' || b === 'driver') {
    return a === b ? 0 : a === 'driver' ? -1 : 1;
  }
  if (Number.isInteger(na) && Number.isInteger(nb)) {
    return na - nb;
  }
  return a.localeCompare(b);
}

/**
 * The rows of the view. A local session shows its driver (it runs the tasks);
 * a cluster session shows its executors merged with their pods by executor id,
 * pods not registered yet (Pending) by name, and no driver row. Removed
 * executors stay only while their pod is still listed.
 */
export function mergeExecutors(
  executors: readonly IExecutorSummary[],
  pods: readonly ExecutorPod[],
  local: boolean
): IExecutorRow[] {
  if (local) {
    return executors
      .filter(e => e.id === 'driver')
      .map(e => ({ id: e.id, executor: e, pod: null }));
  }
  const byId = new Map<string, ExecutorPod>();
  const loose: ExecutorPod[] = [];
  for (const pod of pods) {
    const id = podExecutorId(pod);
    if (id !== null && !byId.has(id)) {
      byId.set(id, pod);
    } else {
      loose.push(pod);
    }
  }
  const rows: IExecutorRow[] = [];
  const seen = new Set<string>();
  for (const e of executors) {
    if (e.id === 'driver' || seen.has(e.id)) {
      continue;
    }
    const pod = byId.get(e.id) ?? null;
    if (!e.isActive && !pod) {
      continue;
    }
    seen.add(e.id);
    rows.push({ id: e.id, executor: e, pod });
  }
  for (const [id, pod] of byId) {
    if (!seen.has(id)) {
      rows.push({ id, executor: null, pod });
    }
  }
  rows.sort((a, b) => idOrder(a.id, b.id));
  for (const pod of loose) {
    rows.push({ id: pod.name, executor: null, pod });
  }
  return rows;
}

type Trans = Pick<TranslationBundle, '__'>;
const PLAIN: Trans = {
  __: (text: string, ...args: unknown[]) => fill(text, args)
};

function fill(text: string, args: unknown[]): string {
  return text.replace(/%(\d+)/g, (m, i) =>
    args[Number(i) - 1] !== undefined ? String(args[Number(i) - 1]) : m
  );
}

/** Bytes in binary units with at most three significant digits: `0 B`, `512 KiB`, `1.5 GiB`. */
export function formatBytes(bytes: number, trans: Trans = PLAIN): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    unit++;
  }
  const shown =
    unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1);
  // Units are looked up by their literal strings so translators see each.
  switch (unit) {
    case 0:
      return trans.__('%1 B', shown);
    case 1:
      return trans.__('%1 KiB', shown);
    case 2:
      return trans.__('%1 MiB', shown);
    case 3:
      return trans.__('%1 GiB', shown);
    default:
      return trans.__('%1 TiB', shown);
  }
}

/** Milliseconds as `0 ms`, `0.4 s`, `12 s`, `3.5 min`. */
export function formatDuration(ms: number, trans: Trans = PLAIN): string {
  const t = Math.max(0, ms);
  if (t < 100) {
    return trans.__('%1 ms', Math.round(t));
  }
  if (t < 10_000) {
    return trans.__('%1 s', (t / 1000).toFixed(1));
  }
  if (t < 120_000) {
    return trans.__('%1 s', Math.round(t / 1000));
  }
  return trans.__('%1 min', (t / 60_000).toFixed(1));
}

/** What the monitor needs of a notebook's session context. */
export interface IKernelActivity {
  /** The kernel's status changes (`busy`, `idle`, …). */
  readonly statusChanged: ISignal<unknown, string>;
  /** The kernel's status now. */
  readonly status: () => string | undefined;
}

/** ExecutorMonitor's options. */
export interface IExecutorMonitorOptions {
  kernel: IKernelActivity;
  /** GET a URL and return its JSON (through Jupyter's authenticated proxy). */
  fetchJson: (url: string) => Promise<unknown>;
  /** Milliseconds between fetches while the kernel is busy (default 1000). */
  interval?: number;
}

/**
 * Spark's executor list of one session, live while the notebook's kernel is
 * busy (a fetch about once a second, never two at once), fetched once when the
 * target is set and once when the kernel turns idle, and never while idle.
 */
export class ExecutorMonitor implements IDisposable {
  constructor(options: IExecutorMonitorOptions) {
    this._kernel = options.kernel;
    this._fetchJson = options.fetchJson;
    this._interval = options.interval ?? 1000;
    this._kernel.statusChanged.connect(this._onStatus, this);
  }

  /** The executors last fetched (empty before the first answer). */
  get executors(): readonly IExecutorSummary[] {
    return this._executors;
  }

  /** Why the last fetch failed, or null. */
  get error(): string | null {
    return this._error;
  }

  /** The endpoint fetched, or null while there is no running session. */
  get target(): string | null {
    return this._target;
  }

  /** Emitted when the executors or the error change. */
  get changed(): ISignal<ExecutorMonitor, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Fetch from `url` (the `allexecutors` endpoint of a running session), or
   * stop and forget with null.
   */
  setTarget(url: string | null): void {
    if (url === this._target) {
      return;
    }
    this._target = url;
    this._stopTimer();
    this._busy = false;
    this._inFlight = null;
    this._generation++;
    if (!url) {
      if (this._executors.length || this._error) {
        this._executors = [];
        this._error = null;
        this._changed.emit();
      }
      return;
    }
    void this._fetch();
    if (this._kernel.status() === 'busy') {
      this._schedule();
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._stopTimer();
    this._target = null;
    this._kernel.statusChanged.disconnect(this._onStatus, this);
    Signal.clearData(this);
  }

  private _onStatus(_: unknown, status: string): void {
    if (!this._target) {
      return;
    }
    if (status === 'busy') {
      if (!this._busy) {
        this._busy = true;
        this._schedule();
      }
    } else if (this._busy) {
      this._busy = false;
      this._stopTimer();
      // The final counts of the work just done.
      void this._fetch();
    }
  }

  private _schedule(): void {
    this._busy = true;
    if (this._timer === null) {
      this._timer = setTimeout(() => void this._tick(), this._interval);
    }
  }

  private async _tick(): Promise<void> {
    this._timer = null;
    if (!this._busy || !this._target) {
      return;
    }
    await this._fetch();
    if (this._busy && this._target && !this._isDisposed) {
      this._schedule();
    }
  }

  private _stopTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private async _fetch(): Promise<void> {
    const url = this._target;
    if (!url || this._isDisposed) {
      return;
    }
    if (this._inFlight) {
      // One request at a time; the answer in flight is recent enough.
      return this._inFlight;
    }
    const generation = this._generation;
    const request = (async () => {
      let executors: IExecutorSummary[] | null = null;
      let error: string | null = null;
      try {
        executors = parseExecutors(await this._fetchJson(url));
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      if (this._isDisposed || generation !== this._generation) {
        return;
      }
      if (executors) {
        this._executors = executors;
      }
      this._error = error;
      this._changed.emit();
    })().finally(() => {
      if (this._inFlight === request) {
        this._inFlight = null;
      }
    });
    this._inFlight = request;
    return request;
  }

  private _kernel: IKernelActivity;
  private _fetchJson: (url: string) => Promise<unknown>;
  private _interval: number;
  private _target: string | null = null;
  private _busy = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _inFlight: Promise<void> | null = null;
  private _generation = 0;
  private _executors: IExecutorSummary[] = [];
  private _error: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<ExecutorMonitor, void>(this);
}
