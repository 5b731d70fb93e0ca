/**
 * The publish form's defaults: from the session profile the notebook runs
 * with, so a published job gets the resources the user already tried.
 */
import type { ResolvedScopes } from '../kernel';
import {
  MANAGED_SPARK_CONF,
  nameFromNotebook,
  SCHEDULED_APP_NAME_MAX_LENGTH
} from '../manifests';
import type { IScheduleSpec, IToleration, Operator } from '../manifests';
import { imageSparkVersion } from '../session/profile';
import type { IStoragePresets, SessionProfile } from '../session/profile';
import type { IPublishForm } from './types';

/** The Spark image a job runs in when no kubernetes profile names one. */
export const DEFAULT_JOB_IMAGE = 'apache/spark:4.0.1-python3';

/** The service account of a published driver (deploy/rbac.yaml). */
export const DEFAULT_DRIVER_SERVICE_ACCOUNT = 'spark-driver';

/** How long a finished application stays (its logs and status), in seconds. */
export const DEFAULT_TIME_TO_LIVE_SECONDS = 7 * 24 * 3600;

/** The Spark version a job declares when its image does not say. */
export const DEFAULT_SPARK_VERSION = '4.0.1';

/** What the defaults are derived from. */
export interface IPublishDefaultsInput {
  notebookPath: string;
  /** The session profile the notebook uses (its image and resources). */
  profile?: SessionProfile;
  namespace: string;
  serviceAccount?: string;
  /** The notebook's widgets with their current values. */
  parameters: { [name: string]: string };
  secretScopes: ResolvedScopes;
  /** The zone a schedule defaults to (the browser's). */
  timeZone: string;
  owner?: string;
  operator?: Operator;
  runOutput?: string;
}

/** A form ready to publish `notebookPath` once, with the profile's resources. */
export function publishDefaults(input: IPublishDefaultsInput): IPublishForm {
  const profile = input.profile;
  const k8s = profile?.kind === 'kubernetes' ? profile : null;
  // A SparkConnect server's image and resources fit a job just as well.
  const server = profile?.kind === 'sparkconnect' ? profile : null;
  const pods = k8s ?? server;
  const executors = pods ?? (profile?.kind === 'standalone' ? profile : null);
  const image = pods?.image || DEFAULT_JOB_IMAGE;
  const conf: { [key: string]: string } = {};
  for (const [key, value] of Object.entries(input.profile?.conf ?? {})) {
    if (!MANAGED_SPARK_CONF.includes(key)) {
      conf[key] = value;
    }
  }
  const form: IPublishForm = {
    // Short enough to stay valid when a schedule is added.
    name: nameFromNotebook(input.notebookPath, SCHEDULED_APP_NAME_MAX_LENGTH),
    operator: input.operator ?? 'kubeflow',
    namespace: input.namespace,
    image,
    sparkVersion:
      server?.sparkVersion ?? imageSparkVersion(image) ?? DEFAULT_SPARK_VERSION,
    serviceAccount: input.serviceAccount || DEFAULT_DRIVER_SERVICE_ACCOUNT,
    driver: { cores: server?.serverCores ?? 1, memory: driverMemory(profile) },
    executor: {
      cores: executors?.executorCores ?? 1,
      memory: executors?.executorMemory || '1g',
      instances: pods?.executorInstances ?? 2
    },
    restartPolicy: { type: 'Never' },
    timeToLiveSeconds: DEFAULT_TIME_TO_LIVE_SECONDS,
    sparkConf: conf,
    parameters: { ...input.parameters },
    secretScopes: input.secretScopes
  };
  if (k8s?.executorMemoryOverhead) {
    form.executor.memoryOverhead = k8s.executorMemoryOverhead;
  }
  const dyn = k8s?.dynamicAllocation;
  if (dyn?.enabled) {
    form.dynamicAllocation = {
      enabled: true,
      minExecutors: dyn.minExecutors ?? 0,
      maxExecutors: dyn.maxExecutors ?? Math.max(2, dyn.minExecutors ?? 0)
    };
  }
  if (pods?.nodeSelector && Object.keys(pods.nodeSelector).length) {
    form.nodeSelector = { ...pods.nodeSelector };
  }
  if (pods?.tolerations && pods.tolerations.length) {
    form.tolerations = pods.tolerations.map(t => ({ ...t }) as IToleration);
  }
  const storage =
    input.profile && 'storage' in input.profile
      ? input.profile.storage
      : undefined;
  if (storage) {
    form.storage = JSON.parse(JSON.stringify(storage)) as IStoragePresets;
  }
  if (input.owner) {
    form.owner = input.owner;
  }
  if (input.runOutput) {
    form.runOutput = input.runOutput;
  }
  return form;
}

/** The driver memory a profile gives its driver, or 1g. */
function driverMemory(profile: SessionProfile | undefined): string {
  if (!profile) {
    return '1g';
  }
  switch (profile.kind) {
    case 'local':
    case 'kubernetes':
    case 'standalone':
      return profile.driverMemory || '1g';
    case 'sparkconnect':
      return profile.serverMemory || '1g';
    default:
      return '1g';
  }
}

/** A schedule to start from: every day at 06:00 in `timeZone`, one run at a time. */
export function scheduleDefaults(timeZone: string): IScheduleSpec {
  return {
    schedule: '0 6 * * *',
    timeZone,
    concurrencyPolicy: 'Forbid',
    suspend: false,
    successfulRunHistoryLimit: 5,
    failedRunHistoryLimit: 5
  };
}
