/**
 * Session profiles: what a user picks in the Spark panel, validated here and
 * only here (in plain words), before anything starts.
 */
import contract from '../kernel/contract.json';
import { databricksConfWarnings } from './migration';
import { validateStorage } from './storage';

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
  /** Object store and table formats (S3A, Delta, Iceberg). */
  storage?: IStoragePresets;
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
  /** Object store and table formats (S3A, Delta, Iceberg). */
  storage?: IStoragePresets;
  /** Extra Spark conf. */
  conf?: Record<string, string>;
}

/**
 * A profile whose driver runs in the kernel and whose executors run on a
 * standalone Spark cluster (`spark://`).
 */
export interface IStandaloneProfile {
  name: string;
  kind: 'standalone';
  /** `spark://host:7077`, or `spark://h1:7077,h2:7077` for masters in HA. */
  master: string;
  /** http(s) URL of the master's web UI, linked from the panel. */
  masterUi?: string;
  /** Address the workers reach the driver at; default: this pod's IP when known. */
  driverHost?: string;
  /** Cores per executor. */
  executorCores?: number;
  /** Heap per executor (Spark size). */
  executorMemory?: string;
  /** Most cores the application takes on the cluster (`spark.cores.max`). */
  totalCores?: number;
  /** Driver (kernel JVM) memory. Default 1g. */
  driverMemory?: string;
  /** Object store and table formats (S3A, Delta, Iceberg). */
  storage?: IStoragePresets;
  /** Extra Spark conf. */
  conf?: Record<string, string>;
}

/** Where the kernel reads a Spark Connect bearer token: a reference, never a value. */
export type ConnectTokenRef =
  { secret: string; key: string } | { file: string } | { env: string };

/** A profile whose kernel is a client of a running Spark Connect server. */
export interface IConnectProfile {
  name: string;
  kind: 'connect';
  /** `sc://host:port` (port default 15002), without token or parameters. */
  remote: string;
  /** Use TLS to the server. */
  tls?: boolean;
  /** Bearer token: a Secret key, a file or an environment variable of the kernel. */
  token?: ConnectTokenRef;
  /** The server's Spark UI, when it exposes one. */
  uiUrl?: string;
  /** Session (runtime) Spark conf only. */
  conf?: Record<string, string>;
}

/** A profile that creates a kubeflow `SparkConnect` server for the user and connects to it. */
export interface ISparkConnectProfile {
  name: string;
  kind: 'sparkconnect';
  /** Server and executor image. */
  image: string;
  /** Spark version of the image; default: from its tag (`imageSparkVersion`). */
  sparkVersion?: string;
  /** Cores of the server (driver). */
  serverCores?: number;
  /** Memory of the server (driver), Spark size. */
  serverMemory?: string;
  /** Executor count. */
  executorInstances?: number;
  /** Cores per executor. */
  executorCores?: number;
  /** Heap per executor (Spark size). */
  executorMemory?: string;
  /** Minutes without activity before the service deletes the server; default 60, 0 = never. */
  idleMinutes?: number;
  /** Node labels server and executors must match. */
  nodeSelector?: Record<string, string>;
  /** Tolerations of server and executor pods. */
  tolerations?: IKubernetesProfile['tolerations'];
  /** Object store and table formats (S3A, Delta, Iceberg). */
  storage?: IStoragePresets;
  /** Extra Spark conf. */
  conf?: Record<string, string>;
}

/** Object store and table-format presets a profile can add. */
export interface IStoragePresets {
  /** Where the jars come from: resolved from Maven (default) or already in the image. */
  jars?: 'maven' | 'image';
  /** An S3-compatible object store, read through Hadoop's S3A. */
  s3?: {
    /** Endpoint URL, e.g. `http://minio:9000`. */
    endpoint: string;
    region?: string;
    /** Path-style access (default true). */
    pathStyle?: boolean;
    bucket?: string;
    /** Kubernetes Secret holding the credentials. */
    credentialsSecret?: string;
    /** Key of the access key id in that Secret (default AWS_ACCESS_KEY_ID). */
    accessKeyKey?: string;
    /** Key of the secret key in that Secret (default AWS_SECRET_ACCESS_KEY). */
    secretKeyKey?: string;
    /** Where `dbfs:/` points, e.g. `s3a://bucket/dbfs`. */
    dbfsRoot?: string;
  };
  /** Delta Lake's SQL extension and catalog. */
  delta?: boolean;
  /** Iceberg's runtime and a catalog. */
  iceberg?: {
    /** Catalog name (default `lakehouse`). */
    catalog?: string;
    type: 'hadoop' | 'jdbc' | 'rest';
    warehouse?: string;
    uri?: string;
  };
}

/** Any session profile. */
export type SessionProfile =
  | ILocalProfile
  | IKubernetesProfile
  | IStandaloneProfile
  | IConnectProfile
  | ISparkConnectProfile;

/** Every profile kind. */
export const PROFILE_KINDS: readonly SessionProfile['kind'][] = [
  'local',
  'kubernetes',
  'standalone',
  'connect',
  'sparkconnect'
];

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
/** A host name, an IPv4 address or a bracketed IPv6 address. */
const HOST =
  /^([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SIZE_HINT = 'use a number with k, m, g or t, e.g. 2g';

/**
 * Problems with a profile, in plain words; empty when it can be used.
 * `kernelSparkVersion` (when known) is the Spark the storage presets' jars
 * must run on in the kernel's JVM.
 */
export function validateProfile(
  profile: SessionProfile,
  kernelSparkVersion?: string
): string[] {
  const errors: string[] = [];
  if (!profile || typeof profile !== 'object') {
    return ['The profile is not an object with a name and a kind.'];
  }
  if (typeof profile.name !== 'string' || !profile.name.trim()) {
    errors.push('The profile has no name.');
  }
  const label =
    (typeof profile.name === 'string' && profile.name) || '(unnamed)';
  switch (profile.kind) {
    case 'local':
      if (profile.master !== undefined && !LOCAL_MASTER.test(profile.master)) {
        errors.push(
          `Profile "${label}": master "${profile.master}" is not a local master; use local[*] or local[N], or a standalone profile for spark:// masters.`
        );
      }
      errors.push(
        ...validateSizes(label, [['driver memory', profile.driverMemory]])
      );
      errors.push(
        ...validateStorage(profile.storage, label, kernelSparkVersion)
      );
      break;
    case 'kubernetes':
      errors.push(...validateKubernetes(profile, label));
      errors.push(
        ...validateSizes(label, [['driver memory', profile.driverMemory]])
      );
      errors.push(
        ...validateStorage(profile.storage, label, kernelSparkVersion)
      );
      break;
    case 'standalone':
      errors.push(...validateStandalone(profile, label));
      errors.push(
        ...validateStorage(profile.storage, label, kernelSparkVersion)
      );
      break;
    case 'connect':
      errors.push(...validateConnect(profile, label));
      break;
    case 'sparkconnect':
      errors.push(...validateSparkConnect(profile, label));
      errors.push(
        ...validateStorage(
          profile.storage,
          label,
          profile.sparkVersion ??
            imageSparkVersion(profile.image ?? '') ??
            undefined
        )
      );
      break;
    default:
      errors.push(
        `Profile "${label}": kind "${String((profile as { kind?: unknown }).kind)}" is unknown; use one of ${PROFILE_KINDS.join(', ')}.`
      );
      return errors;
  }
  errors.push(...validateConf(profile.conf, label));
  return errors;
}

/** Each master of a `spark://` URL (`spark://h1:7077,h2:7077`), or a reason it is not one. */
export function standaloneMasters(
  master: string
): { hosts: Array<{ host: string; port: number }> } | { error: string } {
  const hint =
    'use spark://host:7077, or spark://host1:7077,host2:7077 for masters in HA';
  if (typeof master !== 'string' || !master.startsWith('spark://')) {
    return { error: `it does not start with spark://; ${hint}` };
  }
  const rest = master.slice('spark://'.length);
  if (!rest) {
    return { error: `it names no host; ${hint}` };
  }
  const hosts: Array<{ host: string; port: number }> = [];
  for (const part of rest.split(',')) {
    const hp = hostPort(part);
    if ('error' in hp) {
      return { error: `"${part}" ${hp.error}; ${hint}` };
    }
    if (hp.port === null) {
      return { error: `"${part}" has no port; ${hint}` };
    }
    hosts.push({ host: hp.host, port: hp.port });
  }
  return { hosts };
}

/** `host:port` (port optional) split and checked. */
function hostPort(
  text: string
): { host: string; port: number | null } | { error: string } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::([^:]*))?$/.exec(text);
  if (!m || !m[1]) {
    return { error: 'is not host:port' };
  }
  const host = m[1];
  if (!HOST.test(host)) {
    return { error: `has an invalid host "${host}"` };
  }
  if (m[2] === undefined) {
    return { host, port: null };
  }
  const port = /^[0-9]{1,5}$/.test(m[2]) ? Number(m[2]) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    return { error: `has an invalid port "${m[2]}" (1-65535)` };
  }
  return { host, port };
}

/**
 * The host and port of a Spark Connect URL (`sc://host:port`, port default
 * 15002), or a reason it is not one. Tokens and other parameters
 * (`;token=…`) are refused: a token in a setting the browser sees leaks.
 */
export function connectRemote(
  remote: string
): { host: string; port: number } | { error: string } {
  const hint = 'use sc://host:15002';
  if (typeof remote !== 'string' || !remote.startsWith('sc://')) {
    return { error: `it does not start with sc://; ${hint}` };
  }
  let rest = remote.slice('sc://'.length);
  if (rest.includes(';')) {
    return {
      error:
        'it has parameters (;…): put no token or option in the URL; set the token as a reference (a Secret key, a file or an environment variable) and TLS with "tls"'
    };
  }
  if (rest.endsWith('/')) {
    rest = rest.slice(0, -1);
  }
  if (/[/?#@]/.test(rest)) {
    return { error: `it has a path, query or user; ${hint}` };
  }
  const hp = hostPort(rest);
  if ('error' in hp) {
    return { error: `"${rest}" ${hp.error}; ${hint}` };
  }
  return { host: hp.host, port: hp.port ?? CONNECT_PORT };
}

/** The Spark Connect port when a `sc://` URL names none. */
export const CONNECT_PORT: number = contract.connect.port;

function validateUrl(
  label: string,
  what: string,
  value: string | undefined
): string[] {
  if (value === undefined) {
    return [];
  }
  const m =
    typeof value === 'string'
      ? /^https?:\/\/([^\s/?#@]+)([/?#][^\s]*)?$/.exec(value)
      : null;
  const hp = m ? hostPort(m[1]) : null;
  const ok = !!hp && !('error' in hp);
  return ok
    ? []
    : [
        `Profile "${label}": ${what} "${value}" is not an http(s) URL, e.g. http://spark-master:8080.`
      ];
}

function validateSizes(
  label: string,
  sizes: Array<[string, string | undefined]>
): string[] {
  const errors: string[] = [];
  for (const [what, value] of sizes) {
    if (
      value !== undefined &&
      (typeof value !== 'string' || !SPARK_SIZE.test(value))
    ) {
      errors.push(
        `Profile "${label}": ${what} "${String(value)}" is not a size; ${SIZE_HINT}.`
      );
    }
  }
  return errors;
}

function validateCounts(
  label: string,
  counts: Array<[string, number | undefined, number]>
): string[] {
  const errors: string[] = [];
  for (const [what, value, min] of counts) {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) {
      errors.push(
        `Profile "${label}": ${what} must be a whole number of at least ${min}.`
      );
    }
  }
  return errors;
}

function validateNodeSelector(
  label: string,
  selector: Record<string, string> | undefined
): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(selector ?? {})) {
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(key)) {
      errors.push(
        `Profile "${label}": node selector key "${key}" is not a valid label key.`
      );
    }
  }
  return errors;
}

function validateStandalone(
  profile: IStandaloneProfile,
  label: string
): string[] {
  const errors: string[] = [];
  const masters = standaloneMasters(profile.master);
  if ('error' in masters) {
    errors.push(
      `Profile "${label}": master "${String(profile.master ?? '')}" is not a standalone master: ${masters.error}.`
    );
  }
  errors.push(...validateUrl(label, 'master UI', profile.masterUi));
  if (
    profile.driverHost !== undefined &&
    (typeof profile.driverHost !== 'string' || !HOST.test(profile.driverHost))
  ) {
    errors.push(
      `Profile "${label}": driver host "${String(profile.driverHost)}" is not a host name or IP address the workers can reach.`
    );
  }
  errors.push(
    ...validateSizes(label, [
      ['driver memory', profile.driverMemory],
      ['executor memory', profile.executorMemory]
    ])
  );
  errors.push(
    ...validateCounts(label, [
      ['executor cores', profile.executorCores, 1],
      ['total cores', profile.totalCores, 1]
    ])
  );
  if (
    Number.isInteger(profile.executorCores) &&
    Number.isInteger(profile.totalCores) &&
    profile.executorCores! > profile.totalCores!
  ) {
    errors.push(
      `Profile "${label}": executor cores (${profile.executorCores}) exceed the total cores (${profile.totalCores}): no executor could start.`
    );
  }
  return errors;
}

function validateConnect(profile: IConnectProfile, label: string): string[] {
  const errors: string[] = [];
  const remote = connectRemote(profile.remote);
  if ('error' in remote) {
    errors.push(
      `Profile "${label}": remote "${String(profile.remote ?? '')}" is not a Spark Connect URL: ${remote.error}.`
    );
  }
  if (profile.tls !== undefined && typeof profile.tls !== 'boolean') {
    errors.push(`Profile "${label}": tls must be true or false.`);
  }
  errors.push(...validateToken(profile.token, label));
  errors.push(...validateUrl(label, 'Spark UI URL', profile.uiUrl));
  const storage = (profile as { storage?: unknown }).storage;
  if (storage !== undefined) {
    errors.push(
      `Profile "${label}": storage presets are set on the Spark Connect server, not by a connect profile; remove "storage".`
    );
  }
  return errors;
}

function validateToken(token: unknown, label: string): string[] {
  if (token === undefined) {
    return [];
  }
  const hint =
    'give exactly one of {"secret": name, "key": key}, {"file": path} or {"env": VARIABLE}';
  if (!token || typeof token !== 'object' || Array.isArray(token)) {
    return [`Profile "${label}": token must be a reference: ${hint}.`];
  }
  const t = token as Record<string, unknown>;
  const kinds = ['secret', 'file', 'env'].filter(k => t[k] !== undefined);
  const extra = Object.keys(t).filter(
    k => !['secret', 'key', 'file', 'env'].includes(k)
  );
  if (kinds.length !== 1 || extra.length) {
    return [
      `Profile "${label}": token ${extra.length ? `has unknown fields (${extra.join(', ')})` : kinds.length ? `names ${kinds.join(' and ')}` : 'names no source'}: ${hint}.`
    ];
  }
  const errors: string[] = [];
  if (kinds[0] === 'secret') {
    if (
      typeof t.secret !== 'string' ||
      !DNS_SUBDOMAIN.test(t.secret) ||
      t.secret.length > 253
    ) {
      errors.push(
        `Profile "${label}": token Secret "${String(t.secret)}" is not a Secret name (lower-case letters, digits, "-" and ".").`
      );
    }
    if (typeof t.key !== 'string' || !SECRET_KEY.test(t.key)) {
      errors.push(
        `Profile "${label}": token Secret key "${String(t.key ?? '')}" is not a Secret key (letters, digits, "-", "_" and "."); name the key that holds the token.`
      );
    }
  } else if (t.key !== undefined) {
    errors.push(
      `Profile "${label}": token "key" goes with "secret" only: ${hint}.`
    );
  } else if (kinds[0] === 'file') {
    if (
      typeof t.file !== 'string' ||
      !/^(\/|[A-Za-z]:[\\/])/.test(t.file) ||
      /[\0\n\r]/.test(t.file)
    ) {
      errors.push(
        `Profile "${label}": token file "${String(t.file)}" is not an absolute path, e.g. /var/run/secrets/connect/token.`
      );
    }
  } else if (typeof t.env !== 'string' || !ENV_NAME.test(t.env)) {
    errors.push(
      `Profile "${label}": token variable "${String(t.env)}" is not an environment variable name, e.g. SPARK_CONNECT_TOKEN.`
    );
  }
  return errors;
}

function validateSparkConnect(
  profile: ISparkConnectProfile,
  label: string
): string[] {
  const errors: string[] = [];
  if (typeof profile.image !== 'string' || !/^[^\s]+$/.test(profile.image)) {
    errors.push(
      `Profile "${label}": an image is required for the server and executors (e.g. apache/spark:4.0.1-python3).`
    );
  } else if (
    profile.sparkVersion === undefined &&
    !imageSparkVersion(profile.image)
  ) {
    errors.push(
      `Profile "${label}": the Spark version of image ${profile.image} is unknown (no version in its tag); set sparkVersion, e.g. 4.0.1.`
    );
  }
  if (
    profile.sparkVersion !== undefined &&
    (typeof profile.sparkVersion !== 'string' ||
      !/^\d+\.\d+\.\d+$/.test(profile.sparkVersion))
  ) {
    errors.push(
      `Profile "${label}": Spark version "${String(profile.sparkVersion)}" is not a version like 4.0.1.`
    );
  }
  errors.push(
    ...validateSizes(label, [
      ['server memory', profile.serverMemory],
      ['executor memory', profile.executorMemory]
    ])
  );
  errors.push(
    ...validateCounts(label, [
      ['server cores', profile.serverCores, 1],
      ['executor instances', profile.executorInstances, 1],
      ['executor cores', profile.executorCores, 1]
    ])
  );
  if (
    profile.idleMinutes !== undefined &&
    (!Number.isInteger(profile.idleMinutes) || profile.idleMinutes < 0)
  ) {
    errors.push(
      `Profile "${label}": idle minutes must be a whole number of at least 0 (0: never deleted for being idle).`
    );
  }
  errors.push(...validateNodeSelector(label, profile.nodeSelector));
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
  if (typeof profile.image !== 'string' || !/^[^\s]+$/.test(profile.image)) {
    errors.push(
      `Profile "${label}": an executor image is required (e.g. apache/spark:4.0.1-python3).`
    );
  }
  errors.push(
    ...validateSizes(label, [
      ['executor memory', profile.executorMemory],
      ['executor memory overhead', profile.executorMemoryOverhead]
    ])
  );
  errors.push(
    ...validateCounts(label, [
      ['executor cores', profile.executorCores, 1],
      ['executor instances', profile.executorInstances, 1],
      ['minimum executors', profile.dynamicAllocation?.minExecutors, 0],
      ['maximum executors', profile.dynamicAllocation?.maxExecutors, 1]
    ])
  );
  const dyn = profile.dynamicAllocation;
  if (
    dyn?.enabled &&
    (dyn.minExecutors ?? 0) > (dyn.maxExecutors ?? Infinity)
  ) {
    errors.push(`Profile "${label}": minimum executors exceed the maximum.`);
  }
  errors.push(...validateNodeSelector(label, profile.nodeSelector));
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

/** The fields each kind reads (the settings schema has one profile shape for all). */
const KIND_FIELDS: Readonly<Record<SessionProfile['kind'], readonly string[]>> =
  {
    local: ['master', 'driverMemory', 'storage', 'conf'],
    kubernetes: [
      'image',
      'executorInstances',
      'dynamicAllocation',
      'executorCores',
      'executorMemory',
      'executorMemoryOverhead',
      'driverMemory',
      'nodeSelector',
      'tolerations',
      'storage',
      'conf'
    ],
    standalone: [
      'master',
      'masterUi',
      'driverHost',
      'executorCores',
      'executorMemory',
      'totalCores',
      'driverMemory',
      'storage',
      'conf'
    ],
    connect: ['remote', 'tls', 'token', 'uiUrl', 'conf'],
    sparkconnect: [
      'image',
      'sparkVersion',
      'serverCores',
      'serverMemory',
      'executorInstances',
      'executorCores',
      'executorMemory',
      'idleMinutes',
      'nodeSelector',
      'tolerations',
      'storage',
      'conf'
    ]
  };

/** Conf a Spark Connect client cannot set: the server fixed it when it started. */
const LAUNCH_CONF =
  /^spark\.(master|app\.name|submit\.|driver\.|executor\.|jars|kubernetes\.|sql\.extensions$|sql\.catalogImplementation$|hadoop\.|cores\.max$|dynamicAllocation\.)/;

/**
 * What may surprise the user about a valid profile, in plain words (shown by
 * the panel): Databricks-only conf keys with their nearest equivalent, fields
 * its kind does not use, and conf a Connect client cannot set.
 */
export function profileWarnings(profile: SessionProfile): string[] {
  const warnings: string[] = [];
  const fields = KIND_FIELDS[profile.kind];
  if (!fields) {
    return warnings;
  }
  const label = profile.name || '(unnamed)';
  const unused = Object.keys(profile).filter(
    key => key !== 'name' && key !== 'kind' && !fields.includes(key)
  );
  if (unused.length) {
    warnings.push(
      `Profile "${label}": a ${profile.kind} profile does not use ${unused.map(key => `"${key}"`).join(', ')}.`
    );
  }
  // A Connect server has its own jars; the Delta keys are its business.
  const delta =
    profile.kind === 'connect' || !!(profile as ILocalProfile).storage?.delta;
  warnings.push(
    ...databricksConfWarnings(profile.conf, `Profile "${label}": conf`, delta)
  );
  if (profile.kind === 'connect') {
    const fixed = Object.keys(profile.conf ?? {}).filter(key =>
      LAUNCH_CONF.test(key)
    );
    if (fixed.length) {
      warnings.push(
        `Profile "${label}": ${fixed.map(key => `"${key}"`).join(', ')} ${fixed.length === 1 ? 'is' : 'are'} fixed by the Spark Connect server when it starts; a connect profile sets session conf only (spark.sql.* and other runtime settings).`
      );
    }
  }
  if (profile.kind === 'sparkconnect' && profile.idleMinutes === 0) {
    warnings.push(
      `Profile "${label}": idle minutes is 0, so its SparkConnect server keeps running while nothing uses it until the session is stopped or the kernel ends.`
    );
  }
  return warnings;
}
