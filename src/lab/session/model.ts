/**
 * The Spark session of each open notebook's kernel, as plain models.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { Kernel, ServerConnection } from '@jupyterlab/services';
import { JSONObject, UUID } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  clusterProblem,
  DEFAULTS,
  executorPodTemplate,
  IClusterInfo,
  imageWarning,
  IPodSummary,
  ISecretKeys,
  ISecretScope,
  kernelScopes,
  announceSession,
  ISparkConnectStatus,
  LOCAL_PROFILE,
  mappedScopes,
  resolveScopes,
  runtimeBootstrap,
  SessionProfile,
  sessionConf,
  setNotebookPath,
  startSession,
  stopSession,
  validateProfile
} from '../../core';
import {
  ISparkServiceClient,
  IStream,
  PodStreamMessage,
  SparkServiceClient
} from '../api/client';
import {
  ISessionInfo,
  ISparkSession,
  ISparkSessionManager,
  SessionState
} from '../tokens';
import { ExecutorMonitor } from './executors';
import {
  announceRequest,
  kernelProcess,
  kernelSparkVersion,
  SessionError
} from './kernel';

/** What a session shows besides the common info, by kind. */
export interface ISessionDetails {
  /** The profile kind the kernel reported (`local`, `kubernetes`, `standalone`, `connect`). */
  kind: string | null;
  /** A Connect session's server, `host:port`. */
  server: string | null;
  /** A Connect session's id on its server. */
  connectSessionId: string | null;
  /** The standalone master's web UI. */
  masterUi: string | null;
  /** A Connect server's own Spark UI (not proxied by Jupyter). */
  serverUiUrl: string | null;
}

/** The least time between two activity reports of a SparkConnect session. */
export const ACTIVITY_INTERVAL_MS = 60_000;

/** Settings the sessions read. */
export interface ISessionSettings {
  /** Seconds a start may take before the panel reports it as failed. */
  startTimeout: number;
  /** Databricks secret scope → Kubernetes Secret. */
  secretScopes: Record<string, string>;
}

/** The Spark session of one notebook's kernel. */
export class SparkSession implements ISparkSession {
  constructor(
    readonly sessionContext: ISessionContext,
    private _manager: SparkSessionManager
  ) {
    sessionContext.statusChanged.connect(this._onKernelStatus, this);
    sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    sessionContext.propertyChanged.connect(this._onPropertyChanged, this);
    this._executors = new ExecutorMonitor({
      kernel: {
        statusChanged: sessionContext.statusChanged,
        status: () => sessionContext.session?.kernel?.status
      },
      fetchJson: _manager.fetchJson
    });
    this._executors.changed.connect(() => this._changed.emit(), this);
    // A reloaded page: Spark may already run in this notebook's kernel.
    void this.recover();
  }

  get state(): SessionState {
    return this._state;
  }

  get info(): ISessionInfo | null {
    return this._info;
  }

  get error(): string | null {
    return this._error;
  }

  get profile(): SessionProfile | null {
    return this._profile;
  }

  get sessionId(): string | null {
    return this._sessionId;
  }

  get pods(): readonly IPodSummary[] {
    return this._pods;
  }

  get podsError(): string | null {
    return this._podsError;
  }

  get warning(): string | null {
    return this._warning;
  }

  /** When the current start began (ms since the epoch), while starting. */
  get startedAt(): number | null {
    return this._state === 'starting' ? this._startedAt : null;
  }

  /** Spark's executor list, live while the kernel is busy. */
  get executors(): ExecutorMonitor {
    return this._executors;
  }

  get changed(): ISignal<ISparkSession, void> {
    return this._changed;
  }

  get uiUrl(): string | null {
    const port = this._info?.uiPort;
    if (this._state !== 'ready') {
      return null;
    }
    if (port) {
      return (
        URLExt.join(PageConfig.getBaseUrl(), 'sparkui', String(port)) + '/'
      );
    }
    // A Connect server's UI runs beside the server, when the profile names it.
    return this._details?.serverUiUrl ?? null;
  }

  /** Kind-specific details of the running session (server, master UI…). */
  get details(): ISessionDetails | null {
    return this._state === 'ready' ? this._details : null;
  }

  /** The operator's SparkConnect server of this session, live (sparkconnect profiles). */
  get sparkConnect(): ISparkConnectStatus | null {
    return this._sparkConnect;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Start a session; concurrent calls share one start. */
  start(profile?: SessionProfile): Promise<ISessionInfo> {
    if (this._state === 'ready' && this._info) {
      return Promise.resolve(this._info);
    }
    if (this._starting) {
      return this._starting;
    }
    const chosen = profile ?? this._manager.selected;
    this._starting = this._start(chosen).finally(() => {
      this._starting = null;
    });
    return this._starting;
  }

  /** A start waiting for its SparkConnect server: Stop cancels it (and deletes the server). */
  get cancellable(): boolean {
    return this._state === 'starting' && this._scWait !== null;
  }

  async stop(): Promise<void> {
    if (this._scWait) {
      this._cancelled = true;
      this._scWait.reject(new SessionError('The start was cancelled.'));
      await this._starting?.catch(() => undefined);
      return;
    }
    const kernel = this.sessionContext.session?.kernel;
    if (!kernel || this._state === 'stopped') {
      await this._release();
      this._set('stopped', null, null);
      return;
    }
    this._set('stopping', this._info, null);
    let error: string | null = null;
    try {
      await announceRequest(
        kernel,
        stopSession(),
        this._manager.settings.startTimeout * 1000
      );
    } catch (e) {
      // The runtime was never loaded (nothing to stop) or the kernel is gone.
      error = e instanceof SessionError ? null : String(e);
    }
    await this._release();
    this._set('stopped', null, error);
  }

  /**
   * Close the streams and make sure no executor pod and no SparkConnect server
   * of this session is left.
   */
  private async _release(): Promise<void> {
    this._stream?.close();
    this._stream = null;
    this._scStream?.close();
    this._scStream = null;
    this._scWait?.reject(new SessionError('The session was stopped.'));
    this._scWait = null;
    const server = this._sparkConnect;
    if (server && server.state !== 'deleted') {
      try {
        await this._manager.client.deleteSparkConnect(server.name);
        this._sparkConnect = { ...server, state: 'deleted', reason: null };
      } catch (e) {
        console.warn('Could not delete SparkConnect', server.name, e);
      }
    }
    const id = this._sessionId;
    this._sessionId = null;
    this._pods = [];
    this._podsError = null;
    if (id) {
      try {
        await this._manager.client.deleteSessionPods(id);
      } catch (e) {
        console.warn('Could not delete executor pods of session', id, e);
      }
    }
  }

  private _onPods(message: PodStreamMessage): void {
    switch (message.type) {
      case 'snapshot':
        this._pods = message.pods;
        break;
      case 'pod': {
        const others = this._pods.filter(p => p.name !== message.pod.name);
        this._pods = [...others, message.pod].sort((a, b) =>
          a.name.localeCompare(b.name)
        );
        break;
      }
      case 'pod-deleted':
        this._pods = this._pods.filter(p => p.name !== message.name);
        break;
      case 'status':
        this._podsError = message.connected
          ? null
          : (message.error ?? 'Reconnecting to the cluster…');
        break;
    }
    this._changed.emit();
  }

  async ensureRuntime(): Promise<void> {
    const kernel = this.sessionContext.session?.kernel;
    if (!kernel || this._runtimeKernel === kernel.id) {
      return;
    }
    const reply = await kernel.requestExecute({
      code: runtimeBootstrap(),
      silent: true,
      store_history: false
    }).done;
    if (reply.content.status !== 'ok') {
      throw new SessionError('runtime.py could not be loaded into the kernel.');
    }
    this._runtimeKernel = kernel.id;
  }

  /**
   * Ask the kernel whether Spark already runs in it (the page was reloaded, or
   * another tab started it) and show that session, without a click. A kernel
   * without the runtime, or with a stopped session, leaves the state alone.
   */
  async recover(): Promise<void> {
    const kernel = this.sessionContext.session?.kernel;
    if (!kernel || this._state !== 'stopped' || this._starting) {
      return;
    }
    if (this._recovering === kernel.id) {
      return;
    }
    this._recovering = kernel.id;
    let bundle: JSONObject;
    try {
      // A kernel busy with a cell answers when it is done.
      bundle = await announceRequest(
        kernel,
        announceSession(),
        this._manager.settings.startTimeout * 1000
      );
    } catch {
      // No runtime in this kernel (a new one), or it restarted: nothing runs.
      return;
    } finally {
      if (this._recovering === kernel.id) {
        this._recovering = null;
      }
    }
    const info = toInfo(bundle);
    if (
      !info ||
      this._isDisposed ||
      this._state !== 'stopped' ||
      this._starting ||
      this.sessionContext.session?.kernel?.id !== kernel.id
    ) {
      return;
    }
    this._runtimeKernel = kernel.id;
    this._details = toDetails(bundle, null);
    const id = typeof bundle.sessionId === 'string' ? bundle.sessionId : null;
    const server = sparkConnectOf(this._details.server);
    if (server) {
      // A SparkConnect server of this notebook: follow it again.
      this._sparkConnect = {
        name: server.name,
        namespace: server.namespace,
        state: 'ready',
        reason: null,
        endpoint: `sc://${this._details.server}`,
        idleMinutes: 0,
        idleDeadline: null
      };
      this._followSparkConnect(server.name);
    } else if (id && this._details.kind !== 'connect') {
      this._sessionId = id;
      this._stream = this._manager.client.podStream(id, m => this._onPods(m));
    }
    this._set('ready', info, null);
  }

  async restart(): Promise<ISessionInfo> {
    const profile = this._profile ?? undefined;
    await this.stop();
    return this.start(profile);
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    if (this._busyTimer !== null) {
      clearInterval(this._busyTimer);
      this._busyTimer = null;
    }
    this.sessionContext.statusChanged.disconnect(this._onKernelStatus, this);
    this.sessionContext.kernelChanged.disconnect(this._onKernelChanged, this);
    this.sessionContext.propertyChanged.disconnect(
      this._onPropertyChanged,
      this
    );
    this._stream?.close();
    this._stream = null;
    this._scStream?.close();
    this._scStream = null;
    this._executors.dispose();
    Signal.clearData(this);
  }

  /** A renamed notebook: the kernel's notebook context follows (where the runtime is loaded). */
  private _onPropertyChanged(_: unknown, property: string): void {
    const kernel = this.sessionContext.session?.kernel;
    if (property === 'path' && kernel) {
      kernel
        .requestExecute(
          {
            code: setNotebookPath(this.sessionContext.path),
            silent: true,
            store_history: false
          },
          true
        )
        // A kernel that restarts meanwhile starts with no runtime: nothing to update.
        .done.catch(() => undefined);
    }
  }

  private async _start(profile: SessionProfile): Promise<ISessionInfo> {
    this._profile = profile;
    this._startedAt = Date.now();
    this._sparkConnect = null;
    this._details = null;
    this._set('starting', null, null);
    let kernel: Kernel.IKernelConnection | null | undefined =
      this.sessionContext.session?.kernel;
    if (!kernel) {
      await this.sessionContext.ready;
      kernel = this.sessionContext.session?.kernel;
    }
    if (!kernel) {
      return this._fail(
        'This notebook has no kernel. Select a Python kernel, then start the session.'
      );
    }
    // Pods need fresh cluster facts; other sessions can use what is known.
    const onCluster =
      profile.kind === 'kubernetes' || profile.kind === 'sparkconnect';
    const known = onCluster
      ? await this._manager.refreshCluster()
      : (this._manager.cluster ?? (await this._manager.refreshCluster()));
    // One listing of the namespace's Secrets (names and keys) serves the
    // executors' references and the kernel's scopes.
    const namespaceSecrets = known.available
      ? await this._manager.refreshSecrets()
      : [];
    const mapping = this._manager.settings.secretScopes;
    let cluster: IClusterInfo | undefined;
    let sessionId: string | undefined;
    let secrets: ISecretScope[] = [];
    if (profile.kind === 'kubernetes') {
      const problem = clusterProblem(known);
      if (problem) {
        return this._fail(problem);
      }
      cluster = known;
      sessionId = UUID.uuid4();
      secrets = mappedScopes(mapping, namespaceSecrets);
    } else if (profile.kind === 'standalone' && known.available) {
      // The workers reach the driver at this pod's IP, when there is a pod.
      cluster = known;
    }
    const kernelSecrets = kernelScopes(mapping, namespaceSecrets);
    let server: ISparkConnectStatus | undefined;
    if (profile.kind === 'sparkconnect') {
      // Its server first: the profile is checked before anything is created.
      const problems = validateProfile(profile);
      const problem = problems.length
        ? problems.join('\n')
        : clusterProblem(known);
      if (problem) {
        return this._fail(problem);
      }
      try {
        server = await this._createSparkConnect(profile, kernel, UUID.uuid4());
      } catch (e) {
        await this._release();
        if (this._cancelled) {
          this._cancelled = false;
          this._set('stopped', null, null);
          throw new SessionError(
            'The session was stopped before its SparkConnect server was ready.'
          );
        }
        return this._fail(e instanceof Error ? e.message : String(e));
      }
    }
    // Storage presets take the jars built for the kernel's own Spark.
    const sparkVersion =
      'storage' in profile && profile.storage
        ? await kernelSparkVersion(kernel).catch(() => null)
        : null;
    let conf: Record<string, string>;
    try {
      // The one validation of the profile: sessionConf refuses a bad one with its reasons.
      conf = sessionConf(profile, {
        sparkVersion: sparkVersion ?? undefined,
        appName: PathName.stem(this.sessionContext.path) || 'notebook',
        uiOrigin: this._manager.uiOrigin,
        cluster,
        sessionId,
        secrets,
        server
      });
    } catch (e) {
      await this._release();
      return this._fail((e as Error).message);
    }
    if (sessionId) {
      // Watch from the start, so Pending pods show while Spark starts.
      this._sessionId = sessionId;
      this._stream = this._manager.client.podStream(sessionId, m =>
        this._onPods(m)
      );
    }
    try {
      const bundle = await announceRequest(
        kernel,
        startSession({
          conf,
          podTemplate: executorPodTemplate(profile),
          secretScopes: resolveScopes(kernelSecrets),
          notebookPath: this.sessionContext.path
        }),
        this._manager.settings.startTimeout * 1000
      );
      const info = toInfo(bundle);
      if (!info) {
        await this._release();
        return this._fail('The kernel answered without a running session.');
      }
      this._runtimeKernel = kernel.id;
      this._details = toDetails(bundle, profile);
      this._lastActivity = Date.now();
      this._warning = imageWarning(profile, info);
      this._set('ready', info, null);
      return info;
    } catch (e) {
      await this._release();
      return this._fail(e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * Create the session's SparkConnect through the service and wait, following
   * its status, until it is ready; rejects with the reason in words (CRD
   * missing, failed, deleted, too slow).
   */
  private async _createSparkConnect(
    profile: Extract<SessionProfile, { kind: 'sparkconnect' }>,
    kernel: Kernel.IKernelConnection,
    sessionId: string
  ): Promise<ISparkConnectStatus> {
    // The service deletes the server when this kernel process is gone.
    const proc = await kernelProcess(kernel).catch(() => null);
    const created = await this._manager.client.createSparkConnect({
      profile,
      sessionId,
      ...(proc ? { kernel: proc } : {})
    });
    this._sparkConnect = created;
    this._changed.emit();
    const timeout = this._manager.settings.startTimeout * 1000;
    const ready = new Promise<ISparkConnectStatus>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new SessionError(
              `The SparkConnect server ${created.name} was not ready within ${Math.round(timeout / 1000)} s${this._sparkConnect?.reason ? ': ' + this._sparkConnect.reason : ''}. It was deleted; start again, or ask an admin about the cluster's capacity.`
            )
          ),
        timeout
      );
      this._scWait = {
        resolve: status => {
          clearTimeout(timer);
          resolve(status);
        },
        reject: error => {
          clearTimeout(timer);
          reject(error);
        }
      };
    });
    this._followSparkConnect(created.name);
    try {
      return await ready;
    } finally {
      this._scWait = null;
    }
  }

  /** Follow a SparkConnect's status stream (until it is deleted or released). */
  private _followSparkConnect(name: string): void {
    this._scStream?.close();
    this._scStream = this._manager.client.sparkConnectStream(
      name,
      status => this._onSparkConnect(status),
      () => {
        this._scInterrupted = true;
        this._changed.emit();
      }
    );
  }

  private _onSparkConnect(status: ISparkConnectStatus): void {
    if (this._isDisposed || this._sparkConnect?.name !== status.name) {
      return;
    }
    this._scInterrupted = false;
    this._sparkConnect = status;
    const wait = this._scWait;
    if (wait) {
      if (status.state === 'ready') {
        wait.resolve(status);
      } else if (status.state === 'failed' || status.state === 'deleted') {
        wait.reject(new SessionError(sparkConnectGone(status)));
      }
      this._changed.emit();
      return;
    }
    if (
      (status.state === 'failed' || status.state === 'deleted') &&
      (this._state === 'ready' || this._state === 'starting')
    ) {
      // Culled for idleness, or gone under the kernel: say so, and drop the
      // kernel's client session (its server is no more).
      this._scStream?.close();
      this._scStream = null;
      const kernel = this.sessionContext.session?.kernel;
      if (kernel && this._state === 'ready') {
        void announceRequest(
          kernel,
          stopSession(),
          this._manager.settings.startTimeout * 1000
        ).catch(() => undefined);
      }
      this._set('failed', null, sparkConnectGone(status));
      return;
    }
    this._changed.emit();
  }

  /** Tell the service a SparkConnect session is in use, at most once a minute. */
  private _reportActivity(): void {
    const server = this._sparkConnect;
    if (
      this._state !== 'ready' ||
      !server ||
      server.state !== 'ready' ||
      Date.now() - this._lastActivity < this._manager.activityInterval
    ) {
      return;
    }
    this._lastActivity = Date.now();
    this._manager.client
      .sparkConnectActivity(server.name)
      .catch(e => console.warn('Could not report activity of', server.name, e));
  }

  /** The SparkConnect status stream dropped and is reconnecting. */
  get sparkConnectInterrupted(): boolean {
    return this._scInterrupted;
  }

  private _fail(reason: string): never {
    this._set('failed', null, reason);
    throw new SessionError(reason);
  }

  private _set(
    state: SessionState,
    info: ISessionInfo | null,
    error: string | null
  ): void {
    if (this._isDisposed) {
      return;
    }
    this._state = state;
    this._info = info;
    this._error = error;
    if (state !== 'ready') {
      this._details = null;
    }
    const ui = this.uiUrl;
    this._executors.setTarget(
      ui && info?.appId && info.uiPort
        ? `${ui}api/v1/applications/${encodeURIComponent(info.appId)}/allexecutors`
        : null
    );
    this._changed.emit();
  }

  private _onKernelStatus(_: ISessionContext, status: Kernel.Status): void {
    if (status === 'busy') {
      this._reportActivity();
      // A cell longer than the idle time is still activity: keep saying so while it runs.
      this._busyTimer ??= setInterval(
        () => this._reportActivity(),
        this._manager.activityInterval
      );
    } else if (this._busyTimer !== null) {
      clearInterval(this._busyTimer);
      this._busyTimer = null;
    }
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'dead'
    ) {
      this._runtimeKernel = null;
    }
    if (status === 'dead' && this._state !== 'stopped') {
      void this._release();
      this._set(
        'failed',
        null,
        'The kernel died, and the Spark session with it. Restart the kernel, then start the session again.'
      );
    } else if (
      (status === 'restarting' || status === 'autorestarting') &&
      this._state !== 'stopped' &&
      this._state !== 'starting'
    ) {
      void this._release();
      this._set('stopped', null, null);
    }
  }

  private _onKernelChanged(): void {
    if (this._state !== 'stopped' && this._state !== 'starting') {
      void this._release();
      this._set('stopped', null, null);
    }
    // The page connected to a kernel that was already running: ask it.
    void this.recover();
  }

  private _state: SessionState = 'stopped';
  private _info: ISessionInfo | null = null;
  private _error: string | null = null;
  private _profile: SessionProfile | null = null;
  private _starting: Promise<ISessionInfo> | null = null;
  private _startedAt: number | null = null;
  /** The kernel a recover() is asking, so a burst of signals asks once. */
  private _recovering: string | null = null;
  private _sessionId: string | null = null;
  /** The kernel runtime.py was loaded into; a restart clears it. */
  private _runtimeKernel: string | null = null;
  private _stream: IStream | null = null;
  private _pods: IPodSummary[] = [];
  private _podsError: string | null = null;
  private _warning: string | null = null;
  private _executors: ExecutorMonitor;
  private _details: ISessionDetails | null = null;
  private _sparkConnect: ISparkConnectStatus | null = null;
  private _scStream: IStream | null = null;
  private _scInterrupted = false;
  private _scWait: {
    resolve: (status: ISparkConnectStatus) => void;
    reject: (error: Error) => void;
  } | null = null;
  /** Stop was pressed while the SparkConnect server was awaited. */
  private _cancelled = false;
  /** When activity was last reported (or the session became ready). */
  private _lastActivity = 0;
  /** Reports activity while the kernel is busy (a long cell), cleared when it is not. */
  private _busyTimer: ReturnType<typeof setInterval> | null = null;
  private _isDisposed = false;
  private _changed = new Signal<ISparkSession, void>(this);
}

function toInfo(bundle: JSONObject): ISessionInfo | null {
  if (bundle.state !== 'ready') {
    return null;
  }
  const str = (key: string) =>
    typeof bundle[key] === 'string' ? (bundle[key] as string) : '';
  return {
    appId: str('appId'),
    appName: str('appName'),
    master: str('master'),
    sparkVersion: str('sparkVersion'),
    pythonVersion: str('pythonVersion'),
    uiPort: typeof bundle.uiPort === 'number' ? bundle.uiPort : null
  };
}

/** The kind-specific details the kernel announced, with the profile's links as fallback. */
function toDetails(
  bundle: JSONObject,
  profile: SessionProfile | null
): ISessionDetails {
  const str = (key: string) =>
    typeof bundle[key] === 'string' && bundle[key]
      ? (bundle[key] as string)
      : null;
  return {
    kind: str('kind') ?? profile?.kind ?? null,
    server: str('server'),
    connectSessionId: str('sessionId'),
    masterUi:
      str('masterUi') ??
      (profile?.kind === 'standalone' ? (profile.masterUi ?? null) : null),
    serverUiUrl:
      str('uiUrl') ??
      (profile?.kind === 'connect' ? (profile.uiUrl ?? null) : null)
  };
}

/** The SparkConnect a Connect server address belongs to (`<name>-server.<ns>.svc:port`). */
function sparkConnectOf(
  server: string | null
): { name: string; namespace: string } | null {
  const m = /^([a-z0-9-]+)-server\.([a-z0-9-]+)\.svc(:\d+)?$/.exec(
    server ?? ''
  );
  return m ? { name: m[1], namespace: m[2] } : null;
}

/** Why a SparkConnect server is no more, in words. */
function sparkConnectGone(status: ISparkConnectStatus): string {
  if (status.state === 'failed') {
    return `The SparkConnect server ${status.name} failed${status.reason ? ': ' + status.reason : ''}. Start the session again; if it fails again, look at the profile's image and resources.`;
  }
  return `The SparkConnect server ${status.name} was deleted${status.reason ? ': ' + status.reason : ''}. Start the session again for a new one.`;
}

/** Kind-specific details of `session` (server, master UI…), while it is ready. */
export function sessionDetails(session: ISparkSession): ISessionDetails | null {
  return session instanceof SparkSession ? session.details : null;
}

/** Whether the status stream of `session`'s SparkConnect dropped (it reconnects). */
export function sessionSparkConnectInterrupted(
  session: ISparkSession
): boolean {
  return session instanceof SparkSession && session.sparkConnectInterrupted;
}

/** Whether Stop cancels `session`'s start (it waits for its SparkConnect server). */
export function sessionCancellable(session: ISparkSession): boolean {
  return session instanceof SparkSession && session.cancellable;
}

/** The SparkConnect server of `session`, live, when it has one. */
export function sessionSparkConnect(
  session: ISparkSession
): ISparkConnectStatus | null {
  return session instanceof SparkSession ? session.sparkConnect : null;
}

/** Spark's live executor list of `session`, when it is one of this manager's. */
export function sessionExecutors(
  session: ISparkSession
): ExecutorMonitor | null {
  return session instanceof SparkSession ? session.executors : null;
}

/** GET `url` through Jupyter's authenticated server connection; its JSON. */
async function fetchServerJson(url: string): Promise<unknown> {
  const response = await ServerConnection.makeRequest(
    url,
    { cache: 'no-store' },
    ServerConnection.makeSettings()
  );
  if (!response.ok) {
    throw new Error(
      `The Spark UI answered ${response.status} ${response.statusText} for its executor list.`
    );
  }
  return response.json();
}

/** When `session` began starting, while it starts (null otherwise). */
export function sessionStartedAt(session: ISparkSession): number | null {
  return session instanceof SparkSession ? session.startedAt : null;
}

/** How a cluster answer that came from no service at all begins. */
const SERVICE_SILENT =
  'the Spark service of this Jupyter server did not answer';

/** Why there is no cluster and what to do, in words, for the panel. */
export interface IClusterAdvice {
  /** Why there is no cluster, as a sentence. */
  why: string;
  /** What to do about it, as sentences. */
  todo: string;
}

/**
 * Words for a cluster that is not available: why (from the service's reason,
 * without its own advice) and what to do, ending with the panel's Check again.
 */
export function clusterAdvice(
  info: IClusterInfo,
  trans: Pick<TranslationBundle, '__'> = { __: (text: string) => text }
): IClusterAdvice {
  const reason = (info.reason ?? '').trim();
  const sentence = (text: string) => {
    const t = text.trim().replace(/[.\s]+$/, '');
    return t ? t[0].toUpperCase() + t.slice(1) + '.' : '';
  };
  if (reason.startsWith(SERVICE_SILENT)) {
    return {
      why: sentence(reason),
      todo: trans.__(
        'Check that jupyter-server-proxy is installed and the jupyterlab_spark_k8s server extension is enabled (jupyter server extension list), restart the Jupyter server, then press Check again.'
      )
    };
  }
  if (/no kubeconfig was found|no API server configured/.test(reason)) {
    return {
      why: trans.__(
        'This Jupyter server does not run in a Kubernetes pod and has no kubeconfig, so there is no cluster to run executors on.'
      ),
      todo: trans.__(
        'To run executors as pods, run JupyterLab in a pod of the cluster with the service account from deploy/rbac.yaml, or set KUBECONFIG for the Jupyter server and restart it, then press Check again.'
      )
    };
  }
  if (/kubeconfig could not be read|names no current cluster/.test(reason)) {
    return {
      why: sentence(reason),
      todo: trans.__(
        'Fix the kubeconfig the Jupyter server reads (KUBECONFIG or ~/.kube/config) so that it names a current context, restart the Jupyter server, then press Check again.'
      )
    };
  }
  const unreachable = /^(.*?cannot be reached[^.]*\.)/.exec(reason);
  if (unreachable) {
    return {
      why: sentence(unreachable[1]),
      todo: trans.__(
        'Check that the cluster is up and that this server can reach its API server, then press Check again.'
      )
    };
  }
  if (/forbidden|unauthorized|\b40[13]\b/i.test(reason)) {
    return {
      why: sentence(reason),
      todo: trans.__(
        'Ask an administrator to bind deploy/rbac.yaml to this server\u2019s service account (or renew the kubeconfig\u2019s credentials), then press Check again.'
      )
    };
  }
  return {
    why: sentence(reason) || trans.__('The cluster did not say why.'),
    todo: trans.__('Fix the problem above, then press Check again.')
  };
}

namespace PathName {
  /** `dir/name.ipynb` → `name`. */
  export function stem(path: string): string {
    const base = path.split('/').pop() ?? '';
    return base.replace(/\.[^.]+$/, '');
  }
}

/** The Spark sessions of all open notebooks, and the profiles to start them with. */
export class SparkSessionManager implements ISparkSessionManager {
  constructor(options: SparkSessionManager.IOptions = {}) {
    this.client = options.client ?? new SparkServiceClient();
    this.uiOrigin = options.uiOrigin;
    this.fetchJson = options.fetchJson ?? fetchServerJson;
    this.activityInterval = options.activityInterval ?? ACTIVITY_INTERVAL_MS;
  }

  /** Least milliseconds between two activity reports of a SparkConnect session. */
  readonly activityInterval: number;

  /** GETs JSON through Jupyter (the Spark UI's REST API via `/sparkui/`). */
  readonly fetchJson: (url: string) => Promise<unknown>;

  /** The Spark service. */
  readonly client: ISparkServiceClient;
  /** The origin the browser reaches Jupyter at, for Spark UI redirects. */
  readonly uiOrigin: string | undefined;

  settings: ISessionSettings = {
    startTimeout: DEFAULTS.startTimeout,
    secretScopes: {}
  };

  sessionFor(sessionContext: ISessionContext): SparkSession {
    let session = this._sessions.get(sessionContext);
    if (!session) {
      session = new SparkSession(sessionContext, this);
      this._sessions.set(sessionContext, session);
      sessionContext.disposed.connect(() => {
        this._sessions.get(sessionContext)?.dispose();
        this._sessions.delete(sessionContext);
      });
    }
    return session;
  }

  get profiles(): readonly SessionProfile[] {
    return this._profiles;
  }

  get selectedProfile(): string {
    return this._selected;
  }

  set selectedProfile(name: string) {
    if (name === this._selected) {
      return;
    }
    this._selected = name;
    this._profilesChanged.emit();
  }

  /** The profile Start uses: the selected one, else the first. */
  get selected(): SessionProfile {
    return (
      this._profiles.find(p => p.name === this._selected) ?? this._profiles[0]
    );
  }

  get profilesChanged(): ISignal<ISparkSessionManager, void> {
    return this._profilesChanged;
  }

  get cluster(): IClusterInfo | null {
    return this._cluster;
  }

  usable(profile: SessionProfile): { ok: boolean; reason?: string } {
    if (profile.kind !== 'kubernetes' && profile.kind !== 'sparkconnect') {
      return { ok: true };
    }
    if (!this._cluster) {
      return { ok: false, reason: 'Looking for a Kubernetes cluster…' };
    }
    const problem = clusterProblem(this._cluster);
    return problem ? { ok: false, reason: problem } : { ok: true };
  }

  get secretScopes(): Readonly<Record<string, string>> {
    return this.settings.secretScopes;
  }

  /** The namespace's Secrets (names and keys), once the cluster allows listing them. */
  get secrets(): readonly ISecretKeys[] {
    return this._secrets;
  }

  /** Refresh the Secrets list from the service. */
  async refreshSecrets(): Promise<readonly ISecretKeys[]> {
    if (
      this._cluster?.available &&
      this._cluster.permissions?.secrets.allowed
    ) {
      try {
        this._secrets = await this.client.secrets();
      } catch (e) {
        console.warn('Secrets could not be listed', e);
      }
      this._profilesChanged.emit();
    }
    return this._secrets;
  }

  refreshCluster(): Promise<IClusterInfo> {
    if (!this._clusterRequest) {
      this._clusterRequest = this.client
        .cluster()
        .catch(e => ({
          available: false,
          reason: `${SERVICE_SILENT} (${e instanceof Error ? e.message : String(e)})`
        }))
        .then(info => {
          this._cluster = info;
          this._clusterRequest = null;
          this._profilesChanged.emit();
          void this.refreshSecrets();
          return info;
        });
    }
    return this._clusterRequest;
  }

  /** Replace the profiles; `local` is always offered unless a profile overrides it. */
  setProfiles(profiles: readonly SessionProfile[], preferred: string): void {
    const byName = new Map<string, SessionProfile>();
    byName.set(LOCAL_PROFILE.name, LOCAL_PROFILE);
    for (const p of profiles) {
      byName.set(p.name, { ...p });
    }
    this._profiles = [...byName.values()];
    if (!byName.has(this._selected) || preferred !== this._preferred) {
      this._selected = byName.has(preferred) ? preferred : LOCAL_PROFILE.name;
    }
    this._preferred = preferred;
    this._profilesChanged.emit();
  }

  private _sessions = new Map<ISessionContext, SparkSession>();
  private _cluster: IClusterInfo | null = null;
  private _secrets: ISecretKeys[] = [];
  private _clusterRequest: Promise<IClusterInfo> | null = null;
  private _profiles: SessionProfile[] = [LOCAL_PROFILE];
  private _selected = LOCAL_PROFILE.name;
  private _preferred = LOCAL_PROFILE.name;
  private _profilesChanged = new Signal<ISparkSessionManager, void>(this);
}

/** SparkSessionManager's options. */
export namespace SparkSessionManager {
  export interface IOptions {
    /** The Spark service (tests pass a fake). */
    client?: ISparkServiceClient;
    /** The browser's origin, for Spark UI redirects. */
    uiOrigin?: string;
    /** GET JSON (tests pass a fake; default: Jupyter's server connection). */
    fetchJson?: (url: string) => Promise<unknown>;
    /** Least milliseconds between two activity reports (default a minute). */
    activityInterval?: number;
  }
}
