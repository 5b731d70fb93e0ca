/**
 * SparkApplication and ScheduledSparkApplication manifests for the kubeflow
 * operator (`sparkoperator.k8s.io/v1beta2`) and the Apache operator
 * (`spark.apache.org/v1`), from one `IJobSpec`.
 *
 * The job ConfigMap, its mount and the secret environment variables go
 * through pod templates, which reach spark-submit directly; the kubeflow
 * fields `volumes`, `configMaps`, `env`, `tolerations` … are applied only by
 * its mutating webhook and silently dropped without it.
 */
import { JOB_MOUNT_PATH } from './configmap';
import { jobAnnotations, jobLabels, sortedRecord } from './labels';
import { toSparkMemory } from './quantity';
import type {
  IEnvVar,
  IJobSpec,
  IManifest,
  IScheduleSpec,
  ISecretEnv,
  Operator
} from './types';
import { validateJobSpec } from './validate';
import type { JsonValue } from './yaml';

/** Name of the driver's main container, which Spark fills from the template. */
export const DRIVER_CONTAINER = 'spark-kubernetes-driver';

/** Name of an executor's main container, which Spark fills from the template. */
export const EXECUTOR_CONTAINER = 'spark-kubernetes-executor';

/** Name of the pod volume that mounts the job ConfigMap. */
export const JOB_VOLUME = 'spark-k8s-job';

/** Thrown by the builders when the spec has problems (see `validateJobSpec`). */
export class ManifestError extends Error {
  /** The problems, in plain words. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

/** A kubeflow `sparkoperator.k8s.io/v1beta2` SparkApplication. */
export function buildKubeflowApplication(spec: IJobSpec): IManifest {
  check(spec);
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: metadata(spec),
    spec: kubeflowSpec(spec)
  };
}

/** A kubeflow ScheduledSparkApplication whose template is the same application spec. */
export function buildKubeflowScheduledApplication(
  spec: IJobSpec,
  schedule: IScheduleSpec
): IManifest {
  check(spec, schedule);
  const body: { [key: string]: JsonValue } = {
    schedule: schedule.schedule.trim().replace(/\s+/g, ' '),
    // Always written: without it the operator runs the schedule in its own zone.
    timeZone: schedule.timeZone,
    concurrencyPolicy: schedule.concurrencyPolicy,
    suspend: schedule.suspend === true
  };
  if (schedule.successfulRunHistoryLimit !== undefined) {
    body.successfulRunHistoryLimit = schedule.successfulRunHistoryLimit;
  }
  if (schedule.failedRunHistoryLimit !== undefined) {
    body.failedRunHistoryLimit = schedule.failedRunHistoryLimit;
  }
  body.template = kubeflowSpec(spec);
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'ScheduledSparkApplication',
    metadata: metadata(spec),
    spec: body
  };
}

/** An Apache Spark Kubernetes Operator `spark.apache.org/v1` SparkApplication. */
export function buildApacheApplication(spec: IJobSpec): IManifest {
  check(spec);
  const conf: { [key: string]: string } = { ...spec.sparkConf };
  conf['spark.kubernetes.container.image'] = spec.image;
  if (spec.imagePullPolicy) {
    conf['spark.kubernetes.container.image.pullPolicy'] = spec.imagePullPolicy;
  }
  conf['spark.kubernetes.authenticate.driver.serviceAccountName'] =
    spec.serviceAccount;
  conf['spark.submit.pyFiles'] = localPath(spec.runtimeArchivePath);
  conf['spark.driver.cores'] = String(spec.driver.cores);
  conf['spark.driver.memory'] = memory(spec.driver.memory);
  conf['spark.executor.cores'] = String(spec.executor.cores);
  conf['spark.executor.memory'] = memory(spec.executor.memory);
  if (spec.driver.memoryOverhead) {
    conf['spark.driver.memoryOverhead'] = memory(spec.driver.memoryOverhead);
  }
  if (spec.executor.memoryOverhead) {
    conf['spark.executor.memoryOverhead'] = memory(
      spec.executor.memoryOverhead
    );
  }
  if (spec.executor.instances !== undefined) {
    conf['spark.executor.instances'] = String(spec.executor.instances);
  }
  conf['spark.kubernetes.driver.podTemplateContainerName'] = DRIVER_CONTAINER;
  conf['spark.kubernetes.executor.podTemplateContainerName'] =
    EXECUTOR_CONTAINER;
  Object.assign(conf, cpuConf(spec));
  const dyn = spec.dynamicAllocation;
  if (dyn && dyn.enabled) {
    conf['spark.dynamicAllocation.enabled'] = 'true';
    conf['spark.dynamicAllocation.shuffleTracking.enabled'] = 'true';
    conf['spark.dynamicAllocation.minExecutors'] = String(dyn.minExecutors);
    conf['spark.dynamicAllocation.maxExecutors'] = String(dyn.maxExecutors);
  }

  const tolerations: { [key: string]: JsonValue } = {};
  const restart = spec.restartPolicy;
  const restartConfig: { [key: string]: JsonValue } = {
    restartPolicy: restart.type
  };
  if (restart.type !== 'Never' && restart.retries !== undefined) {
    restartConfig.maxRestartAttempts = restart.retries;
  }
  if (restart.type !== 'Never' && restart.retryIntervalSeconds !== undefined) {
    restartConfig.restartBackoffMillis = restart.retryIntervalSeconds * 1000;
  }
  tolerations.restartConfig = restartConfig;
  if (dyn && dyn.enabled) {
    tolerations.instanceConfig = {
      initExecutors: spec.executor.instances ?? dyn.minExecutors,
      minExecutors: dyn.minExecutors,
      maxExecutors: dyn.maxExecutors
    };
  }
  if (spec.timeToLiveSeconds !== undefined) {
    tolerations.ttlAfterStopMillis = spec.timeToLiveSeconds * 1000;
  }

  const body: { [key: string]: JsonValue } = {
    deploymentMode: 'ClusterMode',
    // The Apache operator takes the Python main file in pyFiles.
    pyFiles: localPath(spec.mainFile),
    driverArgs: spec.arguments.slice(),
    sparkConf: sortedRecord(conf),
    applicationTolerations: tolerations,
    driverSpec: { podTemplateSpec: podTemplate(spec, 'driver') },
    executorSpec: { podTemplateSpec: podTemplate(spec, 'executor') },
    runtimeVersions: { sparkVersion: spec.sparkVersion }
  };
  return {
    apiVersion: 'spark.apache.org/v1',
    kind: 'SparkApplication',
    metadata: metadata(spec),
    spec: body
  };
}

/**
 * The application manifest for an operator, with or without a schedule; an
 * explicit error where the combination does not exist (the Apache operator
 * has no schedules) or the spec has problems.
 */
export function buildApplication(
  spec: IJobSpec,
  operator: Operator,
  schedule?: IScheduleSpec
): { manifest: IManifest } | { errors: string[] } {
  if (operator === 'apache' && schedule) {
    return {
      errors: [
        'The Apache Spark Kubernetes Operator has no schedules: publish to the kubeflow Spark operator to run on a schedule, or publish without one.'
      ]
    };
  }
  if (operator !== 'kubeflow' && operator !== 'apache') {
    return { errors: [`Unknown operator "${String(operator)}".`] };
  }
  const problems = validateJobSpec(spec, schedule);
  if (problems.length) {
    return { errors: problems };
  }
  if (operator === 'apache') {
    return { manifest: buildApacheApplication(spec) };
  }
  return {
    manifest: schedule
      ? buildKubeflowScheduledApplication(spec, schedule)
      : buildKubeflowApplication(spec)
  };
}

function check(spec: IJobSpec, schedule?: IScheduleSpec): void {
  const problems = validateJobSpec(spec, schedule);
  if (problems.length) {
    throw new ManifestError(problems);
  }
}

function metadata(spec: IJobSpec): { [key: string]: JsonValue } {
  return {
    name: spec.name,
    namespace: spec.namespace,
    labels: jobLabels(spec.name, spec.source, spec.labels),
    annotations: jobAnnotations(spec.source, spec.annotations)
  };
}

function kubeflowSpec(spec: IJobSpec): { [key: string]: JsonValue } {
  const body: { [key: string]: JsonValue } = {
    type: 'Python',
    pythonVersion: spec.pythonVersion,
    mode: 'cluster',
    image: spec.image
  };
  if (spec.imagePullPolicy) {
    body.imagePullPolicy = spec.imagePullPolicy;
  }
  body.sparkVersion = spec.sparkVersion;
  body.mainApplicationFile = localPath(spec.mainFile);
  body.arguments = spec.arguments.slice();
  body.deps = { pyFiles: [localPath(spec.runtimeArchivePath)] };
  const conf = { ...spec.sparkConf, ...cpuConf(spec) };
  if (Object.keys(conf).length) {
    body.sparkConf = sortedRecord(conf);
  }
  body.restartPolicy = kubeflowRestart(spec);
  if (spec.timeToLiveSeconds !== undefined) {
    body.timeToLiveSeconds = spec.timeToLiveSeconds;
  }
  const dyn = spec.dynamicAllocation;
  if (dyn && dyn.enabled) {
    body.dynamicAllocation = {
      enabled: true,
      minExecutors: dyn.minExecutors,
      maxExecutors: dyn.maxExecutors,
      shuffleTrackingEnabled: true
    };
  }
  const driver: { [key: string]: JsonValue } = {
    cores: spec.driver.cores,
    memory: memory(spec.driver.memory)
  };
  if (spec.driver.memoryOverhead) {
    driver.memoryOverhead = memory(spec.driver.memoryOverhead);
  }
  driver.serviceAccount = spec.serviceAccount;
  driver.template = podTemplate(spec, 'driver');
  const executor: { [key: string]: JsonValue } = {
    cores: spec.executor.cores,
    memory: memory(spec.executor.memory)
  };
  if (spec.executor.memoryOverhead) {
    executor.memoryOverhead = memory(spec.executor.memoryOverhead);
  }
  if (spec.executor.instances !== undefined) {
    executor.instances = spec.executor.instances;
  }
  executor.template = podTemplate(spec, 'executor');
  body.driver = driver;
  body.executor = executor;
  return body;
}

function kubeflowRestart(spec: IJobSpec): { [key: string]: JsonValue } {
  const restart = spec.restartPolicy;
  const out: { [key: string]: JsonValue } = { type: restart.type };
  if (restart.type === 'Never') {
    return out;
  }
  if (restart.retries !== undefined) {
    out.onFailureRetries = restart.retries;
    out.onSubmissionFailureRetries = restart.retries;
  }
  if (restart.retryIntervalSeconds !== undefined) {
    out.onFailureRetryInterval = restart.retryIntervalSeconds;
    out.onSubmissionFailureRetryInterval = restart.retryIntervalSeconds;
  }
  return out;
}

// CPU request/limit through Spark's own settings: they work with either
// operator and without a webhook.
function cpuConf(spec: IJobSpec): { [key: string]: string } {
  const conf: { [key: string]: string } = {};
  if (spec.driver.coreRequest) {
    conf['spark.kubernetes.driver.request.cores'] = spec.driver.coreRequest;
  }
  if (spec.driver.coreLimit) {
    conf['spark.kubernetes.driver.limit.cores'] = spec.driver.coreLimit;
  }
  if (spec.executor.coreRequest) {
    conf['spark.kubernetes.executor.request.cores'] = spec.executor.coreRequest;
  }
  if (spec.executor.coreLimit) {
    conf['spark.kubernetes.executor.limit.cores'] = spec.executor.coreLimit;
  }
  return conf;
}

function podTemplate(
  spec: IJobSpec,
  role: 'driver' | 'executor'
): { [key: string]: JsonValue } {
  const container: { [key: string]: JsonValue } = {
    name: role === 'driver' ? DRIVER_CONTAINER : EXECUTOR_CONTAINER
  };
  const env = (role === 'driver' ? (spec.env ?? []) : [])
    .map(plainEnvVar)
    .concat(
      spec.secretEnv
        .filter(ref => role === 'driver' || ref.executors === true)
        .map(secretEnvVar)
    );
  if (env.length) {
    container.env = env;
  }
  if (role === 'driver') {
    // A failed driver's last log lines become the pod's termination message.
    container.terminationMessagePolicy = 'FallbackToLogsOnError';
  }
  container.volumeMounts = [
    { name: JOB_VOLUME, mountPath: JOB_MOUNT_PATH, readOnly: true }
  ];
  const podSpec: { [key: string]: JsonValue } = {
    containers: [container],
    volumes: [{ name: JOB_VOLUME, configMap: { name: spec.configMapName } }]
  };
  if (spec.nodeSelector && Object.keys(spec.nodeSelector).length) {
    podSpec.nodeSelector = sortedRecord(spec.nodeSelector);
  }
  if (spec.tolerations && spec.tolerations.length) {
    podSpec.tolerations = spec.tolerations.map(t => {
      const out: { [key: string]: JsonValue } = {};
      if (t.key !== undefined) {
        out.key = t.key;
      }
      if (t.operator !== undefined) {
        out.operator = t.operator;
      }
      if (t.value !== undefined) {
        out.value = t.value;
      }
      if (t.effect !== undefined) {
        out.effect = t.effect;
      }
      if (t.tolerationSeconds !== undefined) {
        out.tolerationSeconds = t.tolerationSeconds;
      }
      return out;
    });
  }
  return {
    metadata: { labels: jobLabels(spec.name, spec.source, spec.labels) },
    spec: podSpec
  };
}

function plainEnvVar(v: IEnvVar): { [key: string]: JsonValue } {
  if (v.fieldPath !== undefined) {
    return {
      name: v.name,
      valueFrom: { fieldRef: { fieldPath: v.fieldPath } }
    };
  }
  return { name: v.name, value: v.value ?? '' };
}

function secretEnvVar(ref: ISecretEnv): { [key: string]: JsonValue } {
  return {
    name: ref.env,
    valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } }
  };
}

function localPath(file: string): string {
  return `local://${JOB_MOUNT_PATH}/${file}`;
}

function memory(value: string): string {
  const result = toSparkMemory(value);
  return 'value' in result ? result.value : value;
}
