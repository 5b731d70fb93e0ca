/**
 * The Jobs view: a main-area tab rendering a `JobsModel`: the schedules with
 * their runs, the one-off runs, and the selected run's details with its live
 * driver log.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import {
  driverUiPath,
  IRunSummary,
  IScheduleSummary,
  RunState
} from '../../core';
import { SERVICE_PATH } from '../api/client';
import {
  ACTIVE_STATES,
  argumentPairs,
  exitValue,
  failingCell,
  formatDuration,
  IArgumentPair,
  IScheduleRow,
  isFinal,
  JobsModel,
  mark,
  pairArguments,
  pairProblems,
  runDuration
} from './model';

/** What the view asks its host to do. */
export interface IJobsActions {
  /** Open a notebook of the server's tree. */
  openNotebook(path: string): void;
  /** Open the publish form for a notebook. */
  republish(path: string): void;
  /** Ask before deleting; resolves true to delete. */
  confirmDelete(
    kind: 'application' | 'schedule',
    name: string,
    runs: number
  ): Promise<boolean>;
  /** Open the run's executed notebook read-only. */
  openExecuted(run: IRunSummary): Promise<void>;
  /** Open the run's Spark UI replayed by the History Server, in a new tab. */
  openHistory(run: IRunSummary): Promise<void>;
  /** Save text as a file in the browser's downloads. */
  download(fileName: string, text: string): void;
}

const CSS = 'jp-SparkK8s-jobs';

/** A running driver's own Spark UI, through the service (Jupyter's authenticated proxy). */
export function sparkUiUrl(run: IRunSummary): string {
  return (
    URLExt.join(
      ServerConnection.makeSettings().baseUrl,
      SERVICE_PATH,
      driverUiPath(run.name)
    ) + '/'
  );
}

/** Most runs listed under a schedule before "show all". */
const RUNS_SHOWN = 5;

/** Most one-off applications listed before "show all". */
const APPS_SHOWN = 25;

/** A run's state in words (the operator's text carries details). */
export function stateWords(state: RunState, trans: TranslationBundle): string {
  switch (state) {
    case 'new':
      return trans.__('New');
    case 'submitted':
      return trans.__('Submitted');
    case 'running':
      return trans.__('Running');
    case 'succeeding':
      return trans.__('Succeeding');
    case 'completed':
      return trans.__('Completed');
    case 'failing':
      return trans.__('Failing');
    case 'failed':
      return trans.__('Failed');
    case 'submission-failed':
      return trans.__('Submission failed');
    case 'pending-rerun':
      return trans.__('Pending rerun');
    case 'invalidating':
      return trans.__('Invalidating');
    default:
      return trans.__('Unknown');
  }
}

function stateClass(state: RunState): string {
  if (state === 'completed' || state === 'succeeding') {
    return 'jp-mod-ok';
  }
  if (
    state === 'failed' ||
    state === 'submission-failed' ||
    state === 'failing'
  ) {
    return 'jp-mod-failed';
  }
  if (ACTIVE_STATES.has(state)) {
    return 'jp-mod-running';
  }
  return 'jp-mod-waiting';
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23'
});

function when(iso?: string): string {
  if (!iso) {
    return '';
  }
  const t = Date.parse(iso);
  return isNaN(t) ? iso : dateFormat.format(new Date(t));
}

function StateBadge(props: {
  run: IRunSummary;
  trans: TranslationBundle;
}): JSX.Element {
  const { run, trans } = props;
  return (
    <span
      className={`${CSS}-state ${stateClass(run.state)}`}
      title={run.errorMessage ?? run.stateText}
    >
      {stateWords(run.state, trans)}
    </span>
  );
}

function NotebookLink(props: {
  path?: string;
  actions: IJobsActions;
  trans: TranslationBundle;
}): JSX.Element | null {
  if (!props.path) {
    return null;
  }
  const path = props.path;
  return (
    <a
      href="#"
      className={`${CSS}-link`}
      title={props.trans.__('Open %1', path)}
      onClick={e => {
        e.preventDefault();
        e.stopPropagation();
        props.actions.openNotebook(path);
      }}
    >
      {path}
    </a>
  );
}

/** Re-render every second while some run is going, so durations move. */
function useTicking(active: boolean): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!active) {
      return;
    }
    const timer = setInterval(() => setTick(t => t + 1), 1000);
    return () => clearInterval(timer);
  }, [active]);
}

function RunRows(props: {
  runs: IRunSummary[];
  model: JobsModel;
  actions: IJobsActions;
  trans: TranslationBundle;
  nested?: boolean;
}): JSX.Element {
  const { runs, model, actions, trans } = props;
  useTicking(runs.some(r => !isFinal(r)));
  const now = new Date();
  return (
    <>
      {runs.map(run => {
        const selected = model.selected === run.name;
        return (
          <tr
            key={run.name}
            className={`${CSS}-run${selected ? ' jp-mod-selected' : ''}${props.nested ? ` ${CSS}-nested` : ''}`}
            aria-selected={selected}
            data-run={run.name}
            onClick={() => model.select(run.name)}
          >
            <td>
              <button
                className={`${CSS}-runName`}
                aria-label={trans.__('Run %1', run.name)}
                onClick={e => {
                  e.stopPropagation();
                  model.select(selected ? null : run.name);
                }}
              >
                {run.name}
              </button>
            </td>
            <td>
              <StateBadge run={run} trans={trans} />
              {(run.errorMessage ||
                (isFinal(run) && run.state !== 'completed')) && (
                <div className={`${CSS}-error`}>
                  {run.errorMessage ?? run.stateText}
                </div>
              )}
            </td>
            <td className={`${CSS}-num`}>{run.attempts}</td>
            <td>{when(run.submittedAt ?? run.createdAt)}</td>
            <td>{when(run.endedAt)}</td>
            <td>{formatDuration(runDuration(run, now))}</td>
            {!props.nested && (
              <>
                <td>{run.owner ?? ''}</td>
                <td>
                  <NotebookLink
                    path={run.notebookPath}
                    actions={actions}
                    trans={trans}
                  />
                </td>
              </>
            )}
          </tr>
        );
      })}
    </>
  );
}

function RunHead(props: {
  trans: TranslationBundle;
  nested?: boolean;
}): JSX.Element {
  const { trans } = props;
  return (
    <tr>
      <th>{trans.__('Run')}</th>
      <th>{trans.__('State')}</th>
      <th>{trans.__('Attempts')}</th>
      <th>{trans.__('Submitted')}</th>
      <th>{trans.__('Ended')}</th>
      <th>{trans.__('Duration')}</th>
      {!props.nested && (
        <>
          <th>{trans.__('Owner')}</th>
          <th>{trans.__('Notebook')}</th>
        </>
      )}
    </tr>
  );
}

/** A small form of `--name value` pairs, then Run. */
function ParametersForm(props: {
  initial: string[];
  trans: TranslationBundle;
  onRun: (args: string[]) => void;
  onCancel: () => void;
}): JSX.Element {
  const { trans } = props;
  const [pairs, setPairs] = React.useState<IArgumentPair[]>(() => {
    const p = argumentPairs(props.initial);
    return p.length ? p : [{ name: '', value: '' }];
  });
  const problems = pairProblems(pairs);
  const set = (i: number, patch: Partial<IArgumentPair>) =>
    setPairs(pairs.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <form
      className={`${CSS}-params`}
      aria-label={trans.__('Run with other parameters')}
      onSubmit={e => {
        e.preventDefault();
        if (!problems.length) {
          props.onRun(pairArguments(pairs));
        }
      }}
    >
      {pairs.map((pair, i) => (
        <div key={i} className={`${CSS}-pair`}>
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Parameter name %1', i + 1)}
            placeholder={trans.__('name')}
            value={pair.name}
            spellCheck={false}
            onChange={e => set(i, { name: e.currentTarget.value })}
          />
          <input
            className="jp-mod-styled"
            aria-label={
              pair.name
                ? trans.__('Parameter %1', pair.name)
                : trans.__('Parameter value %1', i + 1)
            }
            placeholder={trans.__('value')}
            value={pair.value}
            spellCheck={false}
            onChange={e => set(i, { value: e.currentTarget.value })}
          />
          <button
            type="button"
            className="jp-mod-styled"
            aria-label={trans.__('Remove parameter %1', i + 1)}
            onClick={() => setPairs(pairs.filter((_, j) => j !== i))}
          >
            {trans.__('Remove')}
          </button>
        </div>
      ))}
      {problems.map(p => (
        <div key={p} className={`${CSS}-problem`} role="alert">
          {p}
        </div>
      ))}
      <div className={`${CSS}-buttons`}>
        <button
          type="button"
          className="jp-mod-styled"
          onClick={() => setPairs([...pairs, { name: '', value: '' }])}
        >
          {trans.__('Add parameter')}
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={problems.length > 0}
        >
          {trans.__('Run')}
        </button>
        <button
          type="button"
          className="jp-mod-styled"
          onClick={props.onCancel}
        >
          {trans.__('Cancel')}
        </button>
      </div>
    </form>
  );
}

function ScheduleBlock(props: {
  row: IScheduleRow;
  model: JobsModel;
  actions: IJobsActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { row, model, actions, trans } = props;
  const s: IScheduleSummary = row.schedule;
  const [editing, setEditing] = React.useState(false);
  const [all, setAll] = React.useState(false);
  const busy = (a: string) => model.isBusy(a, s.name);
  const runs = all ? row.runs : row.runs.slice(0, RUNS_SHOWN);
  const zone = s.timeZone || 'UTC';
  const run = (args?: string[]) => {
    void model.runNow(s.name, args).then(name => {
      if (name) {
        model.select(name);
      }
    });
  };
  return (
    <section
      className={`${CSS}-schedule`}
      aria-label={trans.__('Schedule %1', s.name)}
      data-schedule={s.name}
    >
      <div className={`${CSS}-scheduleHead`}>
        <h3>{s.name}</h3>
        <span
          className={`${CSS}-badge${s.suspended ? ' jp-mod-suspended' : ''}`}
        >
          {s.suspended ? trans.__('Suspended') : trans.__('Active')}
        </span>
        <div className={`${CSS}-buttons`}>
          <button
            className="jp-mod-styled jp-mod-accept"
            disabled={busy('run')}
            onClick={() => run()}
          >
            {trans.__('Run now')}
          </button>
          <button
            className="jp-mod-styled"
            aria-expanded={editing}
            onClick={() => setEditing(!editing)}
          >
            {trans.__('Run with other parameters\u2026')}
          </button>
          <button
            className="jp-mod-styled"
            disabled={busy('suspend') || busy('resume')}
            onClick={() => void model.setSuspended(s.name, !s.suspended)}
          >
            {s.suspended ? trans.__('Resume') : trans.__('Suspend')}
          </button>
          {s.notebookPath && (
            <button
              className="jp-mod-styled"
              onClick={() => actions.republish(s.notebookPath!)}
              title={trans.__(
                'Publish %1 again from the notebook as it is now',
                s.notebookPath
              )}
            >
              {trans.__('Re-publish')}
            </button>
          )}
          <button
            className="jp-mod-styled jp-mod-warn"
            disabled={busy('delete')}
            onClick={async () => {
              if (
                await actions.confirmDelete('schedule', s.name, row.runs.length)
              ) {
                await model.remove('schedule', s.name);
              }
            }}
          >
            {trans.__('Delete')}
          </button>
        </div>
      </div>
      <dl className={`${CSS}-facts`}>
        <dt>{trans.__('Schedule')}</dt>
        <dd title={s.schedule}>{row.description}</dd>
        <dt>{trans.__('Time zone')}</dt>
        <dd>{zone}</dd>
        <dt>{trans.__('Last run')}</dt>
        <dd>
          {row.lastRun
            ? `${when(row.lastRun.time)}${row.lastRun.name ? ` (${row.lastRun.name})` : ''}`
            : trans.__('never')}
        </dd>
        <dt>{trans.__('Next run')}</dt>
        <dd aria-label={trans.__('Next run of %1', s.name)}>
          {s.suspended
            ? trans.__('none while suspended')
            : (row.nextRunLabel ?? row.nextRunError ?? '')}
        </dd>
        <dt>{trans.__('Runs')}</dt>
        <dd>{row.runs.length}</dd>
        <dt>{trans.__('Notebook')}</dt>
        <dd>
          <NotebookLink path={s.notebookPath} actions={actions} trans={trans} />
          {s.owner ? ` \u00b7 ${trans.__('owner %1', s.owner)}` : ''}
        </dd>
      </dl>
      {editing && (
        <ParametersForm
          initial={s.arguments}
          trans={trans}
          onCancel={() => setEditing(false)}
          onRun={args => {
            setEditing(false);
            run(args);
          }}
        />
      )}
      {row.runs.length > 0 && (
        <div className={`${CSS}-scroll`}>
          <table
            className={`${CSS}-table`}
            aria-label={trans.__('Runs of %1', s.name)}
          >
            <thead>
              <RunHead trans={trans} nested />
            </thead>
            <tbody>
              <RunRows
                runs={runs}
                model={model}
                actions={actions}
                trans={trans}
                nested
              />
            </tbody>
          </table>
        </div>
      )}
      {row.runs.length > RUNS_SHOWN && (
        <button className={`${CSS}-more`} onClick={() => setAll(!all)}>
          {all
            ? trans.__('Show the %1 newest runs', RUNS_SHOWN)
            : trans.__('Show all %1 runs', row.runs.length)}
        </button>
      )}
    </section>
  );
}

function DriverLog(props: {
  model: JobsModel;
  run: IRunSummary;
  actions: IJobsActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, run, actions, trans } = props;
  const [filter, setFilter] = React.useState('');
  const log = model.log;
  const lines = model.logLines(filter);
  const end = React.useRef<HTMLPreElement>(null);
  React.useEffect(() => {
    const pre = end.current;
    if (pre && !filter) {
      pre.scrollTop = pre.scrollHeight;
    }
  });
  let status: string;
  if (!log) {
    status = '';
  } else if (log.status === 'error') {
    status = log.error ?? trans.__('The driver log cannot be read.');
  } else if (!log.text) {
    status =
      log.status === 'streaming'
        ? isFinal(run)
          ? trans.__('Reading the driver log\u2026')
          : trans.__(
              'No log yet: the driver has not written anything. Lines appear here as it runs.'
            )
        : trans.__('The driver wrote no log.');
  } else {
    status =
      log.status === 'streaming'
        ? trans.__('Following the driver log live')
        : trans.__('End of the driver log');
  }
  return (
    <div className={`${CSS}-log`}>
      <div className={`${CSS}-logBar`}>
        <h3>{trans.__('Driver log')}</h3>
        <input
          type="search"
          className="jp-mod-styled"
          aria-label={trans.__('Search the driver log')}
          placeholder={trans.__('Search')}
          value={filter}
          onChange={e => setFilter(e.currentTarget.value)}
        />
        <button
          className="jp-mod-styled"
          disabled={!log?.text}
          onClick={() =>
            actions.download(`${run.name}-driver.log`, log?.text ?? '')
          }
        >
          {trans.__('Download')}
        </button>
      </div>
      <div
        className={`${CSS}-logStatus${log?.status === 'error' ? ' jp-mod-error' : ''}`}
        role="status"
        aria-label={trans.__('Driver log status')}
      >
        {status}
        {log?.truncated &&
          ' ' + trans.__('(older lines dropped; Download has the rest kept)')}
        {filter &&
          ' ' + trans.__('\u2014 %1 matching lines', String(lines.length))}
      </div>
      <pre
        ref={end}
        className={`${CSS}-logText`}
        aria-label={trans.__('Driver log of %1', run.name)}
        tabIndex={0}
      >
        {lines.join('\n')}
      </pre>
    </div>
  );
}

function RunDetails(props: {
  model: JobsModel;
  actions: IJobsActions;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, actions, trans } = props;
  const run = model.selectedRun;
  const [editing, setEditing] = React.useState(false);
  const [opening, setOpening] = React.useState(false);
  if (!run) {
    return null;
  }
  const text = model.log?.text ?? '';
  const exit = exitValue(text);
  const cell = failingCell(run, text);
  const final = isFinal(run);
  const oneOff = !run.scheduleName || !model.schedule(run.scheduleName);
  return (
    <section
      className={`${CSS}-details`}
      aria-label={trans.__('Details of run %1', run.name)}
    >
      <div className={`${CSS}-scheduleHead`}>
        <h2>{trans.__('Run %1', run.name)}</h2>
        <StateBadge run={run} trans={trans} />
        <button
          className="jp-mod-styled"
          aria-label={trans.__('Close the run details')}
          onClick={() => model.select(null)}
        >
          {trans.__('Close')}
        </button>
      </div>
      {run.stateText !== stateWords(run.state, trans) && (
        <div className={`${CSS}-stateText`} role="status">
          {run.stateText}
        </div>
      )}
      {exit !== null && (
        <div className={`${CSS}-exit`}>
          {trans.__('Notebook exited with: %1', exit)}
        </div>
      )}
      {cell && <div className={`${CSS}-error`}>{cell}</div>}
      <div className={`${CSS}-buttons`}>
        {!final &&
          (run.state === 'running' ? (
            <a
              className="jp-mod-styled jp-SparkK8s-jobs-sparkUi"
              href={sparkUiUrl(run)}
              target="_blank"
              rel="noopener noreferrer"
              title={trans.__(
                'The driver\u2019s own Spark UI, live, in a new browser tab'
              )}
            >
              {trans.__('Spark UI')}
            </a>
          ) : (
            <button
              className="jp-mod-styled"
              disabled
              title={trans.__(
                'The driver serves its Spark UI while the run is Running.'
              )}
            >
              {trans.__('Spark UI')}
            </button>
          ))}
        {final && (
          <>
            <button
              className="jp-mod-styled"
              disabled={opening}
              onClick={async () => {
                setOpening(true);
                try {
                  await actions.openExecuted(run);
                } finally {
                  setOpening(false);
                }
              }}
            >
              {trans.__('Executed notebook')}
            </button>
            <button
              className="jp-mod-styled"
              title={trans.__(
                'The run\u2019s Spark UI, replayed by the Spark History Server from its event log'
              )}
              onClick={() => void actions.openHistory(run)}
            >
              {trans.__('Spark UI (history)')}
            </button>
          </>
        )}
        {run.notebookPath && (
          <>
            <button
              className="jp-mod-styled"
              onClick={() => actions.openNotebook(run.notebookPath!)}
            >
              {trans.__('Open notebook')}
            </button>
            <button
              className="jp-mod-styled"
              onClick={() => actions.republish(run.notebookPath!)}
            >
              {trans.__('Re-publish')}
            </button>
          </>
        )}
        {oneOff && (
          <>
            <button
              className="jp-mod-styled"
              disabled={model.isBusy('rerun', run.name)}
              onClick={() =>
                void model.rerun(run.name).then(n => n && model.select(n))
              }
            >
              {trans.__('Run again')}
            </button>
            <button
              className="jp-mod-styled"
              aria-expanded={editing}
              onClick={() => setEditing(!editing)}
            >
              {trans.__('Run with other parameters\u2026')}
            </button>
          </>
        )}
        <button
          className="jp-mod-styled jp-mod-warn"
          disabled={model.isBusy('delete', run.name)}
          onClick={async () => {
            if (await actions.confirmDelete('application', run.name, 0)) {
              if (await model.remove('application', run.name)) {
                model.select(null);
              }
            }
          }}
        >
          {trans.__('Delete run')}
        </button>
      </div>
      {editing && (
        <ParametersForm
          initial={run.arguments}
          trans={trans}
          onCancel={() => setEditing(false)}
          onRun={args => {
            setEditing(false);
            void model.rerun(run.name, args).then(n => n && model.select(n));
          }}
        />
      )}
      <dl className={`${CSS}-facts`}>
        <dt>{trans.__('Attempts')}</dt>
        <dd>{run.attempts}</dd>
        <dt>{trans.__('Created')}</dt>
        <dd>{when(run.createdAt)}</dd>
        <dt>{trans.__('Submitted')}</dt>
        <dd>{when(run.submittedAt)}</dd>
        <dt>{trans.__('Ended')}</dt>
        <dd>{when(run.endedAt)}</dd>
        <dt>{trans.__('Arguments')}</dt>
        <dd>
          <code>{run.arguments.join(' ')}</code>
        </dd>
        <dt>{trans.__('Driver pod')}</dt>
        <dd>{run.driverPod ?? ''}</dd>
      </dl>
      <DriverLog model={model} run={run} actions={actions} trans={trans} />
    </section>
  );
}

function Body(props: {
  model: JobsModel;
  actions: IJobsActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, actions, trans } = props;
  const rows = model.scheduleRows();
  const oneOff = model.oneOffRuns;
  const [allApps, setAllApps] = React.useState(false);
  const blocker = model.blocker;
  const error = model.actionError;
  const ready = model.phase === 'ready';
  const marked = React.useRef(false);
  React.useLayoutEffect(() => {
    if (ready && !marked.current) {
      marked.current = true;
      mark('rendered');
    }
  }, [ready]);
  return (
    <div className={CSS}>
      <div className={`${CSS}-header`}>
        <h1>{trans.__('Spark jobs')}</h1>
        {model.cluster?.namespace && (
          <span className={`${CSS}-muted`}>
            {trans.__('namespace %1', model.cluster.namespace)}
          </span>
        )}
        <span
          className={`${CSS}-connection${model.connected ? ' jp-mod-connected' : ''}`}
          role="status"
          aria-label={trans.__('Connection')}
        >
          {model.phase === 'loading'
            ? trans.__('Connecting\u2026')
            : model.connected
              ? trans.__('Live')
              : trans.__('Reconnecting\u2026')}
        </span>
      </div>
      {blocker && (
        <div className={`${CSS}-blocker`} role="alert">
          {blocker}
        </div>
      )}
      {model.streamError && (
        <div className={`${CSS}-warning`} role="alert">
          {model.streamError}
        </div>
      )}
      {error && (
        <div className={`${CSS}-problem`} role="alert">
          {trans.__(
            '%1 %2 failed: %3',
            error.action,
            error.target,
            error.message
          )}{' '}
          <button
            className="jp-mod-styled"
            onClick={() => model.dismissError()}
          >
            {trans.__('Dismiss')}
          </button>
        </div>
      )}
      <div className={`${CSS}-main`}>
        <div className={`${CSS}-lists`}>
          {model.phase === 'loading' && !blocker && (
            <p className={`${CSS}-muted`} role="status">
              {trans.__('Loading the applications and schedules\u2026')}
            </p>
          )}
          {model.phase === 'ready' && !rows.length && !oneOff.length && (
            <p className={`${CSS}-empty`} role="status">
              {trans.__(
                'No published notebooks in this namespace yet. Publish a notebook (its toolbar\u2019s Publish button) to run it once or on a schedule; its runs appear here live.'
              )}
            </p>
          )}
          {rows.length > 0 && (
            <>
              <h2>{trans.__('Schedules (%1)', rows.length)}</h2>
              {rows.map(row => (
                <ScheduleBlock
                  key={row.schedule.name}
                  row={row}
                  model={model}
                  actions={actions}
                  trans={trans}
                />
              ))}
            </>
          )}
          {oneOff.length > 0 && (
            <>
              <h2>{trans.__('Applications (%1)', oneOff.length)}</h2>
              <div className={`${CSS}-scroll`}>
                <table
                  className={`${CSS}-table`}
                  aria-label={trans.__('Applications')}
                >
                  <thead>
                    <RunHead trans={trans} />
                  </thead>
                  <tbody>
                    <RunRows
                      runs={allApps ? oneOff : oneOff.slice(0, APPS_SHOWN)}
                      model={model}
                      actions={actions}
                      trans={trans}
                    />
                  </tbody>
                </table>
              </div>
              {oneOff.length > APPS_SHOWN && (
                <button
                  className={`${CSS}-more`}
                  onClick={() => setAllApps(!allApps)}
                >
                  {allApps
                    ? trans.__('Show the %1 newest applications', APPS_SHOWN)
                    : trans.__('Show all %1 applications', oneOff.length)}
                </button>
              )}
            </>
          )}
        </div>
        <RunDetails
          key={model.selected ?? ''}
          model={model}
          actions={actions}
          trans={trans}
        />
      </div>
    </div>
  );
}

/** The Jobs view's widget (a main-area tab). */
export class JobsPanel extends ReactWidget {
  constructor(
    readonly model: JobsModel,
    private _trans: TranslationBundle,
    private _actions: IJobsActions
  ) {
    super();
    this.addClass(`${CSS}-panel`);
    // Focusable, so activating the tab makes it the shell's current widget.
    this.node.tabIndex = -1;
  }

  protected onActivateRequest(
    msg: Parameters<ReactWidget['processMessage']>[0]
  ): void {
    super.onActivateRequest(msg);
    if (!this.node.contains(document.activeElement)) {
      this.node.focus();
    }
  }

  /** Closing the tab disposes the view; the model stays live for notifications. */
  close(): void {
    super.close();
    this.dispose();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <Body
            model={this.model}
            actions={this._actions}
            trans={this._trans}
          />
        )}
      </UseSignal>
    );
  }
}
