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
  /** Longest a single watch request lasts before it is renewed. */
  timeoutSeconds?: number;
  /** The words for a failed list or watch (default: the error's message). */
  describe?: (err: unknown) => string;
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
    const list = await this._options.list();
    const seen = new Set<string>();
    for (const item of list.items) {
      const uid = item.metadata?.uid ?? item.metadata?.name ?? '';
      seen.add(uid);
      const had = this.objects.get(uid);
      this.objects.set(uid, item);
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
    let backoff = 500;
    let needList = true;
    while (this._running) {
      try {
        if (needList) {
          await this._relist();
          needList = false;
        }
        const outcome = await this._watchOnce();
        backoff = 500;
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
          continue;
        }
        this._setConnected(
          false,
          this._options.describe
            ? this._options.describe(e)
            : ((e as Error).message ?? String(e))
        );
        await this._sleep(backoff);
        backoff = Math.min(backoff * 2, 8000);
        // After an outage the old resourceVersion may be gone; a relist is cheap.
        needList = true;
      }
    }
    this._setConnected(false);
  }

  /** One watch request; resolves when it ends normally. */
  private _watchOnce(): Promise<'ended' | 'gone'> {
    return new Promise((resolve, reject) => {
      let gone = false;
      const watch = new Watch(this._kc);
      const timeout =
        this._options.timeoutSeconds ?? 240 + Math.floor(Math.random() * 60);
      // client-node aborts a watch after 30 s without data, which on a quiet
      // namespace means a new request every 30 s; let the server end it instead.
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
        (timeout + 60) * 1000;
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
            if (phase === 'DELETED') {
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
            this._abort = null;
            if (err && !gone && this._running && !isAbort(err)) {
              reject(err);
            } else {
              resolve(gone ? 'gone' : 'ended');
            }
          }
        )
        .then(controller => {
          this._abort = controller;
          this._setConnected(true);
          if (!this._running) {
            controller.abort();
          }
        }, reject);
    });
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

function isAbort(err: unknown): boolean {
  const e = err as { name?: string; type?: string };
  // A quiet watch that timed out just ends: it is renewed from its resourceVersion.
  return (
    e?.name === 'AbortError' ||
    e?.name === 'TimeoutError' ||
    e?.type === 'aborted'
  );
}
