/**
 * Plain-words checks of a job spec and a schedule before any manifest is
 * built.
 */
import { validateCron, validateTimeZone } from './cron';
import {
  APP_NAME_MAX_LENGTH,
  SCHEDULED_APP_NAME_MAX_LENGTH,
  show,
  validateDataKey,
  validateDnsLabel,
  validateDnsSubdomain,
  validateEnvName,
  validateLabelValue,
  validateMetadataKey,
  validateName
} from './names';
import { validateCpu, validateSparkMemory } from './quantity';
import type { IDriverResources, IJobSpec, IScheduleSpec } from './types';

/** Spark settings the builders own; setting them in `sparkConf` would break the job. */
export const MANAGED_SPARK_CONF = [
  'spark.kubernetes.driver.podTemplateFile',
  'spark.kubernetes.executor.podTemplateFile',
  'spark.kubernetes.driver.podTemplateContainerName',
  'spark.kubernetes.executor.podTemplateContainerName',
  'spark.kubernetes.namespace',
  'spark.kubernetes.container.image',
  'spark.submit.pyFiles',
  'spark.master'
];

/** Every problem with a job spec (and its schedule, if any), in plain words; empty when valid. */
export function validateJobSpec(
  spec: IJobSpec,
  schedule?: IScheduleSpec
): string[] {
  const problems: string[] = [];
  const add = (problem: string | null) => {
    if (problem) {
      problems.push(problem);
    }
  };
  add(
    validateName(
      spec.name,
      schedule ? SCHEDULED_APP_NAME_MAX_LENGTH : APP_NAME_MAX_LENGTH
    )
  );
  add(validateDnsLabel(spec.namespace, 'namespace'));
  if (typeof spec.image !== 'string' || !isToken(spec.image)) {
    problems.push(
      `image ${show(String(spec.image))} must be a non-empty image reference without spaces.`
    );
  }
  if (
    !/^\d+\.\d+(\.\d+)?([-.+][A-Za-z0-9.]+)?$/.test(String(spec.sparkVersion))
  ) {
    problems.push(
      `Spark version ${show(String(spec.sparkVersion))} should look like 4.0.1.`
    );
  }
  if (spec.pythonVersion !== '3') {
    problems.push('pythonVersion must be "3".');
  }
  add(validateDataKey(spec.mainFile));
  add(validateDataKey(spec.runtimeArchivePath));
  if (spec.mainFile === spec.runtimeArchivePath) {
    problems.push(
      'The job script and the runtime archive need different file names.'
    );
  }
  add(validateDnsSubdomain(spec.configMapName, 'ConfigMap name'));
  add(validateDnsSubdomain(spec.serviceAccount, 'service account'));
  (spec.arguments || []).forEach((arg, i) => {
    if (typeof arg !== 'string' || arg.indexOf('\0') >= 0) {
      problems.push(`argument ${i + 1} must be text without NUL characters.`);
    }
  });
  resources('driver', spec.driver, problems);
  resources('executor', spec.executor, problems);
  if (spec.executor && spec.executor.instances !== undefined) {
    count('executor instances', spec.executor.instances, 1, problems);
  }
  const dyn = spec.dynamicAllocation;
  if (dyn) {
    count('minimum executors', dyn.minExecutors, 0, problems);
    count('maximum executors', dyn.maxExecutors, 1, problems);
    if (dyn.minExecutors > dyn.maxExecutors) {
      problems.push(
        `minimum executors (${dyn.minExecutors}) is more than maximum executors (${dyn.maxExecutors}).`
      );
    }
  }
  const restart = spec.restartPolicy;
  if (!restart || ['Never', 'OnFailure', 'Always'].indexOf(restart.type) < 0) {
    problems.push('restart policy must be Never, OnFailure or Always.');
  } else {
    if (restart.retries !== undefined) {
      count('retries', restart.retries, 0, problems);
    }
    if (restart.retryIntervalSeconds !== undefined) {
      count(
        'retry interval (seconds)',
        restart.retryIntervalSeconds,
        1,
        problems
      );
    }
  }
  if (spec.timeToLiveSeconds !== undefined) {
    count('time to live (seconds)', spec.timeToLiveSeconds, 1, problems);
  }
  for (const key of Object.keys(spec.sparkConf || {})) {
    if (!isToken(key) || key.indexOf('=') >= 0) {
      problems.push(
        `Spark setting ${show(key)} is not a valid key (no spaces, '=' or control characters).`
      );
    } else if (MANAGED_SPARK_CONF.indexOf(key) >= 0) {
      problems.push(
        `Spark setting ${key} is set by the publisher; remove it from the Spark settings.`
      );
    }
    const value = spec.sparkConf[key];
    if (typeof value !== 'string' || value.indexOf('\0') >= 0) {
      problems.push(
        `Spark setting ${show(key)} must have a text value without NUL characters.`
      );
    }
  }
  metadata('node selector', spec.nodeSelector, true, problems);
  metadata('label', spec.labels, true, problems);
  metadata('annotation', spec.annotations, false, problems);
  (spec.tolerations || []).forEach((t, i) => {
    const where = `toleration ${i + 1}`;
    if (t.key !== undefined) {
      const p = validateMetadataKey(t.key);
      if (p) {
        problems.push(`${where}: ${p}`);
      }
    }
    if (
      t.operator !== undefined &&
      t.operator !== 'Equal' &&
      t.operator !== 'Exists'
    ) {
      problems.push(`${where}: operator must be Equal or Exists.`);
    }
    if (t.operator === 'Exists' && t.value) {
      problems.push(`${where}: an Exists toleration takes no value.`);
    }
    if (t.value !== undefined) {
      const p = validateLabelValue(t.value);
      if (p) {
        problems.push(`${where}: ${p}`);
      }
    }
    if (
      t.effect !== undefined &&
      ['NoSchedule', 'PreferNoSchedule', 'NoExecute'].indexOf(t.effect) < 0
    ) {
      problems.push(
        `${where}: effect must be NoSchedule, PreferNoSchedule or NoExecute.`
      );
    }
    if (t.tolerationSeconds !== undefined) {
      count(`${where} seconds`, t.tolerationSeconds, 0, problems);
    }
  });
  const source = spec.source;
  if (
    !source ||
    typeof source.notebookPath !== 'string' ||
    !source.notebookPath
  ) {
    problems.push('The source notebook path is missing.');
  }
  if (!source || !/^[0-9a-f]{8,64}$/.test(String(source.contentHash))) {
    problems.push('The content hash must be 8 to 64 lowercase hex digits.');
  }
  const envs: string[] = [];
  for (const ref of spec.secretEnv || []) {
    add(validateEnvName(ref.env));
    add(validateDnsSubdomain(ref.secret, `secret name for ${ref.env}`));
    const keyProblem = validateDataKey(ref.key);
    if (keyProblem) {
      problems.push(`secret key for ${ref.env}: ${keyProblem}`);
    }
    if (envs.indexOf(ref.env) >= 0) {
      problems.push(`environment variable ${ref.env} is mapped twice.`);
    }
    envs.push(ref.env);
  }
  for (const v of spec.env || []) {
    add(validateEnvName(v.name));
    if ((v.value === undefined) === (v.fieldPath === undefined)) {
      problems.push(
        `environment variable ${v.name} needs exactly one of a value or a pod field.`
      );
    }
    if (envs.indexOf(v.name) >= 0) {
      problems.push(`environment variable ${v.name} is set twice.`);
    }
    envs.push(v.name);
  }
  if (schedule) {
    problems.push(...validateSchedule(schedule));
  }
  return problems;
}

/** Every problem with a schedule, in plain words; empty when valid. */
export function validateSchedule(schedule: IScheduleSpec): string[] {
  const problems: string[] = [];
  const cron = validateCron(schedule.schedule);
  if (cron) {
    problems.push(cron);
  }
  const zone = validateTimeZone(schedule.timeZone);
  if (zone) {
    problems.push(zone);
  }
  if (['Allow', 'Forbid', 'Replace'].indexOf(schedule.concurrencyPolicy) < 0) {
    problems.push('concurrency policy must be Allow, Forbid or Replace.');
  }
  if (schedule.successfulRunHistoryLimit !== undefined) {
    count(
      'successful run history limit',
      schedule.successfulRunHistoryLimit,
      0,
      problems
    );
  }
  if (schedule.failedRunHistoryLimit !== undefined) {
    count(
      'failed run history limit',
      schedule.failedRunHistoryLimit,
      0,
      problems
    );
  }
  return problems;
}

function resources(
  what: string,
  res: IDriverResources | undefined,
  problems: string[]
): void {
  if (!res) {
    problems.push(`${what} resources are missing.`);
    return;
  }
  count(`${what} cores`, res.cores, 1, problems);
  const add = (p: string | null) => p && problems.push(p);
  add(validateSparkMemory(res.memory, `${what} memory`));
  if (res.memoryOverhead !== undefined) {
    add(validateSparkMemory(res.memoryOverhead, `${what} memory overhead`));
  }
  if (res.coreRequest !== undefined) {
    add(validateCpu(res.coreRequest, `${what} CPU request`));
  }
  if (res.coreLimit !== undefined) {
    add(validateCpu(res.coreLimit, `${what} CPU limit`));
  }
}

function count(
  what: string,
  value: number,
  min: number,
  problems: string[]
): void {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > 2147483647
  ) {
    problems.push(
      `${what} must be a whole number of at least ${min}; got ${show(String(value))}.`
    );
  }
}

function metadata(
  what: string,
  record: { [key: string]: string } | undefined,
  isLabel: boolean,
  problems: string[]
): void {
  for (const key of Object.keys(record || {})) {
    const keyProblem = validateMetadataKey(key);
    if (keyProblem) {
      problems.push(`${what} ${keyProblem}`);
    }
    const value = (record || {})[key];
    if (typeof value !== 'string') {
      problems.push(`${what} ${show(key)} must have a text value.`);
    } else if (isLabel) {
      const valueProblem = validateLabelValue(value);
      if (valueProblem) {
        problems.push(`${what} ${show(key)}: ${valueProblem}`);
      }
    }
  }
}

// Non-empty, without white space or control characters.
function isToken(value: unknown): boolean {
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) {
    return false;
  }
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      return false;
    }
  }
  return true;
}
