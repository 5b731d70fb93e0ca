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
  LOCAL_PROFILE,
  mappedScopes,
  resolveScopes,
  runtimeBootstrap,
  SessionProfile,
  sessionConf,
  setNotebookPath,
  startSession,
  stopSession
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
import { announceRequest, SessionError } from './kernel';

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
    return this._state === 'ready' && port
      ? URLExt.join(PageConfig.getBaseUrl(), 'sparkui', String(port)) + '/'
      : null;
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

  async stop(): Promise<void> {
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

  /** Close the pod stream and make sure no executor pod of this session is left. */
  private async _release(): Promise<void> {
    this._stream?.close();
    this._stream = null;
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
    const id = typeof bundle.sessionId === 'string' ? bundle.sessionId : null;
    if (id) {
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
    this.sessionContext.statusChanged.disconnect(this._onKernelStatus, this);
    this.sessionContext.kernelChanged.disconnect(this._onKernelChanged, this);
    this.sessionContext.propertyChanged.disconnect(
      this._onPropertyChanged,
      this
    );
    this._stream?.close();
    this._stream = null;
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
    // Executor pods need fresh cluster facts; a local session can use what is known.
    const known =
      profile.kind === 'kubernetes'
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
    }
    const kernelSecrets = kernelScopes(mapping, namespaceSecrets);
    let conf: Record<string, string>;
    try {
      // The one validation of the profile: sessionConf refuses a bad one with its reasons.
      conf = sessionConf(profile, {
        appName: PathName.stem(this.sessionContext.path) || 'notebook',
        uiOrigin: this._manager.uiOrigin,
        cluster,
        sessionId,
        secrets
      });
    } catch (e) {
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
        return this._fail('The kernel answered without a running session.');
      }
      this._runtimeKernel = kernel.id;
      this._warning = imageWarning(profile, info);
      this._set('ready', info, null);
      return info;
    } catch (e) {
      await this._release();
      return this._fail(e instanceof Error ? e.message : String(e));
    }
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
    const ui = this.uiUrl;
    this._executors.setTarget(
      ui && info?.appId
        ? `${ui}api/v1/applications/${encodeURIComponent(info.appId)}/allexecutors`
        : null
    );
    this._changed.emit();
  }

  private _onKernelStatus(_: ISessionContext, status: Kernel.Status): void {
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
  }

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
    if (profile.kind !== 'kubernetes') {
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
  }
}
