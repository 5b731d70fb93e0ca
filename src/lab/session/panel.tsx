/**
 * The Spark panel: pick a profile, start/stop/restart the active notebook's
 * session, see its state and open the Spark UI.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';
import { sparkIcon } from '../icons';
import { ICurrentSession, sessionKey } from './current';
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
  pods: 'jp-SparkK8s-pods'
};

function ClusterLine(props: {
  manager: ISparkSessionManager;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { manager, trans } = props;
  const cluster = manager.cluster;
  if (!cluster) {
    return null;
  }
  if (!cluster.available) {
    return (
      <div className={CSS.muted} role="note" title={cluster.reason ?? ''}>
        {trans.__(
          'No Kubernetes cluster: only local profiles. %1',
          cluster.reason ?? ''
        )}
      </div>
    );
  }
  const missing = cluster.permissions?.session.missing ?? [];
  return (
    <div className={CSS.muted} role="note">
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

function ExecutorList(props: {
  session: ISparkSession;
  trans: TranslationBundle;
}): JSX.Element {
  const { session, trans } = props;
  const pods = session.pods;
  return (
    <div className={CSS.pods}>
      <h3>{trans.__('Executors (%1)', pods.length)}</h3>
      {session.podsError && (
        <div className={CSS.warning} role="note">
          {session.podsError}
        </div>
      )}
      <ul aria-label={trans.__('Executor pods')}>
        {pods.map(pod => (
          <li
            key={pod.name}
            className={`jp-mod-${pod.phase.toLowerCase()}`}
            title={pod.node ? trans.__('on node %1', pod.node) : ''}
          >
            <span className="jp-SparkK8s-podName">{pod.name}</span>{' '}
            <span className="jp-SparkK8s-podPhase">
              {pod.phase === 'Running' && pod.ready
                ? trans.__('Running')
                : pod.phase}
            </span>
            {pod.reason && (
              <div className="jp-SparkK8s-podReason">{pod.reason}</div>
            )}
          </li>
        ))}
      </ul>
    </div>
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
                {p.kind === 'kubernetes'
                  ? trans.__('%1 (Kubernetes)', p.name)
                  : p.name}
              </option>
            );
          })}
        </select>
      </div>
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
          disabled={busy || !running}
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
      </div>
      {session.error && (
        <div className={CSS.error} role="alert">
          {session.error}
        </div>
      )}
      {running && info && (
        <dl
          className={CSS.details}
          aria-label={trans.__('Spark session details')}
        >
          <dt>{trans.__('Application')}</dt>
          <dd>{info.appId}</dd>
          <dt>{trans.__('Spark')}</dt>
          <dd>{info.sparkVersion}</dd>
          <dt>{trans.__('Master')}</dt>
          <dd>{info.master}</dd>
          <dt>{trans.__('Profile')}</dt>
          <dd>{session.profile?.name ?? ''}</dd>
        </dl>
      )}
      {session.warning && (
        <div className={CSS.warning} role="note">
          {session.warning}
        </div>
      )}
      {session.sessionId && <ExecutorList session={session} trans={trans} />}
      <SecretList manager={manager} trans={trans} />
      {running && session.uiUrl && (
        <div className={CSS.row}>
          <a href={session.uiUrl} target="_blank" rel="noopener noreferrer">
            {trans.__('Open Spark UI')}
          </a>
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
    const trans = this._trans;
    return (
      <UseSignal signal={this._current.currentChanged}>
        {() => {
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
                  <UseSignal signal={this._manager.profilesChanged}>
                    {() => (
                      <UseSignal
                        key={sessionKey(session)}
                        signal={session.changed}
                      >
                        {() => (
                          <SessionView
                            session={session}
                            manager={this._manager}
                            trans={trans}
                          />
                        )}
                      </UseSignal>
                    )}
                  </UseSignal>
                </>
              ) : (
                <p className={CSS.muted}>
                  {trans.__(
                    'Open a notebook to start a Spark session for its kernel.'
                  )}
                </p>
              )}
            </div>
          );
        }}
      </UseSignal>
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
