/**
 * GET /secrets: the Secrets this account may read, by name and data keys, never
 * values, for mapping Databricks secret scopes in the panel.
 *
 * The shipped Role (deploy/rbac.yaml) grants `get` on the mapped Secrets by
 * name only (`list` cannot be limited by name), so the names come from a
 * SelfSubjectRulesReview and each Secret is read by name.
 */
import {
  AuthorizationV1Api,
  CoreV1Api,
  V1Secret
} from '@kubernetes/client-node';
import { IResourceRule } from '../core';
import { IClusterAccess } from './cluster';
import { toServiceError } from './errors';

/** A Secret as the panel sees it. */
export interface ISecretKeys {
  name: string;
  keys: string[];
}

/** What `rules` let this account read: every Secret (`list`) or these names. */
export function readableSecrets(rules: readonly IResourceRule[]): {
  all: boolean;
  names: string[];
} {
  const core = (r: IResourceRule) =>
    (r.apiGroups ?? []).some(g => g === '' || g === '*') &&
    (r.resources ?? []).some(x => x === 'secrets' || x === '*');
  const grants = (r: IResourceRule, verb: string) =>
    r.verbs.includes(verb) || r.verbs.includes('*');
  const all = rules.some(
    r => core(r) && grants(r, 'list') && !r.resourceNames?.length
  );
  const names = new Set<string>();
  for (const r of rules) {
    if (core(r) && grants(r, 'get')) {
      for (const name of r.resourceNames ?? []) {
        names.add(name);
      }
    }
  }
  return { all, names: [...names].sort() };
}

function keysOf(s: V1Secret): ISecretKeys {
  return {
    name: s.metadata?.name ?? '',
    // Only the keys: values never leave the service.
    keys: Object.keys(s.data ?? {}).sort()
  };
}

/** Names and keys of the Secrets this account may read (service account tokens left out). */
export async function listSecrets(
  access: IClusterAccess
): Promise<ISecretKeys[]> {
  const { kc, namespace } = access;
  const api = kc.makeApiClient(CoreV1Api);
  let readable: { all: boolean; names: string[] };
  try {
    const review = await kc
      .makeApiClient(AuthorizationV1Api)
      .createSelfSubjectRulesReview({ body: { spec: { namespace } } });
    readable = readableSecrets(
      (review.status?.resourceRules ?? []) as IResourceRule[]
    );
  } catch (e) {
    throw toServiceError(e, {
      verb: 'create',
      resource: 'selfsubjectrulesreviews.authorization.k8s.io'
    });
  }
  if (readable.all) {
    try {
      const list = await api.listNamespacedSecret({ namespace });
      return list.items
        .filter(s => s.type !== 'kubernetes.io/service-account-token')
        .map(keysOf)
        .sort((a, b) => a.name.localeCompare(b.name));
    } catch (e) {
      throw toServiceError(e, { verb: 'list', resource: 'secrets', namespace });
    }
  }
  const found: ISecretKeys[] = [];
  for (const name of readable.names) {
    try {
      found.push(keysOf(await api.readNamespacedSecret({ name, namespace })));
    } catch (e) {
      const err = toServiceError(e, {
        verb: 'get',
        resource: 'secrets',
        namespace
      });
      // A mapped Secret not created yet is simply not offered.
      if (err.status !== 404) {
        throw err;
      }
    }
  }
  return found;
}
