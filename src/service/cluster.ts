/**
 * GET /cluster: where this pod runs, what the API server offers, and what
 * this identity may do.
 */
import {
  ApisApi,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  VersionApi
} from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { featurePermissions, IClusterInfo, IResourceRule } from '../core';
import { loadKubeConfig, SA_DIR } from '../kube/config';
import { toServiceError } from './errors';

/** How the service reaches the cluster, decided once at start-up. */
export interface IClusterAccess {
  kc: KubeConfig;
  inCluster: boolean;
  namespace: string;
  podName: string | null;
  server: string | null;
  auth: { tokenFile?: string; caFile?: string };
  /** Why there is no cluster, when there is none. */
  unavailable?: string;
}

/** Load the in-cluster service account, else KUBECONFIG / ~/.kube/config. */
export function loadAccess(
  env: NodeJS.ProcessEnv = process.env
): IClusterAccess {
  const { kc, inCluster, tokenFile, unavailable } = loadKubeConfig(env);
  if (unavailable) {
    return {
      kc,
      inCluster,
      namespace: 'default',
      podName: null,
      server: null,
      auth: {},
      unavailable
    };
  }
  const cluster = kc.getCurrentCluster();
  let namespace = env.SPARK_K8S_NAMESPACE ?? '';
  if (!namespace && inCluster && existsSync(`${SA_DIR}/namespace`)) {
    namespace = readFileSync(`${SA_DIR}/namespace`, 'utf8').trim();
  }
  if (!namespace) {
    const context = kc.getContextObject(kc.getCurrentContext());
    namespace = context?.namespace ?? 'default';
  }
  const auth: IClusterAccess['auth'] = inCluster
    ? { tokenFile: `${SA_DIR}/token`, caFile: `${SA_DIR}/ca.crt` }
    : { tokenFile, caFile: cluster?.caFile };
  return {
    kc,
    inCluster,
    namespace,
    podName: env.POD_NAME ?? (inCluster ? (env.HOSTNAME ?? null) : null),
    server: cluster?.server ?? null,
    auth
  };
}

/** Discover the cluster; never throws: problems become fields of the answer. */
export async function discover(
  access: IClusterAccess,
  env: NodeJS.ProcessEnv = process.env
): Promise<IClusterInfo> {
  if (access.unavailable || !access.server) {
    return {
      available: false,
      reason: access.unavailable ?? 'no API server configured'
    };
  }
  const { kc, namespace } = access;
  let version: string;
  try {
    const v = await kc.makeApiClient(VersionApi).getCode();
    version = v.gitVersion;
  } catch (e) {
    const err = toServiceError(e, { verb: 'get', resource: 'version' });
    return {
      available: false,
      reason: `${err.message}${err.hint ? ' ' + err.hint : ''}`
    };
  }
  const [operators, permissions, pod] = await Promise.all([
    operatorsOf(kc),
    permissionsIn(kc, namespace),
    podIdentity(access, env)
  ]);
  return {
    available: true,
    server: access.server,
    inCluster: access.inCluster,
    namespace,
    pod,
    version,
    operators,
    auth: access.auth,
    permissions
  };
}

async function operatorsOf(kc: KubeConfig): Promise<IClusterInfo['operators']> {
  try {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const serves = (name: string, version: string) =>
      groups.groups.some(
        g => g.name === name && g.versions.some(v => v.version === version)
      );
    return {
      kubeflow: serves('sparkoperator.k8s.io', 'v1beta2'),
      apache: serves('spark.apache.org', 'v1')
    };
  } catch {
    return { kubeflow: false, apache: false };
  }
}

async function permissionsIn(kc: KubeConfig, namespace: string) {
  let rules: IResourceRule[] = [];
  try {
    const review = await kc
      .makeApiClient(AuthorizationV1Api)
      .createSelfSubjectRulesReview({
        body: { spec: { namespace } }
      });
    rules = (review.status?.resourceRules ?? []) as IResourceRule[];
  } catch {
    rules = [];
  }
  return featurePermissions(rules);
}

async function podIdentity(access: IClusterAccess, env: NodeJS.ProcessEnv) {
  const missing: string[] = [];
  const name = access.podName;
  let ip = env.POD_IP ?? null;
  if (!name) {
    missing.push(
      'this pod\u2019s name: set POD_NAME (the downward API) or run inside a pod'
    );
  }
  if (!ip && name) {
    try {
      const pod = await access.kc
        .makeApiClient(CoreV1Api)
        .readNamespacedPod({ name, namespace: access.namespace });
      ip = pod.status?.podIP ?? null;
    } catch (e) {
      missing.push(
        `this pod\u2019s IP: ${toServiceError(e, { verb: 'get', resource: 'pods', namespace: access.namespace }).message}`
      );
    }
  }
  if (!ip && !missing.some(m => m.includes('IP'))) {
    missing.push(
      'this pod\u2019s IP: set POD_IP from status.podIP (the downward API)'
    );
  }
  return { name, ip, missing };
}
