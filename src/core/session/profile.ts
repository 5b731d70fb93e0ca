/**
 * Session profiles: what a user picks in the Spark panel, validated here and
 * only here (in plain words), before anything starts.
 */

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
