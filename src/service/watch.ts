/**
 * A list-then-watch of one kind of object that survives dropped watches and
 * API server restarts: it resumes from the last resourceVersion, relists when
 * that is too old (410 Gone), and retries with backoff while unreachable.
 */
import { KubeConfig, Watch } from '@kubernetes/client-node';

/** A Kubernetes object with the metadata this module needs. */
export interface IObject {
  metadata?: { uid?: string; name?: string; resourceVersion?: string };
}

/** What a watcher reports. */
export type WatchChange<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'SYNCED' }
  | { type: 'STATUS'; connected: boolean; error?: string };

/** How to list and watch one collection. */
export interface IWatchOptions<T> {
  /** API path of the collection, e.g. /api/v1/namespaces/ns/pods. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List the collection (same selectors as the watch). */
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /**
   * Whether to keep an object in `objects` (default: all). Objects not kept are
   * still reported to listeners; the listener decides what to remember.
   */
  keep?: (object: T) => boolean;
  /** Longest a single watch request lasts before it is renewed. */
  timeoutSeconds?: number;
  /** The words for a failed list or watch (default: the error's message). */
  describe?: (err: unknown) => string;
  /** The delays between watches (defaults: BACKOFF). */
  backoff?: Partial<IBackoff>;
  /**
   * Longest silence on an open watch before it is taken as dead (a half-open
   * connection); the server sends a bookmark or ends the watch well before.
   */
  readDeadlineMs?: number;
}

/** Delays between watch requests. */
export interface IBackoff {
  /** The first delay after an unhealthy end. */
  initialMs: number;
  /** The largest delay. */
  maxMs: number;
  /** A watch open at least this long was healthy: the delay starts over. */
  healthyMs: number;
  /** The delay after a healthy watch ended (it is renewed at once, jittered). */
  renewMs: number;
}

/** The default delays: at most a few requests per 10 s against a flapping server. */
export const BACKOFF: IBackoff = {
  initialMs: 1000,
  maxMs: 10_000,
  healthyMs: 30_000,
  renewMs: 250
};

/** Longest silence on a watch before it is taken as dead: under a minute. */
export const READ_DEADLINE_MS = 55_000;

/**
 * Exponential backoff with jitter: each delay is drawn from [d/2, d], d doubling
 * from `initialMs` to `maxMs`; a healthy attempt starts over.
 */
export class Backoff {
  constructor(options: Partial<IBackoff> = {}) {
    this._o = { ...BACKOFF, ...options };
  }

  /** The delay before the next attempt, given how long the last one lasted. */
  next(lastedMs: number): number {
    if (lastedMs >= this._o.healthyMs) {
      this._attempt = 0;
      return Math.random() * this._o.renewMs;
    }
    const d = Math.min(this._o.initialMs * 2 ** this._attempt, this._o.maxMs);
    this._attempt = Math.min(this._attempt + 1, 30);
    return d / 2 + (Math.random() * d) / 2;
  }

  private _o: IBackoff;
  private _attempt = 0;
}

/** A resumable list+watch; subscribe with `onChange`. */
export class ResourceWatcher<T extends IObject> {
  constructor(
    private _kc: KubeConfig,
    private _options: IWatchOptions<T>
  ) {}

  /** The objects as last seen, by uid. */
  readonly objects = new Map<string, T>();

  /** Whether the watch is connected now. */
  connected = false;

  /** Whether the first list has completed (the objects are complete). */
  synced = false;

  /** Why the last list or watch failed, while it is not connected. */
  error: string | undefined;

  /** Number of list and watch requests made (for the benchmark). */
  requests = 0;

  onChange(listener: (change: WatchChange<T>) => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  start(): void {
    if (this._running) {
      return;
    }
    this._running = true;
    void this._loop();
  }

  stop(): void {
    this._running = false;
    this._abort?.abort();
    this._abort = null;
    clearTimeout(this._sleepTimer);
    this._wake?.();
  }

  private _emit(change: WatchChange<T>): void {
    for (const listener of this._listeners) {
      try {
        listener(change);
      } catch (e) {
        console.error('watch listener failed', e);
      }
    }
  }

  private _setConnected(connected: boolean, error?: string): void {
    if (connected !== this.connected || error) {
      this.connected = connected;
      this.error = connected ? undefined : error;
      this._emit({ type: 'STATUS', connected, error });
    }
  }

  private async _relist(): Promise<void> {
    this.requests++;
    const deadline = Math.min(this._readDeadline(), READ_DEADLINE_MS);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A stalled API server must not hold the loop forever.
    const list = await Promise.race([
      this._options.list(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `The API server did not answer a list within ${Math.round(deadline / 1000)} s.`
              )
            ),
          deadline
        );
      })
    ]).finally(() => clearTimeout(timer));
    const seen = new Set<string>();
    for (const item of list.items) {
      const uid = item.metadata?.uid ?? item.metadata?.name ?? '';
      seen.add(uid);
      const had = this.objects.get(uid);
      if (this._keeps(item)) {
        this.objects.set(uid, item);
      }
      if (
        !had ||
        had.metadata?.resourceVersion !== item.metadata?.resourceVersion
      ) {
        this._emit({ type: had ? 'MODIFIED' : 'ADDED', object: item });
      }
    }
    for (const [uid, item] of [...this.objects]) {
      if (!seen.has(uid)) {
        this.objects.delete(uid);
        this._emit({ type: 'DELETED', object: item });
      }
    }
    this._resourceVersion = list.metadata?.resourceVersion ?? '';
    this.synced = true;
    // The API server answered: the objects are current.
    this._setConnected(true);
    this._emit({ type: 'SYNCED' });
  }

  private async _loop(): Promise<void> {
    const backoff = new Backoff(this._options.backoff);
    let needList = true;
    while (this._running) {
      const began = Date.now();
      try {
        if (needList) {
          await this._relist();
          needList = false;
        }
        const outcome = await this._watchOnce();
        if (outcome === 'gone') {
          needList = true;
        }
      } catch (e) {
        if (!this._running) {
          break;
        }
        const code =
          (e as { code?: number; statusCode?: number }).code ??
          (e as { statusCode?: number }).statusCode;
        if (code === 410) {
          needList = true;
        } else {
          this._setConnected(
            false,
            this._options.describe
              ? this._options.describe(e)
              : ((e as Error).message ?? String(e))
          );
          // After an outage the old resourceVersion may be gone; a relist is cheap.
          needList = true;
        }
      }
      if (!this._running) {
        break;
      }
      // Every end waits, with jitter: a server that closes watches at once, answers
      // 410 or fails is asked again after 1, 2, 4… s, never in a tight loop. A watch
      // that stayed open for a healthy while resets the delay.
      await this._sleep(backoff.next(Date.now() - began));
    }
    this._setConnected(false);
  }

  /** One watch request; resolves when it ends normally. */
  private _watchOnce(): Promise<'ended' | 'gone'> {
    return new Promise((resolve, reject) => {
      let gone = false;
      let ended = false;
      const watch = new Watch(this._kc);
      // The server ends each watch within 40-50 s (spread, so watches do not renew
      // together), sending a bookmark just before; a quiet but live watch is thus
      // never silent for longer than the read deadline, while a half-open
      // connection or a stalled server is noticed in under a minute. (The API
      // server's own periodic bookmarks need recent writes to its watch cache,
      // so they cannot be relied on alone.)
      const timeout =
        this._options.timeoutSeconds ?? 40 + Math.floor(Math.random() * 10);
      // client-node aborts a watch after requestTimeoutMs without data: the read deadline.
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
        this._readDeadline();
      this.requests++;
      watch
        .watch(
          this._options.path,
          {
            labelSelector: this._options.labelSelector,
            fieldSelector: this._options.fieldSelector,
            resourceVersion: this._resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: timeout
          },
          (phase: string, object: T & { code?: number }) => {
            this._setConnected(true);
            if (phase === 'ERROR') {
              if (object.code === 410) {
                gone = true;
              }
              return;
            }
            const rv = object.metadata?.resourceVersion;
            if (rv) {
              this._resourceVersion = rv;
            }
            if (phase === 'BOOKMARK') {
              return;
            }
            const uid = object.metadata?.uid ?? object.metadata?.name ?? '';
            if (phase === 'DELETED' || !this._keeps(object)) {
              this.objects.delete(uid);
            } else {
              this.objects.set(uid, object);
            }
            this._emit({
              type: phase as 'ADDED' | 'MODIFIED' | 'DELETED',
              object
            });
          },
          (err: unknown) => {
            ended = true;
            this._abort = null;
            if (err && this._running && isTimeout(err)) {
              // Nothing, not even a bookmark, within the read deadline: the
              // connection is half-open or the server stalls.
              reject(
                new Error(
                  `The API server sent nothing on a watch for ${Math.round(this._readDeadline() / 1000)} s.`
                )
              );
            } else if (err && !gone && this._running && !isAbort(err)) {
              reject(err);
            } else {
              resolve(gone ? 'gone' : 'ended');
            }
          }
        )
        .then(controller => {
          if (ended) {
            return;
          }
          this._abort = controller;
          this._setConnected(true);
          if (!this._running) {
            controller.abort();
          }
        }, reject);
    });
  }

  /**
   * The read deadline: READ_DEADLINE_MS with the default watch length; a caller
   * that chose longer watches (fewer requests) gets their length plus a minute.
   */
  private _readDeadline(): number {
    const { readDeadlineMs, timeoutSeconds } = this._options;
    if (readDeadlineMs !== undefined) {
      return readDeadlineMs;
    }
    return timeoutSeconds !== undefined
      ? Math.max(READ_DEADLINE_MS, (timeoutSeconds + 60) * 1000)
      : READ_DEADLINE_MS;
  }

  private _keeps(object: T): boolean {
    return this._options.keep ? this._options.keep(object) : true;
  }

  private _sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      this._wake = resolve;
      this._sleepTimer = setTimeout(resolve, ms);
    });
  }

  private _listeners = new Set<(change: WatchChange<T>) => void>();
  private _running = false;
  private _resourceVersion = '';
  private _abort: AbortController | null = null;
  private _sleepTimer: ReturnType<typeof setTimeout> | undefined;
  private _wake: (() => void) | null = null;
}

function isTimeout(err: unknown): boolean {
  return (err as { name?: string })?.name === 'TimeoutError';
}

function isAbort(err: unknown): boolean {
  const e = err as { name?: string; type?: string };
  // A quiet watch that timed out just ends: it is renewed from its resourceVersion.
  return (
    e?.name === 'AbortError' ||
    e?.name === 'TimeoutError' ||
    e?.type === 'aborted'
  );
}
