/**
 * Tokens other plugins use to reach the Spark sessions of open notebooks.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';
import { IClusterInfo, IPodSummary, SessionProfile } from '../core';

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
  /** Labels this session's executor pods (kubernetes profiles). */
  readonly sessionId: string | null;
  /** The session's executor pods, live (kubernetes profiles). */
  readonly pods: readonly IPodSummary[];
  /** A problem with the pod stream, if any. */
  readonly podsError: string | null;
  /** A caution about the session (e.g. image/kernel version mismatch). */
  readonly warning: string | null;
  /** Emitted whenever state, info or error change. */
  readonly changed: ISignal<ISparkSession, void>;
  /** The Spark UI address under Jupyter's base URL, when ready. */
  readonly uiUrl: string | null;
  /** Start a session with `profile`; resolves when ready, rejects with the reason. */
  start(profile?: SessionProfile): Promise<ISessionInfo>;
  /** Stop the session. */
  stop(): Promise<void>;
  /** Load runtime.py into the kernel (once per kernel process) without starting Spark. */
  ensureRuntime(): Promise<void>;
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
  /** Emitted when profiles, the selection or the cluster change. */
  readonly profilesChanged: ISignal<ISparkSessionManager, void>;
  /** The cluster as last discovered, or null before the first answer. */
  readonly cluster: IClusterInfo | null;
  /** Profiles usable now, and why the others are not. */
  usable(profile: SessionProfile): { ok: boolean; reason?: string };
  /** Ask the service about the cluster again. */
  refreshCluster(): Promise<IClusterInfo>;
  /** The namespace's Secrets by name and keys (never values). */
  readonly secrets: readonly { name: string; keys: string[] }[];
  /** Databricks secret scope → Secret name, from the settings. */
  readonly secretScopes: Readonly<Record<string, string>>;
}

/** The Spark session manager token. */
export const ISparkSessionManager = new Token<ISparkSessionManager>(
  'jupyterlab-spark-k8s:ISparkSessionManager',
  'The Spark sessions of open notebooks: start, stop, state and Spark UI.'
);
