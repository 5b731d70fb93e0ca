/**
 * The operator's SparkConnect sessions (kubeflow spark-operator ≥ 2.3,
 * `sparkoperator.k8s.io/v1alpha1`): what the panel asks the service for, the
 * status the service streams back, and the manifest it creates.
 */
import contract from '../kernel/contract.json';
import { sha256Hex } from '../manifests/hash';
import {
  ANNOTATIONS,
  LABELS,
  MANAGED_BY,
  sortedRecord
} from '../manifests/labels';
import { toLabelValue, validateLabelValue } from '../manifests/names';
import { AUTHENTICATION_CONF } from '../session/conf';
import {
  imageSparkVersion,
  type ISparkConnectProfile
} from '../session/profile';
import { storageConf } from '../session/storage';
import {
  DRIVER_POD_LABEL,
  KERNEL_PID_ANNOTATION,
  KERNEL_START_ANNOTATION,
  SESSION_LABEL
} from './types';
import type { IPodSummary } from './pods';

/** Where a SparkConnect server is in its life. */
export type SparkConnectState =
  'creating' | 'pending' | 'ready' | 'failed' | 'deleted';

/** What the service streams about one SparkConnect (GET …/events). */
export interface ISparkConnectStatus {
  /** The SparkConnect's name (its server pod is `<name>-server`). */
  name: string;
  namespace: string;
  state: SparkConnectState;
  /**
   * Plain words: why it is pending (the same diagnosis as executor pods), why
   * it failed, or why it was deleted (stopped, idle, its kernel is gone).
   */
  reason: string | null;
  /** `sc://<name>-server.<namespace>.svc:15002`. */
  endpoint: string;
  /** Minutes without activity before the service deletes it; 0 = never. */
  idleMinutes: number;
  /** ISO time it is deleted if nothing runs before; null when never. */
  idleDeadline: string | null;
}

/** The body of POST sparkconnect. */
export interface ISparkConnectRequest {
  profile: ISparkConnectProfile;
  /** The panel's session id (the session label of the CR and its pods). */
  sessionId: string;
  /** The kernel process, so the service deletes the server when it is gone. */
  kernel?: { pid: number; start: string };
}

/** API group/version of the operator's SparkConnect. */
export const SPARK_CONNECT_API = 'sparkoperator.k8s.io/v1alpha1';
/** The Spark Connect gRPC port of the server. */
export const SPARK_CONNECT_PORT: number = contract.connect.port;
/** Annotation: the time of the session's last activity (ISO). */
export const LAST_ACTIVITY_ANNOTATION: string =
  contract.annotations.lastActivity;
/** Annotation: minutes of inactivity before the service deletes it. */
export const IDLE_MINUTES_ANNOTATION: string = contract.annotations.idleMinutes;
/** Default idle minutes when the profile says nothing. */
export const DEFAULT_IDLE_MINUTES = 60;

/** The Connect endpoint of a SparkConnect's server service. */
export function sparkConnectEndpoint(name: string, namespace: string): string {
  return `sc://${name}-server.${namespace}.svc:${SPARK_CONNECT_PORT}`;
}

/** The kind's API coordinates, for the custom-objects API. */
export const SPARK_CONNECT_KIND = {
  group: 'sparkoperator.k8s.io',
  version: 'v1alpha1',
  plural: 'sparkconnects',
  kind: 'SparkConnect'
} as const;

/** Longest name: Spark's executor pod name prefix (the name) may have 47 characters. */
export const SPARK_CONNECT_NAME_MAX_LENGTH = 47;

/** The operator's name of the server container (its template may add to it). */
const SERVER_CONTAINER = 'spark-kubernetes-driver';

/** The account the server (the Spark driver) runs as: it may create executors. */
export const SPARK_CONNECT_SERVER_ACCOUNT = 'spark-driver';

/**
 * The SparkConnect's name for a panel session: `sc-` and the session id in
 * lowercase (a DNS label, at most 47 characters, as Spark's executor pod name
 * prefix must be), with a short hash when the id had to be changed to fit.
 */
export function sparkConnectName(sessionId: string): string {
  const clean = sessionId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const full = `sc-${clean}`;
  if (clean && clean === sessionId && full.length <= 47) {
    return full;
  }
  const hash = sha256Hex(sessionId).slice(0, 8);
  const room = SPARK_CONNECT_NAME_MAX_LENGTH - 'sc-'.length - hash.length - 1;
  const part = clean.slice(0, room).replace(/-+$/, '');
  return part ? `sc-${part}-${hash}` : `sc-${hash}`;
}

/** Where the manifest goes and who it is for (from the service). */
export interface ISparkConnectContext {
  namespace: string;
  /** The JupyterHub user: the owner label and annotation. */
  owner?: string;
  /** This Jupyter pod (the driver-pod label, as executor pods have it). */
  podName?: string | null;
  /** Extra Spark conf (default: the profile's storage presets for pods). */
  storageConf?: Record<string, string>;
  /** The time of creation: the idle clock starts here (default: now). */
  now?: Date;
}

/**
 * Characters the operator cannot pass: it starts the server with
 * `bash -c "start-connect-server.sh --conf k=v …"`, the values unquoted.
 */
const SHELL_UNSAFE = /[^A-Za-z0-9_.,:/=+@%^-]/;

/**
 * Problems with a request's shape and with what the operator cannot pass, in
 * plain words (the profile itself is checked by `validateProfile`).
 */
export function validateSparkConnectRequest(req: unknown): string[] {
  const r = req as Partial<ISparkConnectRequest> | null;
  if (!r || typeof r !== 'object') {
    return [
      'The request body must be {"profile": {...}, "sessionId": "...", "kernel"?: {"pid": N, "start": "..."}}.'
    ];
  }
  const errors: string[] = [];
  if (typeof r.sessionId !== 'string' || !r.sessionId) {
    errors.push('"sessionId" must be the panel session id (a string).');
  } else if (validateLabelValue(r.sessionId)) {
    errors.push(`"sessionId": ${validateLabelValue(r.sessionId)}`);
  }
  const k = r.kernel;
  if (
    k !== undefined &&
    (!k ||
      !Number.isInteger(k.pid) ||
      k.pid <= 0 ||
      typeof k.start !== 'string')
  ) {
    errors.push(
      '"kernel" must be {"pid": <the kernel process id>, "start": "<its start time>"}.'
    );
  }
  const p = r.profile;
  if (!p || typeof p !== 'object' || p.kind !== 'sparkconnect') {
    errors.push('"profile" must be a profile of kind "sparkconnect".');
    return errors;
  }
  const label = p.name || '(unnamed)';
  for (const [key, value] of Object.entries(p.conf ?? {})) {
    if (typeof value !== 'string' || SHELL_UNSAFE.test(`${key}=${value}`)) {
      errors.push(
        `Profile "${label}": conf "${key}" cannot be passed to a SparkConnect server: the operator puts it on a shell command line unquoted, so values may hold only letters, digits and . , : / = + @ % ^ _ -.`
      );
    }
  }
  return errors;
}

/** The idle minutes of a profile (default 60; 0 = never). */
export function idleMinutesOf(profile: ISparkConnectProfile): number {
  return profile.idleMinutes ?? DEFAULT_IDLE_MINUTES;
}

/**
 * The SparkConnect resource for a session: the profile's resources, pod
 * templates (node selector, tolerations) and conf, labelled like the
 * session's executor pods (session, this Jupyter pod, owner), with the kernel
 * and idle-clock annotations the service's reaper reads.
 */
export function sparkConnectManifest(
  req: ISparkConnectRequest,
  ctx: ISparkConnectContext
): Record<string, unknown> {
  const { profile, sessionId } = req;
  const name = sparkConnectName(sessionId);
  const labels: Record<string, string> = { [SESSION_LABEL]: sessionId };
  if (ctx.podName) {
    labels[DRIVER_POD_LABEL] = ctx.podName;
  }
  labels[LABELS.managedBy] = MANAGED_BY;
  const owner = ctx.owner ? toLabelValue(ctx.owner) : '';
  if (owner) {
    labels[LABELS.owner] = owner;
  }
  const annotations: Record<string, string> = {
    [IDLE_MINUTES_ANNOTATION]: String(idleMinutesOf(profile)),
    [LAST_ACTIVITY_ANNOTATION]: (ctx.now ?? new Date()).toISOString()
  };
  if (req.kernel) {
    annotations[KERNEL_PID_ANNOTATION] = String(req.kernel.pid);
    annotations[KERNEL_START_ANNOTATION] = req.kernel.start;
  }
  if (ctx.owner) {
    annotations[ANNOTATIONS.owner] = ctx.owner;
  }
  // The pods carry the session labels too, so the service's watch of this
  // pod's sessions sees the server (why it is Pending) and its executors.
  const podLabels: Record<string, string> = { [SESSION_LABEL]: sessionId };
  if (ctx.podName) {
    podLabels[DRIVER_POD_LABEL] = ctx.podName;
  }
  const placement: Record<string, unknown> = {};
  if (profile.nodeSelector && Object.keys(profile.nodeSelector).length) {
    placement.nodeSelector = { ...profile.nodeSelector };
  }
  if (profile.tolerations?.length) {
    placement.tolerations = profile.tolerations.map(t => ({ ...t }));
  }
  const sparkConf: Record<string, string> = {
    ...AUTHENTICATION_CONF,
    'spark.kubernetes.authenticate.driver.serviceAccountName':
      SPARK_CONNECT_SERVER_ACCOUNT,
    ...(ctx.storageConf ?? storageConf(profile.storage, 'kubernetes')),
    ...(profile.conf ?? {})
  };
  // Keys under spark.jupyter. are for the kernel's runtime: the server has none.
  for (const key of Object.keys(sparkConf)) {
    if (key.startsWith('spark.jupyter.')) {
      delete sparkConf[key];
    }
  }
  const server: Record<string, unknown> = {};
  if (profile.serverCores !== undefined) {
    server.cores = profile.serverCores;
  }
  if (profile.serverMemory !== undefined) {
    server.memory = profile.serverMemory;
  }
  const serverSpec: Record<string, unknown> = {
    serviceAccountName: SPARK_CONNECT_SERVER_ACCOUNT,
    ...placement
  };
  const s3 = profile.storage?.s3;
  if (s3?.credentialsSecret) {
    // The server (the driver) reads the bucket too: the credentials reach its
    // environment from the Secret (executors get them from sparkConf's
    // secretKeyRef), never as values in this resource.
    const ref = (key: string) => ({
      secretKeyRef: { name: s3.credentialsSecret, key }
    });
    const { accessKeyEnv, secretKeyEnv } = contract.storage;
    serverSpec.containers = [
      {
        name: SERVER_CONTAINER,
        env: [
          {
            name: accessKeyEnv,
            valueFrom: ref(s3.accessKeyKey ?? accessKeyEnv)
          },
          {
            name: secretKeyEnv,
            valueFrom: ref(s3.secretKeyKey ?? secretKeyEnv)
          }
        ]
      }
    ];
  }
  server.template = { metadata: { labels: podLabels }, spec: serverSpec };
  const executor: Record<string, unknown> = {};
  if (profile.executorInstances !== undefined) {
    executor.instances = profile.executorInstances;
  }
  if (profile.executorCores !== undefined) {
    executor.cores = profile.executorCores;
  }
  if (profile.executorMemory !== undefined) {
    executor.memory = profile.executorMemory;
  }
  executor.template = {
    metadata: { labels: { ...podLabels } },
    spec: { ...placement }
  };
  return {
    apiVersion: SPARK_CONNECT_API,
    kind: SPARK_CONNECT_KIND.kind,
    metadata: {
      name,
      namespace: ctx.namespace,
      labels: sortedRecord(labels),
      annotations: sortedRecord(annotations)
    },
    spec: {
      sparkVersion:
        profile.sparkVersion ?? imageSparkVersion(profile.image) ?? '',
      image: profile.image,
      sparkConf: sortedRecord(sparkConf),
      server,
      executor
    }
  };
}

/** The parts of a SparkConnect resource the status reads. */
export interface ISparkConnectLike {
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    deletionTimestamp?: string | Date;
  };
  status?: {
    state?: string;
    conditions?: Array<{
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
    }>;
    server?: { podName?: string; podIp?: string; serviceName?: string };
  };
}

/** The idle minutes and the time it is deleted if nothing runs before (null: never). */
export function idleDeadline(
  annotations: Record<string, string> | undefined,
  unitMs = 60_000
): { idleMinutes: number; deadline: Date | null } {
  const raw = annotations?.[IDLE_MINUTES_ANNOTATION];
  const minutes = raw === undefined ? 0 : Number(raw);
  const idleMinutes = Number.isFinite(minutes) && minutes > 0 ? minutes : 0;
  const last = Date.parse(annotations?.[LAST_ACTIVITY_ANNOTATION] ?? '');
  if (!idleMinutes || !Number.isFinite(last)) {
    return { idleMinutes, deadline: null };
  }
  return { idleMinutes, deadline: new Date(last + idleMinutes * unitMs) };
}

/**
 * The status the panel shows, from the resource (the operator's status) and a
 * summary of its server pod (null while there is none): `ready` once the
 * operator says so, `pending` with the pod's why-Pending words while the pod
 * is not ready, `failed` when the server ended or the operator says Failed.
 */
export function sparkConnectStatus(
  cr: ISparkConnectLike,
  server: IPodSummary | null,
  unitMs = 60_000
): ISparkConnectStatus {
  const name = cr.metadata?.name ?? '';
  const namespace = cr.metadata?.namespace ?? '';
  const { idleMinutes, deadline } = idleDeadline(
    cr.metadata?.annotations,
    unitMs
  );
  const status: ISparkConnectStatus = {
    name,
    namespace,
    state: 'creating',
    reason: null,
    endpoint: sparkConnectEndpoint(name, namespace),
    idleMinutes,
    idleDeadline: deadline ? deadline.toISOString() : null
  };
  const opState = cr.status?.state ?? '';
  const condition = (cr.status?.conditions ?? []).find(
    c => c.type === 'ServerPodReady'
  );
  if (opState === 'Failed') {
    status.state = 'failed';
    status.reason = condition?.message || 'the Spark operator reports Failed';
  } else if (
    server &&
    (server.phase === 'Failed' || server.phase === 'Succeeded')
  ) {
    status.state = 'failed';
    status.reason = `the Spark Connect server ended: ${server.reason ?? server.phase}`;
  } else if (opState === 'Ready' && (!server || server.ready)) {
    status.state = 'ready';
  } else if (server) {
    status.state = 'pending';
    status.reason = server.reason ?? 'the Spark Connect server is starting';
  } else {
    status.reason = 'waiting for the Spark operator to create the server pod';
  }
  if (cr.metadata?.deletionTimestamp && status.state !== 'failed') {
    status.state = 'pending';
    status.reason = 'it is being deleted';
  }
  return status;
}
