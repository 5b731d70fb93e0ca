/**
 * Databricks Jobs 2.0 / 2.1 definitions converted into publish forms: one
 * form per notebook task, and a warning for everything that does not carry
 * over (never dropped silently). Secrets stay references: a
 * `{{secrets/scope/key}}` environment variable becomes a Secret key reference.
 */
import type { ResolvedScopes } from '../kernel';
import {
  APP_NAME_MAX_LENGTH,
  MANAGED_SPARK_CONF,
  nameFromNotebook,
  quartzToCron,
  SCHEDULED_APP_NAME_MAX_LENGTH,
  show,
  validateDataKey,
  validateDnsSubdomain,
  validateEnvName,
  validateName,
  validateTimeZone
} from '../manifests';
import type {
  IDynamicAllocation,
  IRestartPolicy,
  IScheduleSpec
} from '../manifests';
import type { IPublishForm } from '../publish/types';
import { databricksConfAdvice } from '../session/migration';

/** One notebook task of a job, converted. */
export interface IConvertedTask {
  /** The task's `task_key` (the job's name for a Jobs 2.0 job). */
  taskKey: string;
  /** The notebook_path as written in the job (e.g. /Repos/team/etl/etl). */
  notebookPath: string;
  /** The form for this task: the base, overridden by what the job says. */
  form: IPublishForm;
}

/** A converted job: its notebook tasks, and what did not carry over. */
export interface IJobConversion {
  tasks: IConvertedTask[];
  /** Plain-words warnings naming the task and field, in job order, without repeats. */
  warnings: string[];
}

/** Options of `convertDatabricksJob`. */
export interface IJobConvertOptions {
  /**
   * Databricks secret scope → Kubernetes Secret name. An unmapped scope reads
   * the Secret of its own name (or the one `base.secretScopes` gives).
   */
  secretNames?: Readonly<Record<string, string>>;
}

type Json = { [key: string]: unknown };

/** Task types other than notebooks: listed as warnings, never converted. */
const OTHER_TASK_TYPES = [
  'spark_python_task',
  'spark_jar_task',
  'spark_submit_task',
  'python_wheel_task',
  'pipeline_task',
  'sql_task',
  'dbt_task',
  'run_job_task',
  'condition_task',
  'for_each_task',
  'clean_rooms_notebook_task',
  'dashboard_task',
  'power_bi_task'
];

/** The fields of a Jobs 2.0 job that belong to its one task. */
const V20_TASK_FIELDS = [
  'notebook_task',
  ...OTHER_TASK_TYPES,
  'new_cluster',
  'existing_cluster_id',
  'libraries',
  'max_retries',
  'min_retry_interval_millis',
  'retry_on_timeout'
];

/** Job fields that carry no behaviour (descriptive metadata). */
const JOB_METADATA = ['description', 'format', 'edit_mode', 'deployment'];

/** Why a job or task field does not carry over, where there is more to say. */
const JOB_HINTS: Record<string, string> = {
  email_notifications:
    'nothing sends e-mail; watch the application status (kubectl get sparkapplications) or alert from your monitoring',
  webhook_notifications:
    'nothing calls webhooks; watch the application status or alert from your monitoring',
  notification_settings: 'there are no notifications',
  timeout_seconds: 'the application has no time limit',
  health: 'there are no health rules',
  trigger:
    'file-arrival, table-update and periodic triggers have no equivalent; use a schedule',
  continuous: 'continuous runs have no equivalent; use a schedule',
  tags: 'the application is labelled by this extension only',
  run_as: 'the application runs as the service account of the form',
  access_control_list:
    'access is governed by Kubernetes RBAC in the namespace, not by the job',
  queue: 'runs are not queued',
  environments: 'serverless environments have no equivalent; use the image',
  budget_policy_id: 'there are no budget policies',
  performance_target: 'there are no performance targets'
};

/** Why a cluster field does not carry over. */
const CLUSTER_HINTS: Record<string, string> = {
  init_scripts:
    'init scripts are not run: build what they install into the image',
  cluster_log_conf:
    'logs stay with the driver and executor pods and the run output',
  custom_tags: 'pods are labelled by this extension only',
  docker_image:
    'the application runs the image given for publishing (a Databricks container image does not run on Kubernetes; no registry credentials are written)',
  runtime_engine: 'Photon does not exist outside Databricks',
  data_security_mode: 'access is governed by Kubernetes RBAC',
  single_user_name: 'access is governed by Kubernetes RBAC',
  policy_id: 'cluster policies have no equivalent',
  aws_attributes: 'cloud attributes have no equivalent on Kubernetes',
  azure_attributes: 'cloud attributes have no equivalent on Kubernetes',
  gcp_attributes: 'cloud attributes have no equivalent on Kubernetes',
  ssh_public_keys: 'pods take no SSH keys'
};

/** Node type fields: no mapping, the resources come from the form. */
const NODE_FIELDS = [
  'node_type_id',
  'driver_node_type_id',
  'instance_pool_id',
  'driver_instance_pool_id'
];

/** Cluster fields whose default value says nothing worth a warning. */
const CLUSTER_DEFAULTS: Record<string, unknown> = {
  runtime_engine: 'STANDARD',
  data_security_mode: 'NONE',
  enable_elastic_disk: true,
  apply_policy_default_values: false
};

const SECRET_REF = /^\{\{\s*secrets\/([^/{}\s]+)\/([^/{}\s]+)\s*\}\}$/;
const ANY_SECRET_REF = /\{\{\s*secrets\//;
const DYNAMIC_REF = /\{\{[^{}]*\}\}/;

/** Collects errors and ordered, unique warnings. */
class Report {
  readonly errors: string[] = [];
  private readonly seen = new Set<string>();
  readonly warnings: string[] = [];

  warn(message: string): void {
    if (!this.seen.has(message)) {
      this.seen.add(message);
      this.warnings.push(message);
    }
  }

  error(message: string): void {
    if (this.errors.indexOf(message) < 0) {
      this.errors.push(message);
    }
  }
}

/** One task as read from the job, with the words that name it in messages. */
interface ITaskIn {
  key: string;
  body: Json;
  /** Prefix of messages about the task: `task "ingest": ` or empty (Jobs 2.0). */
  where: string;
  /** Subject of sentences about the task: `Task "ingest"` or `The job` (Jobs 2.0). */
  subject: string;
}

/** What a cluster definition gives a form. */
interface IClusterPart {
  instances?: number;
  dynamicAllocation?: IDynamicAllocation;
  sparkConf: Record<string, string>;
  /** Secret references: env name → scope and key. */
  secretEnv: Array<{ env: string; scope: string; key: string }>;
}

/**
 * Converts a Databricks job (its settings, or `{"job_id", "settings"}`, in
 * the Jobs 2.0 or 2.1 form) into one publish form per notebook task, on top
 * of `base` (the caller's defaults: namespace, image, resources …). Returns
 * `{ errors }` (plain words naming each field) when the job cannot convert.
 */
export function convertDatabricksJob(
  json: unknown,
  base: IPublishForm,
  options: IJobConvertOptions = {}
): IJobConversion | { errors: string[] } {
  const report = new Report();
  if (!isObject(json)) {
    return {
      errors: [
        'The job definition must be a JSON object: the job settings, or {"job_id", "settings"} as the Jobs API returns it.'
      ]
    };
  }
  if (Array.isArray(json.jobs)) {
    return {
      errors: [
        `The file holds a list of ${json.jobs.length} jobs; convert one job at a time (its {"job_id", "settings"} or its settings).`
      ]
    };
  }
  let settings: Json = json;
  if ('settings' in json) {
    if (!isObject(json.settings)) {
      return {
        errors: ['"settings" must be an object holding the job settings.']
      };
    }
    settings = json.settings;
  }
  const jobId =
    typeof json.job_id === 'number' || typeof json.job_id === 'string'
      ? String(json.job_id)
      : '';
  const jobName =
    typeof settings.name === 'string' && settings.name.trim()
      ? settings.name.trim()
      : jobId
        ? `job-${jobId}`
        : 'untitled-job';

  const tasks = readTasks(settings, report);
  const clusters = readJobClusters(settings, report);
  const jobParameters = readJobParameters(settings, report);
  const schedule = readSchedule(settings, base, report);
  jobLevelWarnings(settings, tasks, report);
  if (report.errors.length) {
    return { errors: report.errors };
  }

  const skipped: string[] = [];
  const notebookTasks = tasks.filter(task => {
    if (isObject(task.body.notebook_task)) {
      return true;
    }
    const kind = OTHER_TASK_TYPES.find(type => type in task.body);
    skipped.push(
      kind
        ? `${task.where}${kind} is not converted: only notebook tasks become Spark applications.`
        : `${task.subject} has no notebook_task: only notebook tasks become Spark applications.`
    );
    return false;
  });
  if (!notebookTasks.length) {
    return {
      errors: [`The job has no notebook task to convert. ${skipped.join(' ')}`]
    };
  }
  skipped.forEach(message => report.warn(message));

  const multi = tasks.length > 1;
  const maxName = schedule
    ? SCHEDULED_APP_NAME_MAX_LENGTH
    : APP_NAME_MAX_LENGTH;
  const converted: IConvertedTask[] = [];
  const names = new Map<string, string>();
  for (const task of notebookTasks) {
    const result = convertTask(task, {
      base,
      clusters,
      jobParameters,
      schedule,
      options,
      report
    });
    if (!result) {
      continue;
    }
    const label = multi ? `${jobName}-${task.key}` : jobName;
    const name = nameFromNotebook(label.replace(/[\\/.]+/g, '-'), maxName);
    const problem = validateName(name, maxName);
    if (problem) {
      report.error(`${task.where}the derived ${problem}`);
      continue;
    }
    const clash = names.get(name);
    if (clash !== undefined) {
      report.error(
        `Tasks "${clash}" and "${task.key}" would both be named "${name}"; rename one task.`
      );
      continue;
    }
    names.set(name, task.key);
    result.form.name = name;
    converted.push(result);
  }
  if (report.errors.length) {
    return { errors: report.errors };
  }
  return { tasks: converted, warnings: report.warnings };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for values that say nothing: absent, empty, zero, false. */
function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0) {
    return true;
  }
  if (value === false) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  if (isObject(value)) {
    return Object.values(value).every(isEmptyValue);
  }
  return false;
}

function readTasks(settings: Json, report: Report): ITaskIn[] {
  if (settings.tasks !== undefined) {
    if (!Array.isArray(settings.tasks) || !settings.tasks.length) {
      report.error(
        '"tasks" must be a non-empty list of tasks (Jobs 2.1), each with a task_key.'
      );
      return [];
    }
    const keys = new Set<string>();
    const out: ITaskIn[] = [];
    settings.tasks.forEach((task: unknown, i: number) => {
      if (!isObject(task)) {
        report.error(`tasks[${i}] must be an object.`);
        return;
      }
      const key = task.task_key;
      if (typeof key !== 'string' || !key) {
        report.error(`tasks[${i}].task_key is missing: every task needs one.`);
        return;
      }
      if (keys.has(key)) {
        report.error(`tasks[${i}].task_key "${key}" is used by two tasks.`);
        return;
      }
      keys.add(key);
      out.push({
        key,
        body: task,
        where: `task "${key}": `,
        subject: `Task "${key}"`
      });
    });
    for (const field of V20_TASK_FIELDS) {
      if (field in settings && !isEmptyValue(settings[field])) {
        report.warn(
          `The job has both "tasks" (Jobs 2.1) and a top-level ${field} (Jobs 2.0): the top-level ${field} is not used.`
        );
      }
    }
    return out;
  }
  if (V20_TASK_FIELDS.some(field => field in settings)) {
    const body: Json = {};
    for (const field of V20_TASK_FIELDS) {
      if (field in settings) {
        body[field] = settings[field];
      }
    }
    const key =
      typeof settings.name === 'string' && settings.name ? settings.name : '';
    return [{ key, body, where: '', subject: 'The job' }];
  }
  report.error(
    'The job has no tasks: expected "tasks" (Jobs 2.1) or a top-level "notebook_task" (Jobs 2.0).'
  );
  return [];
}

function readJobClusters(settings: Json, report: Report): Map<string, Json> {
  const clusters = new Map<string, Json>();
  const list = settings.job_clusters;
  if (list === undefined) {
    return clusters;
  }
  if (!Array.isArray(list)) {
    report.error(
      '"job_clusters" must be a list of {job_cluster_key, new_cluster}.'
    );
    return clusters;
  }
  list.forEach((item: unknown, i: number) => {
    if (
      !isObject(item) ||
      typeof item.job_cluster_key !== 'string' ||
      !isObject(item.new_cluster)
    ) {
      report.error(
        `job_clusters[${i}] must have a job_cluster_key and a new_cluster object.`
      );
      return;
    }
    clusters.set(item.job_cluster_key, item.new_cluster);
  });
  return clusters;
}

function readJobParameters(
  settings: Json,
  report: Report
): Record<string, string> {
  const out: Record<string, string> = {};
  const list = settings.parameters;
  if (list === undefined) {
    return out;
  }
  if (!Array.isArray(list)) {
    report.error('"parameters" must be a list of {name, default} (Jobs 2.1).');
    return out;
  }
  list.forEach((item: unknown, i: number) => {
    if (!isObject(item) || typeof item.name !== 'string' || !item.name) {
      report.error(`parameters[${i}] must have a name.`);
      return;
    }
    const value = scalarText(item.default);
    if (value === null) {
      report.error(
        `parameters[${i}] ("${item.name}"): its default must be text, a number or a boolean.`
      );
      return;
    }
    out[item.name] = value;
    noteDynamic(`job parameter "${item.name}"`, value, report);
  });
  return out;
}

function scalarText(value: unknown): string | null {
  if (value === undefined || value === null) {
    return '';
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return String(value);
  }
  return null;
}

function noteDynamic(what: string, value: string, report: Report): void {
  if (DYNAMIC_REF.test(value)) {
    report.warn(
      `${what} is ${show(value)}, a Databricks value reference: it is passed as this literal text (set the value instead).`
    );
  }
}

function readSchedule(
  settings: Json,
  base: IPublishForm,
  report: Report
): IScheduleSpec | undefined {
  const runs = settings.max_concurrent_runs;
  if (
    runs !== undefined &&
    (typeof runs !== 'number' || !Number.isInteger(runs) || runs < 0)
  ) {
    report.error(
      `max_concurrent_runs ${JSON.stringify(runs)} must be a whole number of at least 0.`
    );
    return undefined;
  }
  const raw = settings.schedule;
  if (raw === undefined || raw === null) {
    if (typeof runs === 'number' && runs !== 1) {
      report.warn(
        `max_concurrent_runs ${runs} is not used: it applies to schedules, and the job has none.`
      );
    }
    return undefined;
  }
  if (!isObject(raw)) {
    report.error(
      '"schedule" must be an object {quartz_cron_expression, timezone_id, pause_status}.'
    );
    return undefined;
  }
  const quartz = raw.quartz_cron_expression;
  if (typeof quartz !== 'string' || !quartz.trim()) {
    report.error(
      'schedule.quartz_cron_expression is missing: a schedule needs a Quartz cron expression such as "0 0 12 * * ?".'
    );
    return undefined;
  }
  const converted = quartzToCron(quartz);
  if ('error' in converted) {
    report.error(`schedule.quartz_cron_expression: ${converted.error}`);
    return undefined;
  }
  let zone = raw.timezone_id;
  if (zone === undefined || zone === '') {
    zone = 'UTC';
    report.warn(
      'schedule.timezone_id is missing: the schedule runs in UTC (Databricks requires a zone; check it).'
    );
  }
  const zoneProblem = validateTimeZone(zone as string);
  if (zoneProblem) {
    report.error(`schedule.timezone_id: ${zoneProblem}`);
    return undefined;
  }
  const pause = raw.pause_status;
  if (pause !== undefined && pause !== 'PAUSED' && pause !== 'UNPAUSED') {
    report.error(
      `schedule.pause_status ${JSON.stringify(pause)} must be "PAUSED" or "UNPAUSED".`
    );
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (
      !['quartz_cron_expression', 'timezone_id', 'pause_status'].includes(
        key
      ) &&
      !isEmptyValue(raw[key])
    ) {
      report.warn(`schedule.${key} is not carried over.`);
    }
  }
  let suspend = pause === 'PAUSED';
  if (runs === 0) {
    suspend = true;
    report.warn(
      'max_concurrent_runs 0 skips every run: the schedule is written suspended.'
    );
  }
  const out: IScheduleSpec = {
    schedule: converted.cron,
    timeZone: zone as string,
    // Databricks' default is one run at a time.
    concurrencyPolicy: runs === undefined || runs <= 1 ? 'Forbid' : 'Allow',
    suspend
  };
  const limits = base.schedule;
  if (limits?.successfulRunHistoryLimit !== undefined) {
    out.successfulRunHistoryLimit = limits.successfulRunHistoryLimit;
  }
  if (limits?.failedRunHistoryLimit !== undefined) {
    out.failedRunHistoryLimit = limits.failedRunHistoryLimit;
  }
  return out;
}

function jobLevelWarnings(
  settings: Json,
  tasks: ITaskIn[],
  report: Report
): void {
  const handled = new Set([
    'name',
    'tasks',
    'job_clusters',
    'parameters',
    'schedule',
    'max_concurrent_runs',
    ...JOB_METADATA,
    // Jobs 2.0 task fields are the task's (2.1: readTasks warns about them).
    ...V20_TASK_FIELDS
  ]);
  for (const key of Object.keys(settings)) {
    if (handled.has(key) || isEmptyValue(settings[key])) {
      continue;
    }
    if (key === 'git_source') {
      const source = settings.git_source;
      const url =
        isObject(source) && typeof source.git_url === 'string'
          ? ` ${source.git_url}`
          : '';
      report.warn(
        `git_source is not fetched: notebook paths resolve against the workspace folder, which should hold a checkout of${url || ' the repository'}.`
      );
      continue;
    }
    if (!JOB_HINTS[key]) {
      report.warn(`${key} is not carried over.`);
      continue;
    }
    report.warn(`${key} is not carried over: ${JOB_HINTS[key]}.`);
  }
  const deps = tasks.flatMap(task => {
    const list = task.body.depends_on;
    if (!Array.isArray(list) || !list.length) {
      return [];
    }
    const after = list
      .map(d =>
        isObject(d) && typeof d.task_key === 'string' ? d.task_key : '?'
      )
      .join(', ');
    return [`"${task.key}" after ${after}`];
  });
  if (deps.length) {
    report.warn(
      `The tasks become separate applications and their dependencies are not kept (${deps.join('; ')}): run them in order with your workflow tool, and pass task values through storage.`
    );
  }
}

interface ITaskContext {
  base: IPublishForm;
  clusters: Map<string, Json>;
  jobParameters: Record<string, string>;
  schedule?: IScheduleSpec;
  options: IJobConvertOptions;
  report: Report;
}

function convertTask(task: ITaskIn, ctx: ITaskContext): IConvertedTask | null {
  const { report } = ctx;
  const at = task.where;
  const notebook = task.body.notebook_task as Json;
  const path = notebook.notebook_path;
  if (typeof path !== 'string' || !path.trim()) {
    report.error(
      `${at}notebook_task.notebook_path is missing: a notebook task needs the notebook's workspace path.`
    );
    return null;
  }
  const form = cloneForm(ctx.base);

  // Parameters: the base, the task's base_parameters, then the job's (which win, as on Databricks).
  const params: Record<string, string> = { ...form.parameters };
  const baseParams = notebook.base_parameters;
  if (baseParams !== undefined && baseParams !== null) {
    if (!isObject(baseParams)) {
      report.error(
        `${at}notebook_task.base_parameters must be an object of name → value.`
      );
    } else {
      for (const [name, raw] of Object.entries(baseParams)) {
        const value = scalarText(raw);
        if (value === null) {
          report.error(
            `${at}notebook_task.base_parameters "${name}" must be text, a number or a boolean.`
          );
          continue;
        }
        params[name] = value;
        noteDynamic(`${at}parameter "${name}"`, value, report);
      }
    }
  }
  Object.assign(params, ctx.jobParameters);
  form.parameters = params;
  for (const key of Object.keys(notebook)) {
    if (
      ['notebook_path', 'base_parameters', 'source'].includes(key) ||
      isEmptyValue(notebook[key])
    ) {
      continue;
    }
    report.warn(
      key === 'warehouse_id'
        ? `${at}notebook_task.warehouse_id is not used: the notebook runs on Spark, not on a SQL warehouse.`
        : `${at}notebook_task.${key} is not carried over.`
    );
  }

  // Compute.
  let cluster: Json | undefined;
  let clusterWhere = '';
  if (isObject(task.body.new_cluster)) {
    cluster = task.body.new_cluster;
    clusterWhere = `${at}new_cluster`;
    if (typeof task.body.job_cluster_key === 'string') {
      report.warn(
        `${task.subject} has both new_cluster and job_cluster_key "${task.body.job_cluster_key}": new_cluster is used.`
      );
    }
  } else if (typeof task.body.job_cluster_key === 'string') {
    const key = task.body.job_cluster_key;
    cluster = ctx.clusters.get(key);
    clusterWhere = `job cluster "${key}": new_cluster`;
    if (!cluster) {
      report.error(
        `${at}job_cluster_key "${key}" names no cluster in job_clusters${ctx.clusters.size ? ` (there are ${[...ctx.clusters.keys()].map(k => `"${k}"`).join(', ')})` : ''}.`
      );
      return null;
    }
  } else if (
    typeof task.body.existing_cluster_id === 'string' &&
    task.body.existing_cluster_id
  ) {
    report.warn(
      `${at}existing_cluster_id "${task.body.existing_cluster_id}" cannot be reused: the application gets its own driver and executors with the default resources (${resourceWords(form)}).`
    );
  } else {
    report.warn(
      `${task.subject} names no cluster (serverless): the application gets the default resources (${resourceWords(form)}).`
    );
  }
  if (cluster) {
    const part = convertCluster(cluster, clusterWhere, ctx);
    if (part) {
      if (part.instances !== undefined) {
        form.executor = { ...form.executor, instances: part.instances };
      }
      if (part.dynamicAllocation) {
        form.dynamicAllocation = part.dynamicAllocation;
      } else if (part.instances !== undefined) {
        delete form.dynamicAllocation;
      }
      form.sparkConf = { ...form.sparkConf, ...part.sparkConf };
      form.secretScopes = mergeScopes(
        form.secretScopes,
        part.secretEnv,
        clusterWhere,
        ctx
      );
    }
  }

  // Retries.
  const restart = convertRetries(task, ctx.report);
  if (restart) {
    form.restartPolicy = restart;
  }
  if (ctx.schedule) {
    form.schedule = { ...ctx.schedule };
  }

  // Everything else on the task.
  const handled = new Set([
    'task_key',
    'description',
    'notebook_task',
    'new_cluster',
    'job_cluster_key',
    'existing_cluster_id',
    'depends_on',
    'max_retries',
    'min_retry_interval_millis'
  ]);
  for (const key of Object.keys(task.body)) {
    const value = task.body[key];
    if (handled.has(key) || isEmptyValue(value)) {
      continue;
    }
    if (key === 'run_if' && value === 'ALL_SUCCESS') {
      continue;
    }
    if (key === 'libraries') {
      report.warn(
        `${at}libraries are not installed (${libraryWords(value)}): build them into the image, or %pip install them in the notebook.`
      );
    } else if (key === 'run_if') {
      report.warn(
        `${at}run_if ${JSON.stringify(value)} is not kept: the task's application runs on its own.`
      );
    } else if (key === 'retry_on_timeout') {
      report.warn(
        `${at}retry_on_timeout is not carried over: there is no timeout.`
      );
    } else if (JOB_HINTS[key]) {
      report.warn(`${at}${key} is not carried over: ${JOB_HINTS[key]}.`);
    } else {
      report.warn(`${at}${key} is not carried over.`);
    }
  }
  return {
    taskKey: task.key,
    notebookPath: path,
    form
  };
}

function cloneForm(base: IPublishForm): IPublishForm {
  return JSON.parse(JSON.stringify(base)) as IPublishForm;
}

function cores(n: number): string {
  return `${n} core${n === 1 ? '' : 's'}`;
}

/** The resources a form gives, in words (for warnings). */
function resourceWords(form: IPublishForm): string {
  const dyn = form.dynamicAllocation;
  const count = form.executor.instances ?? 1;
  const executors = dyn?.enabled
    ? `${dyn.minExecutors}–${dyn.maxExecutors} executors`
    : `${count} executor${count === 1 ? '' : 's'}`;
  return `driver ${cores(form.driver.cores)} ${form.driver.memory}, ${executors} of ${cores(form.executor.cores)} ${form.executor.memory}`;
}

function nodeWords(form: IPublishForm): string {
  return `driver ${cores(form.driver.cores)} ${form.driver.memory}, executors ${cores(form.executor.cores)} ${form.executor.memory} each`;
}

function libraryWords(value: unknown): string {
  if (!Array.isArray(value)) {
    return JSON.stringify(value);
  }
  return value
    .map(lib => {
      if (!isObject(lib)) {
        return JSON.stringify(lib);
      }
      const [kind] = Object.keys(lib);
      const spec = lib[kind];
      if (typeof spec === 'string') {
        return `${kind} ${spec}`;
      }
      if (isObject(spec)) {
        const name = spec.package ?? spec.coordinates ?? spec.repo;
        return `${kind} ${typeof name === 'string' ? name : JSON.stringify(spec)}`;
      }
      return kind;
    })
    .join(', ');
}

function convertRetries(task: ITaskIn, report: Report): IRestartPolicy | null {
  const at = task.where;
  const retries = task.body.max_retries;
  const interval = task.body.min_retry_interval_millis;
  if (
    interval !== undefined &&
    (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0)
  ) {
    report.error(
      `${at}min_retry_interval_millis ${JSON.stringify(interval)} must be a number of milliseconds, at least 0.`
    );
    return null;
  }
  if (retries === undefined || retries === null) {
    if (typeof interval === 'number' && interval > 0) {
      report.warn(
        `${at}min_retry_interval_millis is not used: the task has no max_retries.`
      );
    }
    return null;
  }
  if (
    typeof retries !== 'number' ||
    !Number.isInteger(retries) ||
    retries < -1
  ) {
    report.error(
      `${at}max_retries ${JSON.stringify(retries)} must be a whole number (0 or more, or -1).`
    );
    return null;
  }
  if (retries === -1) {
    report.warn(
      `${at}max_retries -1 (retry forever) has no equivalent: the application keeps the default restart policy; give a number of retries instead.`
    );
    return null;
  }
  if (retries === 0) {
    return { type: 'Never' };
  }
  const policy: IRestartPolicy = { type: 'OnFailure', retries };
  if (typeof interval === 'number' && interval > 0) {
    policy.retryIntervalSeconds = Math.ceil(interval / 1000);
  }
  return policy;
}

function convertCluster(
  cluster: Json,
  where: string,
  ctx: ITaskContext
): IClusterPart | null {
  const { report, base } = ctx;
  const part: IClusterPart = { sparkConf: {}, secretEnv: [] };
  let ok = true;
  const fail = (message: string) => {
    report.error(message);
    ok = false;
  };

  const workers = cluster.num_workers;
  const autoscale = cluster.autoscale;
  if (autoscale !== undefined && autoscale !== null) {
    const min = isObject(autoscale) ? autoscale.min_workers : undefined;
    const max = isObject(autoscale) ? autoscale.max_workers : undefined;
    if (
      !isCount(min) ||
      !isCount(max) ||
      (max as number) < 1 ||
      (min as number) > (max as number)
    ) {
      fail(
        `${where}.autoscale must have whole numbers min_workers ≤ max_workers (max_workers at least 1); it has ${JSON.stringify(autoscale)}.`
      );
    } else {
      part.dynamicAllocation = {
        enabled: true,
        minExecutors: min as number,
        maxExecutors: max as number
      };
      part.instances = Math.max(1, min as number);
      if (workers !== undefined && workers !== null) {
        report.warn(
          `${where} has both num_workers and autoscale: autoscale is used (dynamic allocation).`
        );
      }
    }
  } else if (workers !== undefined && workers !== null) {
    if (!isCount(workers)) {
      fail(
        `${where}.num_workers ${JSON.stringify(workers)} must be a whole number of at least 0.`
      );
    } else if (workers === 0) {
      part.instances = 1;
      report.warn(
        `${where}.num_workers is 0 (a single-node cluster): the application gets 1 executor, since on Kubernetes the driver runs no tasks.`
      );
    } else {
      part.instances = workers as number;
    }
  }

  // Node types have no mapping: say what the application gets instead.
  const nodes = NODE_FIELDS.filter(
    key => typeof cluster[key] === 'string' && cluster[key]
  );
  if (nodes.length) {
    report.warn(
      `${where}: ${nodes.map(key => `${key} "${String(cluster[key])}"`).join(', ')} ${nodes.length === 1 ? 'has' : 'have'} no Kubernetes equivalent: the driver and executors get the default cores and memory (${nodeWords(base)}).`
    );
  }
  if (typeof cluster.spark_version === 'string' && cluster.spark_version) {
    report.warn(
      `${where}.spark_version "${cluster.spark_version}" is a Databricks runtime: the application runs Spark ${base.sparkVersion} from the image ${base.image}.`
    );
  }

  const conf = cluster.spark_conf;
  if (conf !== undefined && conf !== null) {
    if (!isObject(conf)) {
      fail(`${where}.spark_conf must be an object of Spark property → value.`);
    } else {
      for (const [key, raw] of Object.entries(conf)) {
        const value = scalarText(raw);
        if (value === null) {
          fail(
            `${where}.spark_conf "${key}" must be text, a number or a boolean.`
          );
          continue;
        }
        const advice = databricksConfAdvice(key);
        // Delta's own keys carry over only to an application that has Delta.
        const kept =
          advice?.action === 'keep' &&
          (!advice.needsDelta || base.storage?.delta === true);
        if (advice && !kept) {
          report.warn(
            `${where}.spark_conf "${key}" is Databricks-only and is left out: ${advice.advice}.`
          );
        } else if (MANAGED_SPARK_CONF.includes(key)) {
          report.warn(
            `${where}.spark_conf "${key}" is left out: the operator sets it.`
          );
        } else if (ANY_SECRET_REF.test(value)) {
          report.warn(
            `${where}.spark_conf "${key}" refers to a secret, which Spark properties cannot hold here: it is left out; read the secret in the notebook (dbutils.secrets.get) or through spark_env_vars.`
          );
        } else {
          part.sparkConf[key] = value;
          if (advice) {
            report.warn(
              `${where}.spark_conf "${key}" is carried over: ${advice.advice}.`
            );
          }
        }
      }
    }
  }

  const env = cluster.spark_env_vars;
  if (env !== undefined && env !== null) {
    if (!isObject(env)) {
      fail(`${where}.spark_env_vars must be an object of name → value.`);
    } else {
      const plain: string[] = [];
      for (const [name, raw] of Object.entries(env)) {
        const value = scalarText(raw);
        const nameProblem = validateEnvName(name);
        if (nameProblem) {
          fail(`${where}.spark_env_vars: ${nameProblem}`);
          continue;
        }
        if (value === null) {
          fail(
            `${where}.spark_env_vars "${name}" must be text, a number or a boolean.`
          );
          continue;
        }
        const ref = SECRET_REF.exec(value);
        if (ref) {
          part.secretEnv.push({ env: name, scope: ref[1], key: ref[2] });
        } else if (ANY_SECRET_REF.test(value)) {
          report.warn(
            `${where}.spark_env_vars "${name}" mixes text with a secret reference, which a Secret key reference cannot express: it is left out; set it to exactly {{secrets/scope/key}}.`
          );
        } else if (value.startsWith('/databricks/')) {
          report.warn(
            `${where}.spark_env_vars "${name}" points into the Databricks runtime (${show(value)}) and is left out.`
          );
        } else {
          part.sparkConf[`spark.kubernetes.driverEnv.${name}`] = value;
          part.sparkConf[`spark.executorEnv.${name}`] = value;
          plain.push(name);
        }
      }
      if (plain.length) {
        report.warn(
          `${where}.spark_env_vars ${plain.join(', ')} ${plain.length === 1 ? 'is' : 'are'} set on the driver and executors through the Spark properties spark.kubernetes.driverEnv.* and spark.executorEnv.*.`
        );
      }
    }
  }

  const handled = new Set([
    'num_workers',
    'autoscale',
    'spark_version',
    'spark_conf',
    'spark_env_vars',
    ...NODE_FIELDS
  ]);
  for (const key of Object.keys(cluster)) {
    const value = cluster[key];
    if (
      handled.has(key) ||
      isEmptyValue(value) ||
      (key in CLUSTER_DEFAULTS && CLUSTER_DEFAULTS[key] === value)
    ) {
      continue;
    }
    if (key === 'init_scripts' && Array.isArray(value)) {
      report.warn(
        `${where}.init_scripts (${value.length}) are not run: build what they install into the image.`
      );
    } else if (CLUSTER_HINTS[key]) {
      report.warn(
        `${where}.${key} is not carried over: ${CLUSTER_HINTS[key]}.`
      );
    } else {
      report.warn(`${where}.${key} is not carried over.`);
    }
  }
  return ok ? part : null;
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function mergeScopes(
  scopes: ResolvedScopes,
  refs: IClusterPart['secretEnv'],
  where: string,
  ctx: ITaskContext
): ResolvedScopes {
  const out: ResolvedScopes = {};
  for (const [scope, spec] of Object.entries(scopes)) {
    out[scope] = { secret: spec.secret, env: { ...spec.env } };
  }
  const assigned = new Map<string, string>();
  for (const { env, scope, key } of refs) {
    const secret =
      ctx.options.secretNames?.[scope] ?? out[scope]?.secret ?? scope;
    const secretProblem = validateDnsSubdomain(secret, 'Secret name');
    if (secretProblem) {
      ctx.report.error(
        `${where}.spark_env_vars "${env}" reads secret scope "${scope}", which maps to no valid Kubernetes Secret (${secretProblem}): map the scope to a Secret.`
      );
      continue;
    }
    const keyProblem = validateDataKey(key);
    if (keyProblem) {
      ctx.report.error(
        `${where}.spark_env_vars "${env}" reads secret key "${key}": a Secret's ${keyProblem}`
      );
      continue;
    }
    const entry = out[scope] ?? { secret, env: {} };
    entry.secret = secret;
    // The job's variable name replaces the base's (dbutils.secrets reads it too),
    // but one key can be in only one variable.
    const existing = assigned.get(`${scope}/${key}`);
    if (existing !== undefined && existing !== env) {
      ctx.report.warn(
        `${where}.spark_env_vars "${env}" reads {{secrets/${scope}/${key}}}, which is already in ${existing}: "${env}" is left out; read ${existing} instead.`
      );
      continue;
    }
    entry.env[key] = env;
    assigned.set(`${scope}/${key}`, env);
    out[scope] = entry;
  }
  return out;
}
