/**
 * The session the Spark panel and the status bar show: the active notebook's.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';
import { ISparkSession, ISparkSessionManager } from '../tokens';

/** Where the panel finds the session to show. */
export interface ICurrentSession {
  /** The session of the active notebook, or null when none is open. */
  readonly current: ISparkSession | null;
  /** Emitted when the active notebook changes. */
  readonly currentChanged: ISignal<ICurrentSession, void>;
  /** The active notebook's path, for the heading. */
  readonly path: string | null;
}

/** Follows the active notebook and its Spark session. */
export class CurrentSession implements ICurrentSession {
  constructor(private _manager: ISparkSessionManager) {}

  get current(): ISparkSession | null {
    return this._context ? this._manager.sessionFor(this._context) : null;
  }

  get path(): string | null {
    return this._context?.path ?? null;
  }

  get currentChanged(): ISignal<ICurrentSession, void> {
    return this._currentChanged;
  }

  /** Point at another notebook's session context (or none). */
  follow(context: ISessionContext | null): void {
    if (context === this._context) {
      return;
    }
    this._context?.disposed.disconnect(this._onDisposed, this);
    this._context = context;
    this._context?.disposed.connect(this._onDisposed, this);
    this._currentChanged.emit();
  }

  private _onDisposed(): void {
    this.follow(null);
  }

  private _context: ISessionContext | null = null;
  private _currentChanged = new Signal<ICurrentSession, void>(this);
}

const sessionKeys = new WeakMap<ISparkSession, string>();
let keyCount = 0;

/**
 * A stable React key per session: UseSignal subscribes once, at mount, so the
 * view of another notebook's session must be a new element.
 */
export function sessionKey(session: ISparkSession): string {
  let key = sessionKeys.get(session);
  if (!key) {
    key = `spark-session-${++keyCount}`;
    sessionKeys.set(session, key);
  }
  return key;
}
