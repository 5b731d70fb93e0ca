/**
 * The publish dialog's state and logic, apart from its view: the form with
 * its defaults, problems at each field as the user types, the schedule's
 * plain-language preview and next runs, Export YAML, Publish (saving the
 * notebook first) and a conflict with another field manager. The service
 * client, the notebook and the files are boundaries a test fakes.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { CronExpressionParser } from 'cron-parser';
import cronstrue from 'cronstrue';
import {
  buildPublication,
  closureSources,
  IClusterInfo,
  IManifest,
  IPublication,
  IPublishForm,
  IPublishProblem,
  IPublishSource,
  IScheduleSpec,
  ISecretKeys,
  IToleration,
  notebookParameters,
  Operator,
  publishDefaults,
  PublishField,
  scheduleDefaults,
  scopesForUses,
  secretUses,
  SessionProfile,
  validateCron,
  validatePublishForm,
  validateTimeZone
} from '../../core';

/** What Publish sends to the service: the objects to apply, in order. */
export interface IPublishRequest {
  objects: IManifest[];
  /** Take over fields another manager owns. */
  force?: boolean;
  dryRun?: boolean;
}

/** What the service answers to a publish (the fields the dialog shows). */
export interface IPublishOutcome {
  application: {
    apiVersion?: string;
    kind: string;
    name: string;
    namespace: string;
  };
  /** True when the application did not exist before. */
  created: boolean;
}

/** What the dialog needs of the Spark service. */
export interface IPublishClient {
  cluster(): Promise<IClusterInfo>;
  secrets(): Promise<ISecretKeys[]>;
  publish(request: IPublishRequest): Promise<IPublishOutcome>;
}

/** A field another manager (a GitOps controller, kubectl) owns. */
export interface IFieldConflict {
  field: string;
  manager: string;
}

/** Files beside the notebook (the Contents API). */
export interface IPublishFiles {
  exists(path: string): Promise<boolean>;
  save(path: string, text: string): Promise<void>;
}

/** A failure of the service, as the dialog shows it. */
export interface IPublishError {
  code: string;
  message: string;
  hint?: string;
}

/** A secret the job gets as a `secretKeyRef`, and whether the Secret has the key. */
export interface ISecretLine {
  scope: string;
  secret: string;
  key: string;
  env: string;
  /** Why the reference will not resolve, if the namespace's listing says so. */
  missing?: string;
}

/** One run of the schedule. */
export interface INextRun {
  date: Date;
  /** The time in the schedule's zone, in words. */
  label: string;
}

/** The schedule's preview: in words and its next runs, or why it has none. */
export interface ISchedulePreview {
  description: string | null;
  nextRuns: INextRun[];
  error: string | null;
  /** The field the error belongs to. */
  errorField?: 'schedule' | 'timeZone';
}

/** What the dialog is doing. */
export type PublishPhase =
  'loading' | 'ready' | 'saving' | 'building' | 'publishing';

/** How many upcoming runs the preview lists. */
export const NEXT_RUNS = 5;

/** The text fields that hold `key=value` lines or tolerations. */
export type TextField = 'sparkConf' | 'nodeSelector' | 'tolerations';

/** The schedule shown in plain words and its next runs in `timeZone`. */
export function schedulePreview(
  cron: string,
  timeZone: string,
  now: Date,
  locale?: string
): ISchedulePreview {
  const none = (error: string, field: 'schedule' | 'timeZone') => ({
    description: null,
    nextRuns: [],
    error,
    errorField: field
  });
  const cronProblem = validateCron(cron);
  if (cronProblem) {
    return none(cronProblem, 'schedule');
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(locale, {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short'
    });
  } catch {
    return none(
      validateTimeZone(timeZone) ??
        `time zone ${JSON.stringify(timeZone)} is not a known IANA zone such as Europe/Paris, America/New_York or UTC.`,
      'timeZone'
    );
  }
  let dates: Date[];
  try {
    const expression = CronExpressionParser.parse(cron.trim(), {
      tz: timeZone,
      currentDate: now
    });
    dates = expression.take(NEXT_RUNS).map(d => d.toDate());
  } catch (e) {
    return none((e as Error).message, 'schedule');
  }
  let description: string | null = null;
  try {
    description = cronstrue.toString(cron.trim(), {
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true
    });
  } catch {
    description = null;
  }
  return {
    description: description ? `${description} (${timeZone})` : null,
    nextRuns: dates.map(date => ({ date, label: format.format(date) })),
    error: null
  };
}

/** The IANA zones this runtime knows, for the zone picker. */
export function knownTimeZones(): string[] {
  const intl = Intl as unknown as {
    supportedValuesOf?: (key: string) => string[];
  };
  const zones = intl.supportedValuesOf
    ? intl.supportedValuesOf('timeZone')
    : [];
  return zones.indexOf('UTC') >= 0 ? zones : ['UTC', ...zones];
}

/** `key=value` lines as a record; problems name the line. */
export function parsePairs(text: string): {
  value: { [key: string]: string };
  problems: string[];
} {
  const value: { [key: string]: string } = {};
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      problems.push(`Line ${i + 1} "${line}" is not key=value.`);
      return;
    }
    value[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return { value, problems };
}

/** Record → `key=value` lines, sorted. */
export function formatPairs(record?: { [key: string]: string }): string {
  return Object.keys(record ?? {})
    .sort()
    .map(key => `${key}=${record![key]}`)
    .join('\n');
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/**
 * Tolerations in `kubectl taint` syntax, one a line: `key=value:Effect`
 * (Equal), `key:Effect` or `key` (Exists); the effect is optional.
 */
export function parseTolerations(text: string): {
  value: IToleration[];
  problems: string[];
} {
  const value: IToleration[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      return;
    }
    const colon = line.lastIndexOf(':');
    const effect = colon >= 0 ? line.slice(colon + 1).trim() : '';
    const head = colon >= 0 ? line.slice(0, colon).trim() : line;
    if (colon >= 0 && EFFECTS.indexOf(effect) < 0) {
      problems.push(
        `Line ${i + 1}: effect "${effect}" is not one of ${EFFECTS.join(', ')}.`
      );
      return;
    }
    const eq = head.indexOf('=');
    const key = (eq >= 0 ? head.slice(0, eq) : head).trim();
    if (!key) {
      problems.push(`Line ${i + 1} "${line}" has no key.`);
      return;
    }
    const toleration: IToleration =
      eq >= 0
        ? { key, operator: 'Equal', value: head.slice(eq + 1).trim() }
        : { key, operator: 'Exists' };
    if (effect) {
      toleration.effect = effect as IToleration['effect'];
    }
    value.push(toleration);
  });
  return { value, problems };
}

/** Tolerations → the lines `parseTolerations` reads. */
export function formatTolerations(tolerations?: IToleration[]): string {
  return (tolerations ?? [])
    .map(t => {
      const head =
        t.operator === 'Exists' || t.value === undefined
          ? `${t.key ?? ''}`
          : `${t.key ?? ''}=${t.value}`;
      return t.effect ? `${head}:${t.effect}` : head;
    })
    .join('\n');
}

/** Conflicting fields carried by a service error (409), if any. */
export function conflictsOf(error: unknown): IFieldConflict[] | null {
  const e = error as {
    code?: string;
    conflicts?: unknown;
    body?: { conflicts?: unknown };
  } | null;
  const list = e?.conflicts ?? e?.body?.conflicts;
  if (Array.isArray(list)) {
    return list.map(c => ({
      field: String((c as IFieldConflict).field ?? ''),
      manager: String((c as IFieldConflict).manager ?? '')
    }));
  }
  return e?.code === 'Conflict' ? [] : null;
}

/** A service error's code, message and hint (the hint not repeated). */
export function errorOf(error: unknown): IPublishError {
  const e = error as { code?: unknown; message?: unknown; hint?: unknown };
  const hint = typeof e?.hint === 'string' && e.hint ? e.hint : undefined;
  let message =
    typeof e?.message === 'string' && e.message ? e.message : String(error);
  if (hint && message.endsWith(` ${hint}`)) {
    message = message.slice(0, -hint.length - 1);
  }
  return {
    code: typeof e?.code === 'string' ? e.code : 'Error',
    message,
    hint
  };
}

/** The publish dialog's model. */
export class PublishModel {
  constructor(private _options: PublishModel.IOptions) {}

  /** Contents API path of the notebook. */
  get path(): string {
    return this._options.path;
  }

  /** The form; null until `load` resolved. */
  get form(): IPublishForm | null {
    return this._form;
  }

  get phase(): PublishPhase {
    return this._phase;
  }

  /** The cluster as the service described it; null when it could not be asked. */
  get cluster(): IClusterInfo | null {
    return this._cluster;
  }

  /** Operators whose CRDs the cluster serves. */
  get operators(): Operator[] {
    const served = this._cluster?.available ? this._cluster.operators : null;
    const list: Operator[] = [];
    if (served?.kubeflow) {
      list.push('kubeflow');
    }
    if (served?.apache) {
      list.push('apache');
    }
    return list;
  }

  /** Why Publish cannot apply anything (Export YAML still works), or null. */
  get publishBlocked(): string | null {
    if (!this._cluster) {
      return this._clusterError
        ? `The Spark service cannot be reached (${this._clusterError}): only Export YAML is available.`
        : null;
    }
    if (!this._cluster.available) {
      return `No Kubernetes cluster${this._cluster.reason ? ` (${this._cluster.reason})` : ''}: only Export YAML is available.`;
    }
    if (!this.operators.length) {
      return 'The cluster serves no Spark operator (neither sparkoperator.k8s.io/v1beta2 nor spark.apache.org/v1): ask an administrator to install one, or use Export YAML.';
    }
    if (this._form && this.operators.indexOf(this._form.operator) < 0) {
      return `The cluster does not serve the ${this._form.operator === 'kubeflow' ? 'kubeflow Spark operator (sparkoperator.k8s.io/v1beta2)' : 'Apache Spark Kubernetes Operator (spark.apache.org/v1)'}: pick another operator, or use Export YAML.`;
    }
    return null;
  }

  /** Permissions publishing needs that the service account lacks. */
  get missingPermissions(): string[] {
    return this._cluster?.permissions?.publish?.missing ?? [];
  }

  /** Whether the notebook has unsaved changes (they are saved before publishing). */
  get dirty(): boolean {
    return this._options.isDirty?.() ?? false;
  }

  /** Whether a schedule is on. */
  get scheduled(): boolean {
    return !!this._form?.schedule;
  }

  /** The schedule being edited (kept while it is off). */
  get scheduleDraft(): IScheduleSpec {
    return this._schedule;
  }

  /** The secrets the job will read, by reference. */
  get secrets(): ISecretLine[] {
    const lines: ISecretLine[] = [];
    const scopes = this._form?.secretScopes ?? {};
    for (const scope of Object.keys(scopes).sort()) {
      const { secret, env } = scopes[scope];
      for (const key of Object.keys(env).sort()) {
        const line: ISecretLine = { scope, secret, key, env: env[key] };
        if (this._secretList) {
          const found = this._secretList.find(s => s.name === secret);
          if (!found) {
            line.missing = `no Secret "${secret}" in the namespace`;
          } else if (found.keys.indexOf(key) < 0) {
            line.missing = `Secret "${secret}" has no key "${key}"`;
          }
        }
        lines.push(line);
      }
    }
    return lines;
  }

  /** Every problem with the form now, field by field (empty: it can be built). */
  get problems(): IPublishProblem[] {
    if (!this._form) {
      return [];
    }
    const problems = [...validatePublishForm(this._form)];
    if (this._form.schedule) {
      const preview = this.preview;
      if (
        preview?.error &&
        !problems.some(p => p.field === 'schedule' || p.field === 'timeZone')
      ) {
        problems.push({
          field: preview.errorField ?? 'schedule',
          message: preview.error
        });
      }
    }
    for (const field of Object.keys(this._textProblems) as TextField[]) {
      for (const message of this._textProblems[field] ?? []) {
        problems.push({ field, message });
      }
    }
    return [...problems, ...this._buildProblems];
  }

  /** Problems shown at `field` (null: those of no one field). */
  problemsAt(field: PublishField | null): string[] {
    return this.problems.filter(p => p.field === field).map(p => p.message);
  }

  /** The schedule in words and its next runs; null without a schedule. */
  get preview(): ISchedulePreview | null {
    const schedule = this._form?.schedule;
    if (!schedule) {
      return null;
    }
    return schedulePreview(
      schedule.schedule,
      schedule.timeZone,
      this._options.now?.() ?? new Date(),
      this._options.locale
    );
  }

  /** The raw text of a `key=value` or tolerations field. */
  text(field: TextField): string {
    return this._texts[field];
  }

  /** The last Export YAML, until the form or the notebook changes. */
  get exported(): IPublication | null {
    return this._exported;
  }

  /** File name Export YAML saves to, beside the notebook. */
  get yamlPath(): string {
    const dir = this.path.includes('/')
      ? this.path.slice(0, this.path.lastIndexOf('/') + 1)
      : '';
    return `${dir}${this._form?.name || 'application'}.yaml`;
  }

  /** The last successful publish. */
  get outcome(): IPublishOutcome | null {
    return this._outcome;
  }

  /** The last failure of the service, with its hint. */
  get error(): IPublishError | null {
    return this._error;
  }

  /** Fields another manager owns, after a refused publish (offer Take over). */
  get conflict(): { fields: IFieldConflict[]; message: string } | null {
    return this._conflict;
  }

  /** Emitted whenever anything shown changes. */
  get changed(): ISignal<PublishModel, void> {
    return this._changed;
  }

  /** Tell the view something outside the model changed (e.g. dirty). */
  refresh(): void {
    this._changed.emit();
  }

  /**
   * Ask the service about the cluster and the Secrets, read the notebook's
   * secret uses and fill the form with defaults.
   */
  async load(): Promise<void> {
    const o = this._options;
    try {
      this._cluster = await o.client.cluster();
    } catch (e) {
      this._cluster = null;
      this._clusterError = errorOf(e).message;
    }
    if (this._cluster?.available) {
      try {
        this._secretList = await o.client.secrets();
      } catch {
        this._secretList = null;
      }
    }
    let scopes = {};
    let parameters: Record<string, string> = {};
    try {
      const source = await o.source({ save: false });
      const sources = await closureSources(source);
      scopes = scopesForUses(secretUses(sources), o.secretScopes);
      // Declared in the notebook (metadata, dbutils.widgets calls) as the CLI finds them.
      parameters = notebookParameters(source.notebook, sources);
    } catch (e) {
      this._buildProblems = [
        { field: 'notebook', message: (e as Error).message }
      ];
    }
    const served = this.operators;
    this._form = publishDefaults({
      notebookPath: o.path,
      profile: o.profile,
      namespace:
        (this._cluster?.available && this._cluster.namespace) || 'default',
      serviceAccount: o.serviceAccount || undefined,
      parameters: { ...parameters, ...o.parameters },
      secretScopes: scopes,
      timeZone: o.timeZone,
      owner: o.owner,
      operator: served[0] ?? 'kubeflow',
      runOutput: o.runOutput || undefined
    });
    this._schedule = scheduleDefaults(o.timeZone);
    this._texts = {
      sparkConf: formatPairs(this._form.sparkConf),
      nodeSelector: formatPairs(this._form.nodeSelector),
      tolerations: formatTolerations(this._form.tolerations)
    };
    this._phase = 'ready';
    this._changed.emit();
  }

  /** Change fields of the form. */
  update(patch: Partial<IPublishForm>): void {
    if (!this._form) {
      return;
    }
    this._form = { ...this._form, ...patch };
    if (this._form.schedule) {
      this._schedule = this._form.schedule;
    }
    this._edited();
  }

  /** Set one parameter's value. */
  setParameter(name: string, value: string): void {
    if (this._form) {
      this.update({ parameters: { ...this._form.parameters, [name]: value } });
    }
  }

  /** Turn the schedule on or off; the draft is kept while it is off. */
  setScheduled(on: boolean): void {
    if (!this._form) {
      return;
    }
    const form = { ...this._form };
    if (on) {
      form.schedule = { ...this._schedule };
    } else {
      delete form.schedule;
    }
    this._form = form;
    this._edited();
  }

  /** Change the schedule (turning it on). */
  updateSchedule(patch: Partial<IScheduleSpec>): void {
    if (!this._form) {
      return;
    }
    this._schedule = { ...this._schedule, ...patch };
    this._form = { ...this._form, schedule: { ...this._schedule } };
    this._edited();
  }

  /** Set a `key=value` or tolerations field from its text. */
  setText(field: TextField, text: string): void {
    if (!this._form) {
      return;
    }
    this._texts = { ...this._texts, [field]: text };
    const form = { ...this._form };
    if (field === 'tolerations') {
      const parsed = parseTolerations(text);
      this._textProblems[field] = parsed.problems;
      if (parsed.value.length) {
        form.tolerations = parsed.value;
      } else {
        delete form.tolerations;
      }
    } else {
      const parsed = parsePairs(text);
      this._textProblems[field] = parsed.problems;
      if (field === 'sparkConf') {
        form.sparkConf = parsed.value;
      } else if (Object.keys(parsed.value).length) {
        form.nodeSelector = parsed.value;
      } else {
        delete form.nodeSelector;
      }
    }
    this._form = form;
    this._edited();
  }

  /**
   * The objects Publish would apply, from the notebook as it is in the
   * editor (saved first, like Publish), or null with the problems set.
   */
  async exportYaml(): Promise<IPublication | null> {
    const publication = await this._build();
    this._exported = publication;
    this._phase = 'ready';
    this._changed.emit();
    return publication;
  }

  /**
   * Save the exported YAML beside the notebook as `<name>.yaml`; an existing
   * file is replaced only when `confirmOverwrite` agrees. Resolves with the
   * path written, or null when nothing was written.
   */
  async saveYaml(
    files: IPublishFiles,
    confirmOverwrite: (path: string) => Promise<boolean>
  ): Promise<string | null> {
    const publication = this._exported ?? (await this.exportYaml());
    if (!publication) {
      return null;
    }
    const path = this.yamlPath;
    if ((await files.exists(path)) && !(await confirmOverwrite(path))) {
      return null;
    }
    await files.save(path, publication.yaml);
    return path;
  }

  /**
   * Save the notebook if it has unsaved changes, build its objects and apply
   * them through the service. `force` takes over fields another manager owns.
   * Resolves with the outcome, or null with the problem, error or conflict set.
   */
  async publish(force = false): Promise<IPublishOutcome | null> {
    if (this.publishBlocked) {
      this._error = { code: 'Unavailable', message: this.publishBlocked };
      this._changed.emit();
      return null;
    }
    const publication = await this._build();
    if (!publication) {
      this._phase = 'ready';
      this._changed.emit();
      return null;
    }
    this._exported = publication;
    this._phase = 'publishing';
    this._changed.emit();
    try {
      const outcome = await this._options.client.publish({
        objects: publication.objects,
        force
      });
      this._outcome = outcome;
      this._conflict = null;
      return outcome;
    } catch (e) {
      const conflicts = conflictsOf(e);
      const error = errorOf(e);
      if (conflicts) {
        this._conflict = { fields: conflicts, message: error.message };
      } else {
        this._error = error;
      }
      return null;
    } finally {
      this._phase = 'ready';
      this._changed.emit();
    }
  }

  /** Publish again, taking over the conflicting fields. */
  takeOver(): Promise<IPublishOutcome | null> {
    return this.publish(true);
  }

  private async _build(): Promise<IPublication | null> {
    const form = this._form;
    this._error = null;
    this._conflict = null;
    this._outcome = null;
    this._buildProblems = [];
    if (!form || this.problems.length) {
      this._changed.emit();
      return null;
    }
    this._phase = 'saving';
    this._changed.emit();
    let source: IPublishSource;
    try {
      source = await this._options.source({ save: true });
    } catch (e) {
      this._buildProblems = [
        {
          field: 'notebook',
          message: `The notebook could not be saved: ${(e as Error).message}`
        }
      ];
      return null;
    }
    this._phase = 'building';
    this._changed.emit();
    // The secrets the notebook reads now (it may have changed since opening).
    const secretScopes = scopesForUses(
      secretUses(await closureSources(source)),
      this._options.secretScopes
    );
    this._form = { ...form, secretScopes };
    const result = await buildPublication(source, this._form);
    if ('problems' in result) {
      this._buildProblems = result.problems.filter(
        p => !validatePublishForm(form).some(q => q.message === p.message)
      );
      if (!this._buildProblems.length) {
        this._buildProblems = result.problems;
      }
      return null;
    }
    return result.publication;
  }

  private _edited(): void {
    this._exported = null;
    this._buildProblems = [];
    this._changed.emit();
  }

  private _form: IPublishForm | null = null;
  private _phase: PublishPhase = 'loading';
  private _cluster: IClusterInfo | null = null;
  private _clusterError: string | null = null;
  private _secretList: ISecretKeys[] | null = null;
  private _schedule: IScheduleSpec = scheduleDefaults('UTC');
  private _texts: Record<TextField, string> = {
    sparkConf: '',
    nodeSelector: '',
    tolerations: ''
  };
  private _textProblems: Partial<Record<TextField, string[]>> = {};
  private _buildProblems: IPublishProblem[] = [];
  private _exported: IPublication | null = null;
  private _outcome: IPublishOutcome | null = null;
  private _error: IPublishError | null = null;
  private _conflict: { fields: IFieldConflict[]; message: string } | null =
    null;
  private _changed = new Signal<PublishModel, void>(this);
}

/** The model's types. */
export namespace PublishModel {
  /** What the dialog is opened with. */
  export interface IOptions {
    /** Contents API path of the notebook. */
    path: string;
    client: IPublishClient;
    /**
     * The notebook as it is in the editor; with `save`, saved first when it
     * has unsaved changes (a notebook not open is read from disk).
     */
    source: (options: { save: boolean }) => Promise<IPublishSource>;
    /** Whether the open notebook has unsaved changes. */
    isDirty?: () => boolean;
    /** The session profile the notebook runs with (its image and resources). */
    profile?: SessionProfile;
    /** Databricks secret scope → Kubernetes Secret (setting `secretScopes`). */
    secretScopes: Record<string, string>;
    /**
     * Widget values beyond what the notebook declares in its source and
     * metadata (those the kernel reports, with the values the user set).
     */
    parameters: Record<string, string>;
    /** The zone a schedule starts in (the browser's). */
    timeZone: string;
    owner?: string;
    serviceAccount?: string;
    runOutput?: string;
    /** The clock (tests fix it). */
    now?: () => Date;
    /** Locale of the next run times (default: the browser's). */
    locale?: string;
  }
}
