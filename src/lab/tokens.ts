/**
 * Tokens other plugins use to reach the Spark sessions of open notebooks.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';
import { SessionProfile } from '../core';

/** What a session is doing. */
export type SessionState =
  'stopped' | 'starting' | 'ready' | 'stopping' | 'failed';

/** What the kernel reported about a running session. */
export interface ISessionInfo {
  appId: string;
  appName: string;
  master: string;
  sparkVersion: string;
  pythonVersion: string;
  uiPort: number | null;
}

/** The Spark session of one notebook's kernel. */
export interface ISparkSession {
  /** The notebook's session context. */
  readonly sessionContext: ISessionContext;
  /** Current state. */
  readonly state: SessionState;
  /** Set while ready. */
  readonly info: ISessionInfo | null;
  /** Why the last start failed, in plain words. */
  readonly error: string | null;
  /** The profile of the running (or last) session. */
  readonly profile: SessionProfile | null;
  /** Emitted whenever state, info or error change. */
  readonly changed: ISignal<ISparkSession, void>;
  /** The Spark UI address under Jupyter's base URL, when ready. */
  readonly uiUrl: string | null;
  /** Start a session with `profile`; resolves when ready, rejects with the reason. */
  start(profile?: SessionProfile): Promise<ISessionInfo>;
  /** Stop the session. */
  stop(): Promise<void>;
  /** Stop then start with the same profile. */
  restart(): Promise<ISessionInfo>;
}

/** The Spark sessions of all open notebooks. */
export interface ISparkSessionManager {
  /** The session of a notebook's session context, created on first use. */
  sessionFor(sessionContext: ISessionContext): ISparkSession;
  /** Profiles from the settings, the built-in `local` always among them. */
  readonly profiles: readonly SessionProfile[];
  /** Name of the profile Start uses. */
  selectedProfile: string;
  /** Emitted when profiles or the selection change. */
  readonly profilesChanged: ISignal<ISparkSessionManager, void>;
}

/** The Spark session manager token. */
export const ISparkSessionManager = new Token<ISparkSessionManager>(
  'jupyterlab-spark-k8s:ISparkSessionManager',
  'The Spark sessions of open notebooks: start, stop, state and Spark UI.'
);
