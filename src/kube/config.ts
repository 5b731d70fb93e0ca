/**
 * The kubeconfig the service and the CLI use: the pod's service account in a
 * cluster, else KUBECONFIG or ~/.kube/config, with the two client-node gaps
 * closed (the standard `tokenFile` key, and no silent localhost:8080).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { load as loadYaml } from 'js-yaml';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where a pod's service account credentials are mounted. */
export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A loaded kubeconfig, or why there is none. */
export interface ILoadedConfig {
  kc: KubeConfig;
  inCluster: boolean;
  /** The token file the current user authenticates with, if any. */
  tokenFile?: string;
  /** Why there is no cluster to talk to, in plain words. */
  unavailable?: string;
}

/** The kubeconfig files client-node would read, in order. */
function kubeconfigPaths(env: NodeJS.ProcessEnv): string[] {
  return env.KUBECONFIG
    ? env.KUBECONFIG.split(delimiter).filter(Boolean)
    : [join(homedir(), '.kube', 'config')];
}

/** Load the in-cluster service account, else KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(
  env: NodeJS.ProcessEnv = process.env
): ILoadedConfig {
  const kc = new KubeConfig();
  const inCluster =
    !!env.KUBERNETES_SERVICE_HOST && existsSync(`${SA_DIR}/token`);
  if (!inCluster && !kubeconfigPaths(env).some(p => existsSync(p))) {
    // client-node would silently fall back to http://localhost:8080.
    return {
      kc,
      inCluster,
      unavailable:
        'not running in a Kubernetes pod and no kubeconfig was found (set KUBECONFIG)'
    };
  }
  try {
    if (inCluster) {
      kc.loadFromCluster();
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    return {
      kc,
      inCluster: false,
      unavailable: `the kubeconfig could not be read (${(e as Error).message})`
    };
  }
  if (!kc.getCurrentCluster()) {
    return {
      kc,
      inCluster,
      unavailable: 'the kubeconfig names no current cluster'
    };
  }
  const tokenFile = inCluster ? undefined : kubeconfigTokenFile(kc, env);
  if (tokenFile) {
    useTokenFile(kc, tokenFile);
  }
  return { kc, inCluster, tokenFile };
}

/**
 * The standard `tokenFile` of the current kubeconfig user, which client-node
 * does not read (it knows only `token-file`).
 */
function kubeconfigTokenFile(
  kc: KubeConfig,
  env: NodeJS.ProcessEnv
): string | undefined {
  const user = kc.getCurrentUser();
  if (!user || user.token) {
    return undefined;
  }
  for (const path of kubeconfigPaths(env)) {
    try {
      const doc = loadYaml(readFileSync(path, 'utf8')) as {
        users?: Array<{ name?: string; user?: { tokenFile?: string } }>;
      };
      const found = doc?.users?.find(u => u.name === user.name)?.user
        ?.tokenFile;
      if (found) {
        return found;
      }
    } catch {
      // unreadable files were already reported by loadFromDefault
    }
  }
  return undefined;
}

/** Authenticate with a token file, re-read as it rotates (projected tokens do). */
function useTokenFile(kc: KubeConfig, tokenFile: string): void {
  const current = kc.getCurrentUser();
  kc.loadFromOptions({
    clusters: kc.clusters,
    contexts: kc.contexts,
    currentContext: kc.getCurrentContext(),
    users: kc.users.map(u =>
      u.name === current?.name
        ? { ...u, authProvider: { name: 'tokenFile', config: { tokenFile } } }
        : u
    )
  });
}
