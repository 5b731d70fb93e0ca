/**
 * The publish form's problems, each at its field, for as-you-type feedback.
 *
 * The manifests' own `validateJobSpec` stays the one set of rules: each field
 * is checked by validating a known-good spec with only that field taken
 * from the form, so a problem is attributed to the field that caused it.
 */
import {
  APP_NAME_MAX_LENGTH,
  SCHEDULED_APP_NAME_MAX_LENGTH,
  show,
  validateCron,
  validateDnsLabel,
  validateName,
  validateSchedule,
  validateTimeZone
} from '../manifests';
import { validateJobSpec } from '../manifests';
import type { IJobSpec } from '../manifests';
import { validateStorage } from '../session/storage';
import type { IPublishForm, IPublishProblem, PublishField } from './types';

const BASELINE: IJobSpec = {
  name: 'baseline',
  namespace: 'default',
  image: 'spark:4',
  sparkVersion: '4.0.1',
  pythonVersion: '3',
  mainFile: 'job.py',
  configMapName: 'baseline-0123456789',
  runtimeArchivePath: 'runtime.zip',
  arguments: [],
  driver: { cores: 1, memory: '1g' },
  executor: { cores: 1, memory: '1g', instances: 1 },
  restartPolicy: { type: 'Never' },
  sparkConf: {},
  serviceAccount: 'spark',
  source: { notebookPath: 'a.ipynb', contentHash: '0123456789abcdef' },
  secretEnv: []
};

type SpecFields = Partial<Record<PublishField, Partial<IJobSpec>>>;

function specFields(form: IPublishForm): SpecFields {
  return {
    image: { image: form.image },
    sparkVersion: { sparkVersion: form.sparkVersion },
    serviceAccount: { serviceAccount: form.serviceAccount },
    driver: { driver: form.driver },
    executor: { executor: form.executor },
    dynamicAllocation: { dynamicAllocation: form.dynamicAllocation },
    restartPolicy: { restartPolicy: form.restartPolicy },
    timeToLiveSeconds: { timeToLiveSeconds: form.timeToLiveSeconds },
    sparkConf: { sparkConf: form.sparkConf ?? {} },
    nodeSelector: { nodeSelector: form.nodeSelector },
    tolerations: { tolerations: form.tolerations }
  };
}

/** Every problem with the form, at its field; empty when it can be published. */
export function validatePublishForm(form: IPublishForm): IPublishProblem[] {
  const problems: IPublishProblem[] = [];
  const add = (field: PublishField | null, message: string | null) => {
    if (message && !problems.some(p => p.message === message)) {
      problems.push({ field, message });
    }
  };
  const max = form.schedule
    ? SCHEDULED_APP_NAME_MAX_LENGTH
    : APP_NAME_MAX_LENGTH;
  const nameProblem = validateName(String(form.name ?? ''), max);
  add(
    'name',
    nameProblem && form.schedule && String(form.name).length > max
      ? `${nameProblem} (a scheduled application's runs add a timestamp to its name)`
      : nameProblem
  );
  add('namespace', validateDnsLabel(String(form.namespace ?? ''), 'namespace'));
  if (form.operator !== 'kubeflow' && form.operator !== 'apache') {
    add('operator', `Unknown operator ${show(String(form.operator))}.`);
  }
  for (const [field, part] of Object.entries(specFields(form))) {
    for (const message of validateJobSpec({ ...BASELINE, ...part })) {
      add(field as PublishField, message);
    }
  }
  for (const [name, value] of Object.entries(form.parameters ?? {})) {
    if (!name || /[\s=]/.test(name) || name.startsWith('-')) {
      add(
        'parameters',
        `parameter name ${show(name)} cannot be passed as --name value: use a name without spaces or '=' that does not start with '-'.`
      );
    }
    if (typeof value !== 'string' || value.indexOf('\0') >= 0) {
      add(
        'parameters',
        `parameter ${show(name)} must be text without NUL characters.`
      );
    }
  }
  if (form.runOutput !== undefined && form.runOutput !== '') {
    if (/[\s\0]/.test(form.runOutput) || form.runOutput.length > 1024) {
      add(
        'runOutput',
        `run output location ${show(form.runOutput)} must be a path or URI without spaces (such as s3a://bucket/runs).`
      );
    }
  }
  for (const message of validateStorage(
    form.storage,
    form.name || 'job',
    form.sparkVersion
  )) {
    add(null, message);
  }
  if (form.schedule) {
    if (form.operator === 'apache') {
      add(
        'schedule',
        'The Apache Spark Kubernetes Operator has no schedules: publish to the kubeflow Spark operator to run on a schedule, or publish once.'
      );
    }
    add('schedule', validateCron(String(form.schedule.schedule ?? '')));
    const zone = String(form.schedule.timeZone ?? '');
    add('timeZone', validateTimeZone(zone) ?? unknownZone(zone));
    for (const message of validateSchedule(form.schedule)) {
      add('schedule', message);
    }
  }
  return problems;
}

/** A zone this JavaScript engine's time zone database does not know (it mirrors the operator's Go one). */
function unknownZone(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `time zone ${show(zone)} is not a known IANA time zone (such as Europe/Paris or UTC).`;
  }
}
