/**
 * The Spark conf of a session: a validated profile resolved once, in core, to the
 * exact key/values the kernel's `start_session` receives.
 */
import {
  DRIVER_POD_LABEL,
  IClusterInfo,
  SESSION_LABEL
} from '../cluster/types';
import contract from '../kernel/contract.json';
import { ISecretScope, secretEnvName } from './secrets';
import {
  IConnectProfile,
  ILocalProfile,
  IKubernetesProfile,
  IStandaloneProfile,
  SessionProfile,
  validateProfile
} from './profile';
import { storageConf } from './storage';

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
  /**
   * The SparkConnect server created for a sparkconnect profile (the service's
   * status); without it such a profile has no conf yet.
   */
  server?: { endpoint: string };
  /** The kernel's Spark version, when known: picks the storage presets' Maven packages. */
  sparkVersion?: string;
}

/**
 * The ports executors reach the driver on, fixed so a NetworkPolicy can admit
 * them (deploy/rbac.yaml admits exactly this range). Each session of the pod
 * takes a free pair in the range when it starts, in the kernel: driver port
 * `p`, block manager `p + 1`, so two notebooks in one pod never collide.
 */
export const DRIVER_PORTS: Readonly<{ first: number; last: number }> = {
  first: contract.driverPorts.first,
  last: contract.driverPorts.last
};
/** The conf key that asks the kernel to pick the ports in `DRIVER_PORTS` ("first-last"). */
export const DRIVER_PORTS_CONF: string = contract.driverPorts.conf;
/** The Spark UI's port (a second session's moves on); reached through Jupyter only. */
export const UI_PORT = 4040;
/** The account executors run as: it has no API permissions (deploy/rbac.yaml). */
export const EXECUTOR_SERVICE_ACCOUNT = 'spark-executor';

/**
 * Only the application's own executors may talk to its driver: Spark generates
 * a secret per application and hands it to the executors in their pods (never
 * in this conf), and encrypts the RPC and block transfers with it.
 */
export const AUTHENTICATION_CONF: Readonly<Record<string, string>> = {
  'spark.authenticate': 'true',
  'spark.network.crypto.enabled': 'true',
  'spark.kubernetes.authenticate.executor.serviceAccountName':
    EXECUTOR_SERVICE_ACCOUNT
};

/** The Spark conf for a session of `profile`; throws if the profile is invalid. */
export function sessionConf(
  profile: SessionProfile,
  context: ISessionContext
): Record<string, string> {
  const errors = validateProfile(profile, context.sparkVersion);
  if (errors.length) {
    throw new Error(errors.join('\n'));
  }
  switch (profile.kind) {
    case 'kubernetes':
      return kubernetesConf(profile, context);
    case 'standalone':
      return standaloneConf(profile, context);
    case 'connect':
      return connectConf(profile);
    case 'sparkconnect':
      if (!context.server) {
        throw new Error(
          `Profile "${profile.name}": its SparkConnect server must be created first (through the service); then the kernel connects to it.`
        );
      }
      return connectConfForServer(context.server);
  }
  return withPresets(
    driverConf(profile.master ?? 'local[*]', profile, context),
    profile,
    context
  );
}

/** What every session whose driver is the kernel's own JVM sets. */
function driverConf(
  master: string,
  profile: { driverMemory?: string },
  context: ISessionContext
): Record<string, string> {
  const conf: Record<string, string> = {
    'spark.master': master,
    'spark.app.name': context.appName || 'jupyterlab-spark-k8s',
    'spark.driver.memory': profile.driverMemory ?? '1g',
    // Job progress and the UI link need the UI; keep it on even if a profile's
    // defaults turned it off.
    'spark.ui.enabled': 'true',
    // `${env:NAME}` in SQL would show the kernel's environment (secrets).
    'spark.sql.variable.substitute': 'false'
  };
  if (context.uiOrigin) {
    // Spark's own redirects (`/` → `/jobs/`) must land back under the
    // Jupyter-proxied prefix, which Spark learns from X-Forwarded-Context.
    conf['spark.ui.proxyRedirectUri'] = context.uiOrigin;
  }
  return conf;
}

/** `conf` with the profile's storage presets, then its own conf, on top. */
function withPresets(
  conf: Record<string, string>,
  profile: ILocalProfile | IStandaloneProfile,
  context: ISessionContext
): Record<string, string> {
  return {
    ...conf,
    ...storageConf(profile.storage, 'kernel', context.sparkVersion),
    ...(profile.conf ?? {})
  };
}

/**
 * The conf of a kernel connecting to a SparkConnect server the service created
 * (its status's `endpoint`): in-cluster, so no token and no TLS.
 */
export function connectConfForServer(status: {
  endpoint: string;
}): Record<string, string> {
  return { 'spark.remote': status.endpoint };
}

function standaloneConf(
  profile: IStandaloneProfile,
  context: ISessionContext
): Record<string, string> {
  const conf = driverConf(profile.master, profile, context);
  // spark.driver.port and spark.driver.blockManager.port are set by the
  // kernel from this range, so workers reach the driver on known ports.
  conf[DRIVER_PORTS_CONF] = `${DRIVER_PORTS.first}-${DRIVER_PORTS.last}`;
  if (profile.executorCores !== undefined) {
    conf['spark.executor.cores'] = String(profile.executorCores);
  }
  if (profile.executorMemory !== undefined) {
    conf['spark.executor.memory'] = profile.executorMemory;
  }
  if (profile.totalCores !== undefined) {
    conf['spark.cores.max'] = String(profile.totalCores);
  }
  // Workers connect back to the driver: at the address they can reach.
  const host = profile.driverHost || context.cluster?.pod?.ip || null;
  if (host) {
    conf['spark.driver.host'] = host;
    conf['spark.driver.bindAddress'] = '0.0.0.0';
  }
  if (profile.masterUi) {
    conf[contract.standalone.masterUi] = profile.masterUi;
  }
  return withPresets(conf, profile, context);
}

function connectConf(profile: IConnectProfile): Record<string, string> {
  // No spark.app.name: a Connect client cannot set it.
  const conf: Record<string, string> = { 'spark.remote': profile.remote };
  if (profile.tls) {
    conf[contract.connect.tls] = 'true';
  }
  const token = profile.token;
  if (token && 'secret' in token) {
    conf[contract.connect.tokenSecret] = `${token.secret}:${token.key}`;
  } else if (token && 'file' in token) {
    conf[contract.connect.tokenFile] = token.file;
  } else if (token && 'env' in token) {
    conf[contract.connect.tokenEnv] = token.env;
  }
  if (profile.uiUrl) {
    conf[contract.connect.uiUrl] = profile.uiUrl;
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
    // spark.driver.port and spark.driver.blockManager.port are set by the
    // kernel from this range, to a pair no other session of the pod holds.
    [DRIVER_PORTS_CONF]: `${DRIVER_PORTS.first}-${DRIVER_PORTS.last}`,
    'spark.ui.enabled': 'true',
    'spark.ui.port': String(UI_PORT),
    'spark.executor.cores': String(profile.executorCores ?? 1),
    'spark.executor.memory': profile.executorMemory ?? '1g',
    'spark.sql.variable.substitute': 'false',
    ...AUTHENTICATION_CONF
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
  return {
    ...conf,
    // The driver is the kernel's JVM (client mode): executors get the
    // credentials as secretKeyRef, the kernel from its Secret reader.
    ...storageConf(profile.storage, 'kernel', context.sparkVersion),
    ...(profile.conf ?? {})
  };
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
