/**
 * The Spark panel: pick a profile, start/stop/restart the active notebook's
 * session, see its state and open the Spark UI.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';
import { sparkIcon } from '../icons';
import { ICurrentSession } from './current';
import {
  formatBytes,
  formatDuration,
  IExecutorRow,
  mergeExecutors
} from './executors';
import {
  clusterAdvice,
  sessionCancellable,
  sessionDetails,
  sessionExecutors,
  sessionSparkConnect,
  sessionSparkConnectInterrupted,
  sessionStartedAt
} from './model';
import {
  IPodSummary,
  ISparkConnectStatus,
  profileWarnings,
  SessionProfile
} from '../../core';
import { ISparkSession, ISparkSessionManager, SessionState } from '../tokens';

/** CSS classes of the panel. */
const CSS = {
  panel: 'jp-SparkK8s-panel',
  section: 'jp-SparkK8s-section',
  row: 'jp-SparkK8s-row',
  state: 'jp-SparkK8s-state',
  error: 'jp-SparkK8s-error',
  details: 'jp-SparkK8s-details',
  muted: 'jp-SparkK8s-muted',
  warning: 'jp-SparkK8s-warning',
  pods: 'jp-SparkK8s-pods',
  note: 'jp-SparkK8s-note',
  cluster: 'jp-SparkK8s-cluster',
  elapsed: 'jp-SparkK8s-elapsed'
};

/**
 * Where executors can run: the cluster's namespace and version, or, without a
 * cluster, why in full and what to do, with a button that asks again.
 */
function ClusterLine(props: {
  manager: ISparkSessionManager;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { manager, trans } = props;
  const [checking, setChecking] = React.useState(false);
  const cluster = manager.cluster;
  if (!cluster) {
    return (
      <div className={CSS.note} role="note">
        {trans.__('Looking for a Kubernetes cluster…')}
      </div>
    );
  }
  if (!cluster.available) {
    const advice = clusterAdvice(cluster, trans);
    return (
      <div
        className={`${CSS.note} ${CSS.cluster}`}
        role="note"
        aria-label={trans.__('Kubernetes cluster')}
      >
        <strong>
          {trans.__('No Kubernetes cluster: only local profiles can start.')}
        </strong>
        <p>{trans.__('Why: %1', advice.why)}</p>
        <p>{trans.__('What to do: %1', advice.todo)}</p>
        <button
          className="jp-mod-styled"
          disabled={checking}
          onClick={() => {
            setChecking(true);
            manager
              .refreshCluster()
              .catch(() => undefined)
              .then(() => setChecking(false));
          }}
        >
          {checking ? trans.__('Checking…') : trans.__('Check again')}
        </button>
      </div>
    );
  }
  const missing = cluster.permissions?.session.missing ?? [];
  return (
    <div className={CSS.note} role="note">
      {trans.__(
        'Cluster: namespace %1, Kubernetes %2',
        cluster.namespace ?? '',
        cluster.version ?? ''
      )}
      {missing.length > 0 &&
        ' ' +
          trans.__('(cannot run executors: missing %1)', missing.join(', '))}
    </div>
  );
}

function SecretList(props: {
  manager: ISparkSessionManager;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { manager, trans } = props;
  const secrets = manager.secrets;
  if (!manager.cluster?.available) {
    return null;
  }
  const scopes = Object.entries(manager.secretScopes);
  return (
    <div className={CSS.pods}>
      <h3>{trans.__('Secrets (%1)', secrets.length)}</h3>
      {scopes.length > 0 && (
        <ul aria-label={trans.__('Secret scopes')}>
          {scopes.map(([scope, name]) => {
            const found = secrets.find(s => s.name === name);
            return (
              <li key={scope}>
                {trans.__('scope %1 \u2192 %2', scope, name)}{' '}
                <span className="jp-SparkK8s-podPhase">
                  {found ? found.keys.join(', ') : trans.__('(no such Secret)')}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <ul aria-label={trans.__('Kubernetes Secrets')}>
        {secrets.map(s => (
          <li key={s.name} title={trans.__('keys: %1', s.keys.join(', '))}>
            {s.name}{' '}
            <span className="jp-SparkK8s-podPhase">{s.keys.join(', ')}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The phase of an executor pod in words: Running once ready. */
function podPhase(pod: IPodSummary, trans: TranslationBundle): string {
  return pod.phase === 'Running' && pod.ready ? trans.__('Running') : pod.phase;
}

/**
 * One executor as a group of table rows: its name, cores, memory and tasks;
 * a line with GC time, input and shuffle; and, on a cluster, its pod (phase,
 * node, why it is Pending).
 */
function ExecutorRows(props: {
  row: IExecutorRow;
  trans: TranslationBundle;
}): JSX.Element {
  const { row, trans } = props;
  const { executor: e, pod } = row;
  const name =
    row.id === 'driver'
      ? trans.__('driver')
      : pod && row.id === pod.name
        ? trans.__('pod')
        : row.id;
  const removed = e && !e.isActive;
  return (
    <tbody
      data-executor={row.id}
      className={e?.activeTasks ? 'jp-mod-busy' : undefined}
    >
      <tr>
        <th scope="row" rowSpan={e ? 2 : 1}>
          <span className="jp-SparkK8s-executorId">{name}</span>
          {removed && (
            <div className="jp-SparkK8s-podReason" title={e.removeReason ?? ''}>
              {trans.__('removed')}
            </div>
          )}
        </th>
        {e ? (
          <>
            <td className="jp-SparkK8s-num" data-column="cores">
              {e.totalCores}
            </td>
            <td
              className="jp-SparkK8s-num"
              data-column="tasks"
              title={trans.__(
                '%1 active, %2 failed, %3 completed tasks',
                e.activeTasks,
                e.failedTasks,
                e.completedTasks
              )}
            >
              <span className="jp-SparkK8s-tasksActive" data-tasks="active">
                {e.activeTasks}
              </span>
              {' / '}
              <span
                className={
                  e.failedTasks > 0 ? 'jp-SparkK8s-tasksFailed' : undefined
                }
                data-tasks="failed"
              >
                {e.failedTasks}
              </span>
              {' / '}
              <span data-tasks="completed">{e.completedTasks}</span>
            </td>
          </>
        ) : (
          <td colSpan={2} className={CSS.muted}>
            {trans.__('not registered with Spark yet')}
          </td>
        )}
      </tr>
      {e && (
        <tr className="jp-SparkK8s-executorMore">
          <td colSpan={2}>
            <span
              data-column="memory"
              title={trans.__('Storage memory used / available')}
            >
              {trans.__(
                'memory %1 / %2',
                formatBytes(e.memoryUsed, trans),
                formatBytes(e.maxMemory, trans)
              )}
            </span>
            {' \u00b7 '}
            <span
              data-column="gc"
              title={trans.__('Time spent in garbage collection')}
            >
              {trans.__('GC %1', formatDuration(e.totalGCTime, trans))}
            </span>
            {' · '}
            <span data-column="input">
              {trans.__('input %1', formatBytes(e.totalInputBytes, trans))}
            </span>
            {' · '}
            <span data-column="shuffle">
              {trans.__(
                'shuffle %1 read, %2 written',
                formatBytes(e.totalShuffleRead, trans),
                formatBytes(e.totalShuffleWrite, trans)
              )}
            </span>
          </td>
        </tr>
      )}
      {pod && (
        <tr className="jp-SparkK8s-executorPod">
          <td colSpan={3}>
            <span className="jp-SparkK8s-podName">{pod.name}</span>{' '}
            <span
              className={`jp-SparkK8s-podPhase jp-mod-${pod.phase.toLowerCase()}`}
            >
              {podPhase(pod, trans)}
            </span>
            {pod.node && <> {trans.__('on %1', pod.node)}</>}
            {pod.reason && (
              <div className="jp-SparkK8s-podReason">{pod.reason}</div>
            )}
          </td>
        </tr>
      )}
    </tbody>
  );
}

/**
 * The session's executors (the driver in local mode), live while the notebook
 * runs: cores, memory, tasks, GC, input and shuffle, merged with the executor
 * pods of a kubernetes session.
 */
function ExecutorTable(props: {
  session: ISparkSession;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { session, trans } = props;
  if (isConnect(session)) {
    // A Connect server's executors are its own: no /sparkui/ for them here.
    return null;
  }
  const monitor = sessionExecutors(session);
  const local = (session.info?.master ?? '').startsWith('local');
  const rows = mergeExecutors(monitor?.executors ?? [], session.pods, local);
  if (!session.sessionId && session.state !== 'ready') {
    return null;
  }
  const count = local
    ? rows.length
    : rows.filter(r => r.executor?.isActive !== false).length;
  return (
    <div className={`${CSS.pods} jp-SparkK8s-executors`}>
      <h3>
        {local
          ? trans.__('Driver (local mode)')
          : trans.__('Executors (%1)', count)}
      </h3>
      {session.podsError && (
        <div className={CSS.warning} role="note">
          {session.podsError}
        </div>
      )}
      {monitor?.error && session.state === 'ready' && (
        <div className={CSS.warning} role="note">
          {trans.__('Executor figures unavailable: %1', monitor.error)}
        </div>
      )}
      {rows.length > 0 && (
        <table
          className="jp-SparkK8s-executorTable"
          aria-label={trans.__('Executors')}
        >
          <thead>
            <tr>
              <th scope="col">{trans.__('Executor')}</th>
              <th scope="col">{trans.__('Cores')}</th>
              <th
                scope="col"
                title={trans.__('Tasks: active / failed / completed')}
              >
                {trans.__('Tasks')}
                <div className="jp-SparkK8s-legend">
                  {trans.__('active / failed / done')}
                </div>
              </th>
            </tr>
          </thead>
          {rows.map(row => (
            <ExecutorRows key={row.id} row={row} trans={trans} />
          ))}
        </table>
      )}
    </div>
  );
}

/** Whether `session` is a Spark Connect client (its Spark runs elsewhere). */
function isConnect(session: ISparkSession): boolean {
  const kind = sessionDetails(session)?.kind ?? session.profile?.kind;
  return kind === 'connect' || kind === 'sparkconnect';
}

/** A profile's name with its kind, for the profile list. */
export function profileLabel(
  profile: SessionProfile,
  trans: TranslationBundle
): string {
  switch (profile.kind) {
    case 'kubernetes':
      return trans.__('%1 (Kubernetes)', profile.name);
    case 'standalone':
      return trans.__('%1 (standalone cluster)', profile.name);
    case 'connect':
      return trans.__('%1 (Spark Connect)', profile.name);
    case 'sparkconnect':
      return trans.__('%1 (SparkConnect on Kubernetes)', profile.name);
    default:
      return profile.name;
  }
}

/** A SparkConnect server's state in words. */
function sparkConnectStateLabel(
  status: ISparkConnectStatus,
  trans: TranslationBundle
): string {
  switch (status.state) {
    case 'creating':
      return trans.__('being created');
    case 'pending':
      return trans.__('pending');
    case 'ready':
      return trans.__('ready');
    case 'failed':
      return trans.__('failed');
    default:
      return trans.__('deleted');
  }
}

/**
 * The operator's SparkConnect server of a session: its state live (why it is
 * Pending, why it failed or was deleted) and when it is deleted for idleness.
 */
function SparkConnectStatus(props: {
  session: ISparkSession;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { session, trans } = props;
  const status = sessionSparkConnect(session);
  if (!status) {
    return null;
  }
  return (
    <div
      className={`${CSS.note} jp-SparkK8s-sparkConnect jp-mod-${status.state}`}
      role="note"
      aria-label={trans.__('SparkConnect server')}
    >
      <div>
        {trans.__(
          'SparkConnect %1: %2',
          status.name,
          sparkConnectStateLabel(status, trans)
        )}
      </div>
      {status.reason && (
        <div className="jp-SparkK8s-podReason">{status.reason}</div>
      )}
      {sessionSparkConnectInterrupted(session) && (
        <div className="jp-SparkK8s-idleNote">
          {trans.__('The status stream was interrupted; reconnecting…')}
        </div>
      )}
      {status.state !== 'deleted' && status.state !== 'failed' && (
        <div className="jp-SparkK8s-idleNote">
          {status.idleMinutes > 0
            ? trans.__(
                'Deleted after %1 idle minutes (the operator has no idle culling: this Jupyter server deletes it), and when the session stops or the kernel goes.',
                status.idleMinutes
              )
            : trans.__(
                'Never deleted for idleness: it is deleted when the session stops or the kernel goes.'
              )}
        </div>
      )}
    </div>
  );
}

/** What the selected profile uses that has another name here (`spark.databricks.*` …). */
function ProfileWarnings(props: {
  profile: SessionProfile | undefined;
  trans: TranslationBundle;
}): JSX.Element | null {
  const warnings = props.profile ? profileWarnings(props.profile) : [];
  if (!warnings.length) {
    return null;
  }
  return (
    <ul
      className={`${CSS.warning} jp-SparkK8s-profileWarnings`}
      aria-label={props.trans.__('Profile warnings')}
    >
      {warnings.map(w => (
        <li key={w}>{w}</li>
      ))}
    </ul>
  );
}

/** Human words for a state. */
export function stateLabel(
  state: SessionState,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'starting':
      return trans.__('Starting…');
    case 'ready':
      return trans.__('Ready');
    case 'stopping':
      return trans.__('Stopping…');
    case 'failed':
      return trans.__('Failed');
    default:
      return trans.__('Stopped');
  }
}

/** Whole seconds since `since`, ticking once a second while shown. */
export function Elapsed(props: {
  since: number;
  trans: TranslationBundle;
}): JSX.Element {
  const [now, setNow] = React.useState(Date.now());
  React.useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [props.since]);
  const seconds = Math.max(0, Math.floor((now - props.since) / 1000));
  return <span className={CSS.elapsed}>{props.trans.__('%1 s', seconds)}</span>;
}

/** Run a session action; failures are already shown by the panel, so only log them. */
export function runAction(action: () => Promise<unknown>): void {
  action().catch(reason =>
    console.debug('Spark session action failed:', reason)
  );
}

function SessionView(props: {
  session: ISparkSession;
  manager: ISparkSessionManager;
  trans: TranslationBundle;
}): JSX.Element {
  const { session, manager, trans } = props;
  const busy = session.state === 'starting' || session.state === 'stopping';
  const running = session.state === 'ready';
  const info = session.info;
  const details = sessionDetails(session);
  const startedAt = sessionStartedAt(session);
  return (
    <>
      <div className={CSS.row}>
        <label htmlFor="jp-SparkK8s-profile">{trans.__('Profile')}</label>
        <select
          id="jp-SparkK8s-profile"
          aria-label={trans.__('Profile')}
          value={manager.selectedProfile}
          disabled={busy || running}
          onChange={e => {
            manager.selectedProfile = e.target.value;
          }}
        >
          {manager.profiles.map(p => {
            const usable = manager.usable(p);
            return (
              <option
                key={p.name}
                value={p.name}
                disabled={!usable.ok}
                title={usable.reason ?? ''}
              >
                {profileLabel(p, trans)}
              </option>
            );
          })}
        </select>
      </div>
      {!running && !busy && (
        <ProfileWarnings
          profile={manager.profiles.find(
            p => p.name === manager.selectedProfile
          )}
          trans={trans}
        />
      )}
      <ClusterLine manager={manager} trans={trans} />
      <div className={CSS.row}>
        <button
          className="jp-mod-styled jp-mod-accept"
          disabled={busy || running}
          onClick={() => runAction(() => session.start())}
        >
          {trans.__('Start')}
        </button>
        <button
          className="jp-mod-styled"
          disabled={(busy || !running) && !sessionCancellable(session)}
          title={
            sessionCancellable(session)
              ? trans.__('Stop waiting and delete the SparkConnect server')
              : undefined
          }
          onClick={() => runAction(() => session.stop())}
        >
          {trans.__('Stop')}
        </button>
        <button
          className="jp-mod-styled"
          disabled={busy || !running}
          onClick={() => runAction(() => session.restart())}
        >
          {trans.__('Restart')}
        </button>
      </div>
      <div
        className={`${CSS.state} jp-mod-${session.state}`}
        role="status"
        aria-label={trans.__('Spark session state')}
      >
        {stateLabel(session.state, trans)}
        {startedAt !== null && (
          <>
            {' '}
            <Elapsed since={startedAt} trans={trans} />
          </>
        )}
      </div>
      {session.error && (
        <div className={CSS.error} role="alert">
          {session.error}
        </div>
      )}
      <SparkConnectStatus session={session} trans={trans} />
      {running && info && (
        <dl
          className={CSS.details}
          aria-label={trans.__('Spark session details')}
        >
          {details?.server ? (
            <>
              <dt>{trans.__('Server')}</dt>
              <dd>{details.server}</dd>
              <dt>{trans.__('Session id')}</dt>
              <dd>{details.connectSessionId ?? ''}</dd>
            </>
          ) : (
            <>
              <dt>{trans.__('Application')}</dt>
              <dd>{info.appId}</dd>
            </>
          )}
          <dt>{trans.__('Spark')}</dt>
          <dd>{info.sparkVersion}</dd>
          {!details?.server && (
            <>
              <dt>{trans.__('Master')}</dt>
              <dd>{info.master}</dd>
            </>
          )}
          {session.profile && (
            <>
              <dt>{trans.__('Profile')}</dt>
              <dd>{session.profile.name}</dd>
            </>
          )}
        </dl>
      )}
      {session.warning && (
        <div className={CSS.warning} role="note">
          {session.warning}
        </div>
      )}
      <ExecutorTable session={session} trans={trans} />
      <SecretList manager={manager} trans={trans} />
      {running && (session.uiUrl || details?.masterUi) && (
        <div className={CSS.row}>
          {session.uiUrl && (
            <a href={session.uiUrl} target="_blank" rel="noopener noreferrer">
              {trans.__('Open Spark UI')}
            </a>
          )}
          {details?.masterUi && (
            <a
              href={details.masterUi}
              target="_blank"
              rel="noopener noreferrer"
              title={trans.__('The standalone master\u2019s web UI')}
            >
              {trans.__('Open master UI')}
            </a>
          )}
        </div>
      )}
    </>
  );
}

/** The left-sidebar Spark panel. */
export class SessionPanel extends ReactWidget {
  /** Opens the Jobs view (set by the jobs plugin; no button without it). */
  static openJobs: (() => void) | null = null;

  constructor(
    private _current: ICurrentSession,
    private _manager: ISparkSessionManager,
    private _trans: TranslationBundle
  ) {
    super();
    this.id = 'jp-SparkK8s-sessionPanel';
    this.addClass(CSS.panel);
    this.title.icon = sparkIcon;
    this.title.caption = _trans.__('Spark session');
  }

  protected render(): JSX.Element {
    // One signal for everything shown: the notebook followed, its session, the
    // profiles and the cluster (a nested subscription would stay on the
    // session first shown).
    return (
      <UseSignal signal={this._current.changed}>
        {() => this._renderCurrent()}
      </UseSignal>
    );
  }

  private _renderCurrent(): JSX.Element {
    const trans = this._trans;
    const session = this._current.current;
    return (
      <div className={CSS.section}>
        <h2>{trans.__('Spark')}</h2>
        {SessionPanel.openJobs && (
          <div className={CSS.row}>
            <button
              className="jp-mod-styled"
              title={trans.__(
                'The published notebooks\u2019 runs and schedules, live'
              )}
              onClick={() => SessionPanel.openJobs?.()}
            >
              {trans.__('Jobs')}
            </button>
          </div>
        )}
        {session ? (
          <>
            <div className={CSS.muted} title={this._current.path ?? ''}>
              {trans.__('Notebook: %1', this._current.path ?? '')}
            </div>
            <SessionView
              session={session}
              manager={this._manager}
              trans={trans}
            />
          </>
        ) : (
          <p className={CSS.note}>
            {trans.__(
              'Open a notebook to start a Spark session for its kernel.'
            )}
          </p>
        )}
      </div>
    );
  }
}

/** Tell the user when a start failed from somewhere the panel is not visible. */
export function notifyFailure(reason: unknown, trans: TranslationBundle): void {
  Notification.error(
    trans.__(
      'Spark session failed: %1',
      reason instanceof Error ? reason.message : String(reason)
    ),
    { autoClose: 8000 }
  );
}
