/**
 * The publish dialog's view: a main-area tab beside the notebook (the form is
 * large, and it stays open while the user reads the YAML, resolves a conflict
 * or fixes a field), rendering a `PublishModel`.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import {
  IDriverResources,
  IExecutorResources,
  IPublishForm,
  IRestartPolicy,
  IScheduleSpec,
  PublishField
} from '../../core';
import { knownTimeZones, PublishModel, TextField } from './model';

/** What the view asks its host to do. */
export interface IPublishActions {
  /** Publish (force: take over); the host notifies the outcome. */
  publish(force: boolean): Promise<void>;
  /** Save the exported YAML beside the notebook. */
  saveYaml(): Promise<void>;
  /** Copy text to the clipboard. */
  copy(text: string): void;
  /** Close the dialog. */
  close(): void;
}

const CSS = 'jp-SparkK8s-publish';

let fieldIds = 0;

function Problems(props: { id: string; messages: string[] }) {
  if (!props.messages.length) {
    return null;
  }
  return (
    <div id={props.id} className={`${CSS}-problem`} role="alert">
      {props.messages.map(m => (
        <div key={m}>{m}</div>
      ))}
    </div>
  );
}

/** A labelled row: its control(s) and the problems of its field. */
function Row(props: {
  label: string;
  model: PublishModel;
  field?: PublishField;
  hint?: string;
  children: (id: string, describedBy?: string) => React.ReactNode;
}): JSX.Element {
  const id = React.useMemo(() => `jp-SparkK8s-publishField-${++fieldIds}`, []);
  const messages = props.field ? props.model.problemsAt(props.field) : [];
  const describedBy = messages.length ? `${id}-problems` : undefined;
  return (
    <div className={`${CSS}-row`}>
      <label htmlFor={id}>{props.label}</label>
      <div className={`${CSS}-control`}>
        {props.children(id, describedBy)}
        {props.hint && <div className={`${CSS}-hint`}>{props.hint}</div>}
        <Problems id={`${id}-problems`} messages={messages} />
      </div>
    </div>
  );
}

function TextInput(props: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  describedBy?: string;
  placeholder?: string;
  list?: string;
  label?: string;
  disabled?: boolean;
}): JSX.Element {
  return (
    <input
      id={props.id}
      type="text"
      className="jp-mod-styled"
      value={props.value}
      placeholder={props.placeholder}
      list={props.list}
      aria-label={props.label}
      aria-describedby={props.describedBy}
      aria-invalid={props.describedBy ? true : undefined}
      disabled={props.disabled}
      spellCheck={false}
      onChange={e => props.onChange(e.currentTarget.value)}
    />
  );
}

function NumberInput(props: {
  id?: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  label: string;
  min?: number;
  describedBy?: string;
}): JSX.Element {
  return (
    <input
      id={props.id}
      type="number"
      className="jp-mod-styled"
      aria-label={props.label}
      aria-describedby={props.describedBy}
      min={props.min}
      value={props.value === undefined || isNaN(props.value) ? '' : props.value}
      onChange={e => {
        const text = e.currentTarget.value;
        props.onChange(text === '' ? undefined : Number(text));
      }}
    />
  );
}

/** Cores, memory and overhead of the driver or the executors. */
function Resources(props: {
  model: PublishModel;
  trans: TranslationBundle;
  which: 'driver' | 'executor';
}): JSX.Element {
  const { model, trans, which } = props;
  const value: IDriverResources | IExecutorResources = model.form![which];
  const set = (patch: Partial<IExecutorResources>) => {
    const next = { ...value, ...patch } as IExecutorResources;
    if (next.memoryOverhead === '') {
      delete next.memoryOverhead;
    }
    model.update({ [which]: next } as Partial<IPublishForm>);
  };
  return (
    <Row
      label={which === 'driver' ? trans.__('Driver') : trans.__('Executors')}
      model={model}
      field={which}
    >
      {(id, describedBy) => (
        <div className={`${CSS}-inline`}>
          <NumberInput
            id={id}
            label={trans.__('%1 cores', which)}
            min={1}
            value={value.cores}
            describedBy={describedBy}
            onChange={v => set({ cores: v as number })}
          />
          <span>{trans.__('cores')}</span>
          <TextInput
            id={`${id}-memory`}
            label={trans.__('%1 memory', which)}
            value={value.memory}
            describedBy={describedBy}
            onChange={v => set({ memory: v })}
          />
          <span>{trans.__('memory')}</span>
          <TextInput
            id={`${id}-overhead`}
            label={trans.__('%1 memory overhead', which)}
            value={value.memoryOverhead ?? ''}
            placeholder={trans.__('default')}
            describedBy={describedBy}
            onChange={v => set({ memoryOverhead: v })}
          />
          <span>{trans.__('overhead')}</span>
        </div>
      )}
    </Row>
  );
}

function Instances(props: {
  model: PublishModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const form = model.form!;
  const dynamic = !!form.dynamicAllocation?.enabled;
  const dyn = form.dynamicAllocation ?? {
    enabled: true,
    minExecutors: 0,
    maxExecutors: Math.max(2, form.executor.instances ?? 2)
  };
  return (
    <Row
      label={trans.__('Executor count')}
      model={model}
      field="dynamicAllocation"
    >
      {id => (
        <div className={`${CSS}-inline`}>
          <label>
            <input
              id={id}
              type="radio"
              name="jp-SparkK8s-publish-instances"
              checked={!dynamic}
              onChange={() => model.update({ dynamicAllocation: undefined })}
            />
            {trans.__('Fixed')}
          </label>
          <NumberInput
            label={trans.__('Executor instances')}
            min={1}
            value={form.executor.instances}
            onChange={v =>
              model.update({ executor: { ...form.executor, instances: v } })
            }
          />
          <label>
            <input
              type="radio"
              name="jp-SparkK8s-publish-instances"
              checked={dynamic}
              onChange={() =>
                model.update({ dynamicAllocation: { ...dyn, enabled: true } })
              }
            />
            {trans.__('Dynamic allocation')}
          </label>
          {dynamic && (
            <>
              <NumberInput
                label={trans.__('Minimum executors')}
                min={0}
                value={dyn.minExecutors}
                onChange={v =>
                  model.update({
                    dynamicAllocation: { ...dyn, minExecutors: v ?? 0 }
                  })
                }
              />
              <span>{trans.__('to')}</span>
              <NumberInput
                label={trans.__('Maximum executors')}
                min={1}
                value={dyn.maxExecutors}
                onChange={v =>
                  model.update({
                    dynamicAllocation: { ...dyn, maxExecutors: v ?? 0 }
                  })
                }
              />
            </>
          )}
        </div>
      )}
    </Row>
  );
}

function Parameters(props: {
  model: PublishModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const parameters = model.form!.parameters;
  const names = Object.keys(parameters).sort();
  return (
    <section aria-label={trans.__('Parameters')}>
      <h2>{trans.__('Parameters')}</h2>
      {names.length === 0 && (
        <div className={`${CSS}-hint`}>
          {trans.__(
            'The notebook declares no widgets; the job runs without arguments.'
          )}
        </div>
      )}
      {names.map(name => (
        <Row key={name} label={name} model={model}>
          {id => (
            <TextInput
              id={id}
              label={trans.__('Parameter %1', name)}
              value={parameters[name]}
              onChange={v => model.setParameter(name, v)}
            />
          )}
        </Row>
      ))}
      <Problems
        id="jp-SparkK8s-publish-parameters-problems"
        messages={model.problemsAt('parameters')}
      />
    </section>
  );
}

function Secrets(props: {
  model: PublishModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const lines = model.secrets;
  return (
    <section aria-label={trans.__('Secrets')}>
      <h2>{trans.__('Secrets')}</h2>
      {lines.length === 0 ? (
        <div className={`${CSS}-hint`}>
          {trans.__('The notebook reads no secrets.')}
        </div>
      ) : (
        <>
          <div className={`${CSS}-hint`}>
            {trans.__(
              'Passed as secretKeyRef environment variables: names and keys only, never values.'
            )}
          </div>
          <ul
            className={`${CSS}-secrets`}
            aria-label={trans.__('Secret references')}
          >
            {lines.map(l => (
              <li key={`${l.scope}/${l.key}`}>
                <code>
                  {l.scope}/{l.key}
                </code>{' '}
                {trans.__('\u2192 Secret %1, key %2', l.secret, l.key)}
                {l.missing && (
                  <span className={`${CSS}-warning`}> ({l.missing})</span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const ZONE_LIST_ID = 'jp-SparkK8s-publish-zones';

function Schedule(props: {
  model: PublishModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const form = model.form!;
  const schedule: IScheduleSpec = model.scheduleDraft;
  const on = model.scheduled;
  const preview = model.preview;
  const zones = React.useMemo(() => knownTimeZones(), []);
  return (
    <section aria-label={trans.__('Schedule')}>
      <h2>{trans.__('Schedule')}</h2>
      <div className={`${CSS}-inline`} role="radiogroup">
        <label>
          <input
            type="radio"
            name="jp-SparkK8s-publish-schedule"
            checked={!on}
            onChange={() => model.setScheduled(false)}
          />
          {trans.__('Run once')}
        </label>
        <label>
          <input
            type="radio"
            name="jp-SparkK8s-publish-schedule"
            checked={on}
            disabled={form.operator === 'apache'}
            onChange={() => model.setScheduled(true)}
          />
          {trans.__('On a schedule')}
        </label>
        {form.operator === 'apache' && (
          <span className={`${CSS}-hint`}>
            {trans.__(
              'The Apache Spark Kubernetes Operator has no schedules; pick the kubeflow operator to schedule.'
            )}
          </span>
        )}
      </div>
      {on && (
        <>
          <Row
            label={trans.__('Cron schedule')}
            model={model}
            field="schedule"
            hint={trans.__(
              'Five fields: minute hour day-of-month month day-of-week (0 = Sunday), or @daily, @hourly \u2026'
            )}
          >
            {(id, describedBy) => (
              <TextInput
                id={id}
                value={schedule.schedule}
                describedBy={describedBy}
                placeholder="0 6 * * 1-5"
                onChange={v => model.updateSchedule({ schedule: v })}
              />
            )}
          </Row>
          <Row label={trans.__('Time zone')} model={model} field="timeZone">
            {(id, describedBy) => (
              <>
                <TextInput
                  id={id}
                  value={schedule.timeZone}
                  describedBy={describedBy}
                  list={ZONE_LIST_ID}
                  onChange={v => model.updateSchedule({ timeZone: v })}
                />
                <datalist id={ZONE_LIST_ID}>
                  {zones.map(z => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Row>
          {preview && !preview.error && (
            <div
              className={`${CSS}-preview`}
              aria-label={trans.__('Schedule preview')}
            >
              <div className={`${CSS}-description`}>{preview.description}</div>
              <div>{trans.__('Next runs:')}</div>
              <ol aria-label={trans.__('Next runs')}>
                {preview.nextRuns.map(r => (
                  <li key={r.date.toISOString()}>{r.label}</li>
                ))}
              </ol>
            </div>
          )}
          <Row label={trans.__('If a run is still going')} model={model}>
            {id => (
              <select
                id={id}
                className="jp-mod-styled"
                value={schedule.concurrencyPolicy}
                onChange={e =>
                  model.updateSchedule({
                    concurrencyPolicy: e.currentTarget
                      .value as IScheduleSpec['concurrencyPolicy']
                  })
                }
              >
                <option value="Forbid">
                  {trans.__('Skip the new run (Forbid)')}
                </option>
                <option value="Replace">
                  {trans.__('Replace the running one (Replace)')}
                </option>
                <option value="Allow">{trans.__('Run both (Allow)')}</option>
              </select>
            )}
          </Row>
          <Row label={trans.__('Suspend')} model={model}>
            {id => (
              <label>
                <input
                  id={id}
                  type="checkbox"
                  checked={!!schedule.suspend}
                  onChange={e =>
                    model.updateSchedule({ suspend: e.currentTarget.checked })
                  }
                />
                {trans.__('Publish the schedule paused')}
              </label>
            )}
          </Row>
        </>
      )}
    </section>
  );
}

function TextArea(props: {
  model: PublishModel;
  field: TextField;
  label: string;
  hint: string;
  placeholder: string;
}): JSX.Element {
  const { model } = props;
  return (
    <Row
      label={props.label}
      model={model}
      field={props.field}
      hint={props.hint}
    >
      {(id, describedBy) => (
        <textarea
          id={id}
          className="jp-mod-styled"
          rows={3}
          spellCheck={false}
          placeholder={props.placeholder}
          aria-describedby={describedBy}
          value={model.text(props.field)}
          onChange={e => model.setText(props.field, e.currentTarget.value)}
        />
      )}
    </Row>
  );
}

function Advanced(props: {
  model: PublishModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const form = model.form!;
  const restart = form.restartPolicy;
  const setRestart = (patch: Partial<IRestartPolicy>) => {
    const next: IRestartPolicy = { ...restart, ...patch };
    if (next.type === 'Never') {
      delete next.retries;
      delete next.retryIntervalSeconds;
    }
    model.update({ restartPolicy: next });
  };
  return (
    <details className={`${CSS}-advanced`}>
      <summary>{trans.__('Advanced')}</summary>
      <Row
        label={trans.__('Restart policy')}
        model={model}
        field="restartPolicy"
      >
        {(id, describedBy) => (
          <div className={`${CSS}-inline`}>
            <select
              id={id}
              className="jp-mod-styled"
              value={restart.type}
              aria-describedby={describedBy}
              onChange={e =>
                setRestart({
                  type: e.currentTarget.value as IRestartPolicy['type']
                })
              }
            >
              <option value="Never">{trans.__('Never')}</option>
              <option value="OnFailure">{trans.__('On failure')}</option>
              <option value="Always">{trans.__('Always')}</option>
            </select>
            {restart.type !== 'Never' && (
              <>
                <NumberInput
                  label={trans.__('Retries')}
                  min={0}
                  value={restart.retries}
                  onChange={v => setRestart({ retries: v })}
                />
                <span>{trans.__('retries, every')}</span>
                <NumberInput
                  label={trans.__('Retry interval (seconds)')}
                  min={1}
                  value={restart.retryIntervalSeconds}
                  onChange={v => setRestart({ retryIntervalSeconds: v })}
                />
                <span>{trans.__('s')}</span>
              </>
            )}
          </div>
        )}
      </Row>
      <Row
        label={trans.__('Keep for (seconds)')}
        model={model}
        field="timeToLiveSeconds"
        hint={trans.__(
          'The application and its logs are deleted this long after it ends; empty keeps them.'
        )}
      >
        {(id, describedBy) => (
          <NumberInput
            id={id}
            label={trans.__('Time to live (seconds)')}
            min={1}
            describedBy={describedBy}
            value={form.timeToLiveSeconds}
            onChange={v => model.update({ timeToLiveSeconds: v })}
          />
        )}
      </Row>
      <Row
        label={trans.__('Run output')}
        model={model}
        field="runOutput"
        hint={trans.__(
          'Where each run writes its executed notebook and Spark event log (s3a://bucket/runs or a mounted path).'
        )}
      >
        {(id, describedBy) => (
          <TextInput
            id={id}
            value={form.runOutput ?? ''}
            describedBy={describedBy}
            placeholder="s3a://bucket/spark-runs"
            onChange={v => model.update({ runOutput: v || undefined })}
          />
        )}
      </Row>
      <TextArea
        model={model}
        field="sparkConf"
        label={trans.__('Extra Spark conf')}
        hint={trans.__('One key=value a line.')}
        placeholder="spark.sql.shuffle.partitions=64"
      />
      <TextArea
        model={model}
        field="nodeSelector"
        label={trans.__('Node selector')}
        hint={trans.__('One label=value a line.')}
        placeholder="pool=spark"
      />
      <TextArea
        model={model}
        field="tolerations"
        label={trans.__('Tolerations')}
        hint={trans.__(
          'One a line, as kubectl taint writes them: key=value:NoSchedule, or key:NoSchedule for any value.'
        )}
        placeholder="spark=true:NoSchedule"
      />
    </details>
  );
}

function Application(props: {
  model: PublishModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const form = model.form!;
  const served = model.operators;
  const operatorName = (op: string) =>
    op === 'kubeflow'
      ? trans.__('kubeflow Spark operator')
      : trans.__('Apache Spark Kubernetes Operator');
  return (
    <section aria-label={trans.__('Application')}>
      <h2>{trans.__('Application')}</h2>
      <Row
        label={trans.__('Name')}
        model={model}
        field="name"
        hint={trans.__(
          'Lowercase letters, digits and \u2018-\u2019; publishing again with the same name updates it.'
        )}
      >
        {(id, describedBy) => (
          <TextInput
            id={id}
            value={form.name}
            describedBy={describedBy}
            onChange={v => model.update({ name: v })}
          />
        )}
      </Row>
      <Row label={trans.__('Operator')} model={model} field="operator">
        {id => (
          <select
            id={id}
            className="jp-mod-styled"
            value={form.operator}
            onChange={e => {
              const operator = e.currentTarget
                .value as IPublishForm['operator'];
              if (operator === 'apache' && model.scheduled) {
                model.setScheduled(false);
              }
              model.update({ operator });
            }}
          >
            {(['kubeflow', 'apache'] as const).map(op => (
              <option key={op} value={op}>
                {served.indexOf(op) >= 0 || !model.cluster
                  ? operatorName(op)
                  : trans.__('%1 (not installed)', operatorName(op))}
              </option>
            ))}
          </select>
        )}
      </Row>
      <Row label={trans.__('Namespace')} model={model} field="namespace">
        {(id, describedBy) => (
          <TextInput
            id={id}
            value={form.namespace}
            describedBy={describedBy}
            onChange={v => model.update({ namespace: v })}
          />
        )}
      </Row>
      <Row label={trans.__('Image')} model={model} field="image">
        {(id, describedBy) => (
          <TextInput
            id={id}
            value={form.image}
            describedBy={describedBy}
            onChange={v => model.update({ image: v })}
          />
        )}
      </Row>
      <Row label={trans.__('Spark version')} model={model} field="sparkVersion">
        {(id, describedBy) => (
          <TextInput
            id={id}
            value={form.sparkVersion}
            describedBy={describedBy}
            onChange={v => model.update({ sparkVersion: v })}
          />
        )}
      </Row>
      <Row
        label={trans.__('Service account')}
        model={model}
        field="serviceAccount"
      >
        {(id, describedBy) => (
          <TextInput
            id={id}
            value={form.serviceAccount}
            describedBy={describedBy}
            onChange={v => model.update({ serviceAccount: v })}
          />
        )}
      </Row>
      <Resources model={model} trans={trans} which="driver" />
      <Resources model={model} trans={trans} which="executor" />
      <Instances model={model} trans={trans} />
    </section>
  );
}

/** What happened last: problems not at one field, errors, conflicts, warnings. */
function Status(props: {
  model: PublishModel;
  trans: TranslationBundle;
  actions: IPublishActions;
}): JSX.Element {
  const { model, trans, actions } = props;
  const general = [...model.problemsAt(null), ...model.problemsAt('notebook')];
  const error = model.error;
  const conflict = model.conflict;
  const outcome = model.outcome;
  return (
    <div className={`${CSS}-status`}>
      <Problems id="jp-SparkK8s-publish-general" messages={general} />
      {error && (
        <div className={`${CSS}-error`} role="alert">
          <div>{error.message}</div>
          {error.hint && <div className={`${CSS}-hint`}>{error.hint}</div>}
        </div>
      )}
      {conflict && (
        <div className={`${CSS}-error`} role="alert">
          <div>
            {trans.__(
              'Another manager owns fields of this application; publishing would overwrite them:'
            )}
          </div>
          <ul aria-label={trans.__('Conflicting fields')}>
            {conflict.fields.map(c => (
              <li key={`${c.field}/${c.manager}`}>
                <code>{c.field}</code> {trans.__('owned by %1', c.manager)}
              </li>
            ))}
          </ul>
          {conflict.fields.length === 0 && <div>{conflict.message}</div>}
          <button
            className="jp-Button jp-mod-styled jp-mod-warn"
            onClick={() => void actions.publish(true)}
          >
            {trans.__('Take over')}
          </button>
        </div>
      )}
      {outcome && (
        <div className={`${CSS}-success`} role="status">
          {outcome.created
            ? trans.__(
                'Created %1 %2 in namespace %3.',
                outcome.application.kind,
                outcome.application.name,
                outcome.application.namespace
              )
            : trans.__(
                'Updated %1 %2 in namespace %3.',
                outcome.application.kind,
                outcome.application.name,
                outcome.application.namespace
              )}
        </div>
      )}
    </div>
  );
}

function Yaml(props: {
  model: PublishModel;
  trans: TranslationBundle;
  actions: IPublishActions;
}): JSX.Element | null {
  const { model, trans, actions } = props;
  const exported = model.exported;
  if (!exported) {
    return null;
  }
  return (
    <section className={`${CSS}-yaml`} aria-label={trans.__('YAML')}>
      <h2>{trans.__('YAML')}</h2>
      {exported.warnings.map(w => (
        <div key={w} className={`${CSS}-warning`}>
          {w}
        </div>
      ))}
      <div className={`${CSS}-inline`}>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => actions.copy(exported.yaml)}
        >
          {trans.__('Copy')}
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => void actions.saveYaml()}
        >
          {trans.__('Save as %1', model.yamlPath.split('/').pop() ?? '')}
        </button>
      </div>
      <pre aria-label={trans.__('Exported YAML')}>{exported.yaml}</pre>
    </section>
  );
}

function PublishView(props: {
  model: PublishModel;
  trans: TranslationBundle;
  actions: IPublishActions;
}): JSX.Element {
  const { model, trans, actions } = props;
  const form = model.form;
  const file = model.path.split('/').pop() ?? model.path;
  if (!form) {
    return (
      <div className={CSS}>
        <div className={`${CSS}-body`}>
          <h1>{trans.__('Publish %1', file)}</h1>
          <div>{trans.__('Asking the cluster\u2026')}</div>
        </div>
      </div>
    );
  }
  const blocked = model.publishBlocked;
  const busy = model.phase !== 'ready';
  const missing = model.missingPermissions;
  const phaseText: Record<string, string> = {
    saving: trans.__('Saving the notebook\u2026'),
    building: trans.__('Building the application\u2026'),
    publishing: trans.__('Applying to the cluster\u2026')
  };
  return (
    <div className={CSS}>
      <div className={`${CSS}-body`}>
        <h1>{trans.__('Publish %1 as a Spark application', file)}</h1>
        <div className={`${CSS}-hint`}>
          {model.cluster?.available
            ? trans.__(
                'Runs the notebook and its %run notebooks as one job in namespace %1.',
                model.cluster.namespace ?? ''
              )
            : trans.__('Runs the notebook and its %run notebooks as one job.')}
        </div>
        {model.dirty && (
          <div className={`${CSS}-note`} role="note">
            {trans.__(
              'Unsaved changes will be saved before publishing or exporting.'
            )}
          </div>
        )}
        {blocked && (
          <div className={`${CSS}-warning`} role="note">
            {blocked}
          </div>
        )}
        {!blocked && missing.length > 0 && (
          <div className={`${CSS}-warning`} role="note">
            {trans.__(
              'The service account may not publish: missing %1 (see deploy/rbac.yaml).',
              missing.join(', ')
            )}
          </div>
        )}
        <Application model={model} trans={trans} />
        <Parameters model={model} trans={trans} />
        <Secrets model={model} trans={trans} />
        <Schedule model={model} trans={trans} />
        <Advanced model={model} trans={trans} />
        <Status model={model} trans={trans} actions={actions} />
        <Yaml model={model} trans={trans} actions={actions} />
      </div>
      <div className={`${CSS}-footer`}>
        <span className={`${CSS}-phase`} role="status">
          {phaseText[model.phase] ?? ''}
        </span>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => actions.close()}
        >
          {trans.__('Cancel')}
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={busy}
          onClick={() => void model.exportYaml()}
        >
          {trans.__('Export YAML')}
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={busy || !!blocked}
          title={blocked ?? ''}
          onClick={() => void actions.publish(false)}
        >
          {trans.__('Publish')}
        </button>
      </div>
    </div>
  );
}

/** The publish dialog as a main-area widget. */
export class PublishPanel extends ReactWidget {
  constructor(
    readonly model: PublishModel,
    private _trans: TranslationBundle,
    private _actions: IPublishActions
  ) {
    super();
    this.addClass(`${CSS}-panel`);
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <PublishView
            model={this.model}
            trans={this._trans}
            actions={this._actions}
          />
        )}
      </UseSignal>
    );
  }
}
