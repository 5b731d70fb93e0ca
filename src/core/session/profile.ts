/**
 * Session profiles and the Spark conf they produce.
 *
 * A profile is what a user picks in the Spark panel; `sessionConf` turns it
 * into the exact key/values the kernel's `start_session` receives.
 */

import {
  DRIVER_POD_LABEL,
  IClusterInfo,
  SESSION_LABEL
} from '../cluster/types';

/** A profile that runs Spark inside the kernel's own JVM. */
export interface ILocalProfile {
  /** Unique name shown in the panel. */
  name: string;
  /** The kind of cluster. */
  kind: 'local';
  /** Spark master, `local[*]` by default. */
  master?: string;
  /** Driver JVM memory (Spark size: `1g`, `512m`). */
  driverMemory?: string;
  /** Extra Spark conf. */
  conf?: Record<string, string>;
}

/** A profile whose executors are pods (Spark's own client-mode k8s backend). */
export interface IKubernetesProfile {
  name: string;
  kind: 'kubernetes';
  /** Executor container image; its Spark and Python should match the kernel's. */
  image: string;
  /** Fixed executor count (ignored with dynamic allocation). Default 2. */
  executorInstances?: number;
  /** Dynamic allocation with shuffle tracking instead of a fixed count. */
  dynamicAllocation?: {
    enabled: boolean;
    minExecutors?: number;
    maxExecutors?: number;
  };
  /** Cores per executor. Default 1. */
  executorCores?: number;
  /** Heap per executor (Spark size). Default 1g. */
  executorMemory?: string;
  /** Non-heap memory per executor (Spark size). */
  executorMemoryOverhead?: string;
  /** Driver (kernel JVM) memory. Default 1g. */
  driverMemory?: string;
  /** Node labels executors must match. */
  nodeSelector?: Record<string, string>;
  /** Tolerations for executor pods (through a pod template). */
  tolerations?: Array<{
    key?: string;
    operator?: string;
    value?: string;
    effect?: string;
  }>;
  /** Extra Spark conf. */
  conf?: Record<string, string>;
}

/** Any session profile. */
export type SessionProfile = ILocalProfile | IKubernetesProfile;

/** The built-in profile used when nothing else is configured. */
export const LOCAL_PROFILE: ILocalProfile = {
  name: 'local',
  kind: 'local',
  master: 'local[*]',
  driverMemory: '1g',
  conf: {}
};

/** Where the session is started from, as the browser knows it. */
export interface ISessionContext {
  /** Spark application name, e.g. the notebook's name. */
  appName: string;
  /** Origin the browser reaches Jupyter at (`http://host:8888`), for UI redirects. */
  uiOrigin?: string;
  /** The cluster, from the service's GET /cluster (kubernetes profiles need it). */
  cluster?: IClusterInfo;
  /** Unique id of this session; labels its executor pods. */
  sessionId?: string;
  /** Databricks secret scopes mapped to Secrets, with their keys (kubernetes). */
  secrets?: ISecretScope[];
}

/** A Databricks secret scope backed by a Kubernetes Secret. */
export interface ISecretScope {
  scope: string;
  secret: string;
  keys: string[];
}

/** The environment variable a job (or an executor) reads a secret from. */
export function secretEnvName(scope: string, key: string): string {
  return (
    'SPARK_K8S_SECRET_' +
    `${scope}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')
  );
}

/** The Secret a scope maps to: the configured one, else the scope name made DNS-1123 safe. */
export function scopeSecretName(
  scope: string,
  mapping: Record<string, string> = {}
): string {
  if (mapping[scope]) {
    return mapping[scope];
  }
  const name = scope
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 253);
  return name || 'secret';
}

/** Ports pinned so a NetworkPolicy can let executors reach the driver. */
export const DRIVER_PORT = 7078;
export const BLOCK_MANAGER_PORT = 7079;
export const UI_PORT = 4040;

const SPARK_SIZE = /^[0-9]+[kmgtp]?b?$/i;
const LOCAL_MASTER = /^local(\[(\*|[1-9][0-9]*)(,[0-9]+)?\])?$/;

/** Problems with a profile, in plain words; empty when it can be used. */
export function validateProfile(profile: SessionProfile): string[] {
  const errors: string[] = [];
  if (!profile.name || !profile.name.trim()) {
    errors.push('The profile has no name.');
  }
  const label = profile.name || '(unnamed)';
  if (profile.kind === 'kubernetes') {
    errors.push(...validateKubernetes(profile, label));
  } else if (profile.kind !== 'local') {
    errors.push(`Profile "${label}": kind must be "local" or "kubernetes".`);
    return errors;
  } else if (
    profile.master !== undefined &&
    !LOCAL_MASTER.test(profile.master)
  ) {
    errors.push(
      `Profile "${label}": master "${profile.master}" is not a local master; use local[*] or local[N].`
    );
  }
  if (
    profile.driverMemory !== undefined &&
    !SPARK_SIZE.test(profile.driverMemory)
  ) {
    errors.push(
      `Profile "${label}": driver memory "${profile.driverMemory}" is not a size; use a number with k, m, g or t, e.g. 2g.`
    );
  }
  errors.push(...validateConf(profile.conf, label));
  return errors;
}

function validateConf(
  conf: Record<string, string> | undefined,
  label: string
): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(conf ?? {})) {
    if (!/^spark\.[A-Za-z0-9_.\-[\]/]+$/.test(key)) {
      errors.push(
        `Profile "${label}": conf key "${key}" is not a Spark property; keys start with "spark." and have no spaces.`
      );
    }
    if (typeof value !== 'string') {
      errors.push(
        `Profile "${label}": the value of "${key}" must be a string.`
      );
    }
  }
  return errors;
}

function validateKubernetes(
  profile: IKubernetesProfile,
  label: string
): string[] {
  const errors: string[] = [];
  if (!profile.image || !/^[^\s]+$/.test(profile.image)) {
    errors.push(
      `Profile "${label}": an executor image is required (e.g. apache/spark:4.0.1-python3).`
    );
  }
  const sizes: Array<[string, string | undefined]> = [
    ['executor memory', profile.executorMemory],
    ['executor memory overhead', profile.executorMemoryOverhead]
  ];
  for (const [what, value] of sizes) {
    if (value !== undefined && !SPARK_SIZE.test(value)) {
      errors.push(
        `Profile "${label}": ${what} "${value}" is not a size; use a number with k, m, g or t, e.g. 2g.`
      );
    }
  }
  const counts: Array<[string, number | undefined, number]> = [
    ['executor cores', profile.executorCores, 1],
    ['executor instances', profile.executorInstances, 1],
    ['minimum executors', profile.dynamicAllocation?.minExecutors, 0],
    ['maximum executors', profile.dynamicAllocation?.maxExecutors, 1]
  ];
  for (const [what, value, min] of counts) {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      errors.push(
        `Profile "${label}": ${what} must be a whole number of at least ${min}.`
      );
    }
  }
  const dyn = profile.dynamicAllocation;
  if (
    dyn?.enabled &&
    (dyn.minExecutors ?? 0) > (dyn.maxExecutors ?? Infinity)
  ) {
    errors.push(`Profile "${label}": minimum executors exceed the maximum.`);
  }
  for (const key of Object.keys(profile.nodeSelector ?? {})) {
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(key)) {
      errors.push(
        `Profile "${label}": node selector key "${key}" is not a valid label key.`
      );
    }
  }
  return errors;
}

/** The Spark conf for a session of `profile`; throws if the profile is invalid. */
export function sessionConf(
  profile: SessionProfile,
  context: ISessionContext
): Record<string, string> {
  const errors = validateProfile(profile);
  if (errors.length) {
    throw new Error(errors.join('\n'));
  }
  if (profile.kind === 'kubernetes') {
    return kubernetesConf(profile, context);
  }
  const conf: Record<string, string> = {
    'spark.master': profile.master ?? 'local[*]',
    'spark.app.name': context.appName || 'jupyterlab-spark-k8s',
    'spark.driver.memory': profile.driverMemory ?? '1g',
    // Job progress and the UI link need the UI; keep it on even if a profile's
    // defaults turned it off.
    'spark.ui.enabled': 'true'
  };
  if (context.uiOrigin) {
    // Spark's own redirects (`/` → `/jobs/`) must land back under the
    // Jupyter-proxied prefix, which Spark learns from X-Forwarded-Context.
    conf['spark.ui.proxyRedirectUri'] = context.uiOrigin;
  }
  return { ...conf, ...(profile.conf ?? {}) };
}

/** Why a kubernetes session cannot start in `cluster`, or null when it can. */
export function clusterProblem(
  cluster: IClusterInfo | undefined
): string | null {
  if (!cluster || !cluster.available) {
    return `No Kubernetes cluster is reachable${cluster?.reason ? ': ' + cluster.reason : ''}. Use a local profile.`;
  }
  if (!cluster.server || !cluster.namespace) {
    return 'The cluster did not report its API server address and namespace.';
  }
  if (!cluster.pod?.ip) {
    return `Executors cannot reach the driver: this pod's IP is unknown (${(cluster.pod?.missing ?? []).join('; ') || 'set POD_IP'}).`;
  }
  const session = cluster.permissions?.session;
  if (session && !session.allowed) {
    return `This service account may not run executors: missing ${session.missing.join(', ')}. Ask an admin to apply deploy/rbac.yaml.`;
  }
  return null;
}

function kubernetesConf(
  profile: IKubernetesProfile,
  context: ISessionContext
): Record<string, string> {
  const cluster = context.cluster;
  const problem = clusterProblem(cluster);
  if (problem || !cluster) {
    throw new Error(problem ?? 'No cluster.');
  }
  const conf: Record<string, string> = {
    'spark.master': `k8s://${cluster.server}`,
    'spark.submit.deployMode': 'client',
    'spark.app.name': context.appName || 'jupyterlab-spark-k8s',
    'spark.kubernetes.namespace': cluster.namespace!,
    'spark.kubernetes.container.image': profile.image,
    'spark.driver.memory': profile.driverMemory ?? '1g',
    'spark.driver.host': cluster.pod!.ip!,
    'spark.driver.bindAddress': '0.0.0.0',
    'spark.driver.port': String(DRIVER_PORT),
    'spark.driver.blockManager.port': String(BLOCK_MANAGER_PORT),
    'spark.ui.enabled': 'true',
    'spark.ui.port': String(UI_PORT),
    'spark.executor.cores': String(profile.executorCores ?? 1),
    'spark.executor.memory': profile.executorMemory ?? '1g'
  };
  if (profile.executorMemoryOverhead) {
    conf['spark.executor.memoryOverhead'] = profile.executorMemoryOverhead;
  }
  if (cluster.pod?.name) {
    // Executors get owner references to the Jupyter pod: they go when it goes.
    conf['spark.kubernetes.driver.pod.name'] = cluster.pod.name;
    conf[`spark.kubernetes.executor.label.${DRIVER_POD_LABEL}`] =
      cluster.pod.name;
  }
  if (context.sessionId) {
    conf[`spark.kubernetes.executor.label.${SESSION_LABEL}`] =
      context.sessionId;
  }
  if (cluster.auth?.tokenFile) {
    conf['spark.kubernetes.authenticate.oauthTokenFile'] =
      cluster.auth.tokenFile;
  }
  if (cluster.auth?.caFile) {
    conf['spark.kubernetes.authenticate.caCertFile'] = cluster.auth.caFile;
  }
  const dyn = profile.dynamicAllocation;
  if (dyn?.enabled) {
    conf['spark.dynamicAllocation.enabled'] = 'true';
    conf['spark.dynamicAllocation.shuffleTracking.enabled'] = 'true';
    conf['spark.dynamicAllocation.minExecutors'] = String(
      dyn.minExecutors ?? 0
    );
    conf['spark.dynamicAllocation.maxExecutors'] = String(
      dyn.maxExecutors ?? 4
    );
  } else {
    conf['spark.executor.instances'] = String(profile.executorInstances ?? 2);
  }
  for (const { scope, secret, keys } of context.secrets ?? []) {
    for (const key of keys) {
      // Executors get references, never values.
      conf[
        `spark.kubernetes.executor.secretKeyRef.${secretEnvName(scope, key)}`
      ] = `${secret}:${key}`;
    }
  }
  for (const [key, value] of Object.entries(profile.nodeSelector ?? {})) {
    conf[`spark.kubernetes.executor.node.selector.${key}`] = value;
  }
  if (context.uiOrigin) {
    conf['spark.ui.proxyRedirectUri'] = context.uiOrigin;
  }
  return { ...conf, ...(profile.conf ?? {}) };
}

/** An executor pod template for what Spark conf cannot express (tolerations), or null. */
export function executorPodTemplate(
  profile: SessionProfile
): Record<string, unknown> | null {
  if (profile.kind !== 'kubernetes' || !profile.tolerations?.length) {
    return null;
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    spec: { tolerations: profile.tolerations.map(t => ({ ...t })) }
  };
}

/** Spark version in an image tag (`apache/spark:4.0.1-python3` → `4.0.1`), or null. */
export function imageSparkVersion(image: string): string | null {
  const tag = image.includes(':')
    ? image.slice(image.lastIndexOf(':') + 1)
    : '';
  const m = /^v?(\d+\.\d+\.\d+)/.exec(tag);
  return m ? m[1] : null;
}

/** A warning when the executor image may not match the kernel's Spark/Python, or null. */
export function imageWarning(
  profile: SessionProfile,
  kernel: { sparkVersion: string; pythonVersion: string }
): string | null {
  if (profile.kind !== 'kubernetes') {
    return null;
  }
  const version = imageSparkVersion(profile.image);
  if (!version) {
    return `The Spark version of image ${profile.image} is unknown (no version in its tag); executors must run Spark ${kernel.sparkVersion} and Python ${kernel.pythonVersion.split('.').slice(0, 2).join('.')} like the kernel.`;
  }
  if (version !== kernel.sparkVersion) {
    return `Image ${profile.image} has Spark ${version} but the kernel runs Spark ${kernel.sparkVersion}: use an image with the same version.`;
  }
  const tag = profile.image.slice(profile.image.lastIndexOf(':'));
  const py = /python-?(3\.\d+)|py(3\.\d+)/.exec(tag);
  const kernelPy = kernel.pythonVersion.split('.').slice(0, 2).join('.');
  if (!py) {
    return `The Python version of image ${profile.image} is unknown (its tag names no minor version); executors need Python ${kernelPy} like the kernel.`;
  }
  if ((py[1] ?? py[2]) !== kernelPy) {
    return `Image ${profile.image} has Python ${py[1] ?? py[2]} but the kernel runs Python ${kernelPy}: PySpark needs the same minor version on both.`;
  }
  return null;
}
