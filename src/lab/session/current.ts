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
  /** Emitted when the active notebook changes or is renamed. */
  readonly currentChanged: ISignal<ICurrentSession, void>;
  /** The active notebook's path, for the heading. */
  readonly path: string | null;
  /**
   * Emitted when anything the panel shows changes: the notebook followed, its
   * session (state, info, pods), the profiles or the cluster. One signal that
   * never changes, so a view subscribes once and is never left on a session
   * it no longer shows.
   */
  readonly changed: ISignal<ICurrentSession, void>;
}

/** What CurrentSession follows: a notebook's session context and document path. */
export interface IFollowedNotebook {
  readonly sessionContext: ISessionContext;
  readonly context: {
    readonly path: string;
    readonly pathChanged: ISignal<unknown, string>;
  };
}

/** Follows the active notebook and its Spark session. */
export class CurrentSession implements ICurrentSession {
  constructor(private _manager: ISparkSessionManager) {
    _manager.profilesChanged.connect(this._onChanged, this);
  }

  get current(): ISparkSession | null {
    return this._notebook
      ? this._manager.sessionFor(this._notebook.sessionContext)
      : null;
  }

  /** The document's path: it follows a rename at once (the kernel session's path lags). */
  get path(): string | null {
    return this._notebook?.context.path ?? null;
  }

  get currentChanged(): ISignal<ICurrentSession, void> {
    return this._currentChanged;
  }

  get changed(): ISignal<ICurrentSession, void> {
    return this._changed;
  }

  /** Point at another notebook (or none). */
  follow(notebook: IFollowedNotebook | null): void {
    if (notebook?.sessionContext === this._notebook?.sessionContext) {
      return;
    }
    this._notebook?.sessionContext.disposed.disconnect(this._onDisposed, this);
    this._notebook?.context.pathChanged.disconnect(this._onRenamed, this);
    this._session?.changed.disconnect(this._onChanged, this);
    this._notebook = notebook;
    this._notebook?.sessionContext.disposed.connect(this._onDisposed, this);
    this._notebook?.context.pathChanged.connect(this._onRenamed, this);
    this._session = this.current;
    this._session?.changed.connect(this._onChanged, this);
    this._currentChanged.emit();
    this._changed.emit();
  }

  private _onDisposed(): void {
    this.follow(null);
  }

  /** A renamed notebook keeps its session: the heading shows the new path. */
  private _onRenamed(): void {
    this._currentChanged.emit();
    this._changed.emit();
  }

  private _onChanged(): void {
    this._changed.emit();
  }

  private _notebook: IFollowedNotebook | null = null;
  private _session: ISparkSession | null = null;
  private _currentChanged = new Signal<ICurrentSession, void>(this);
  private _changed = new Signal<ICurrentSession, void>(this);
}
