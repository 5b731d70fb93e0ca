/**
 * GET /secrets: the Secrets of the namespace by name and data keys, never values,
 * for mapping Databricks secret scopes in the panel.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { IClusterAccess } from './cluster';
import { toServiceError } from './errors';

/** A Secret as the panel sees it. */
export interface ISecretKeys {
  name: string;
  keys: string[];
}

/** Names and keys of the namespace's Secrets (service account tokens left out). */
export async function listSecrets(
  access: IClusterAccess
): Promise<ISecretKeys[]> {
  const { kc, namespace } = access;
  try {
    const list = await kc
      .makeApiClient(CoreV1Api)
      .listNamespacedSecret({ namespace });
    return list.items
      .filter(s => s.type !== 'kubernetes.io/service-account-token')
      .map(s => ({
        name: s.metadata?.name ?? '',
        // Only the keys: values never leave the service.
        keys: Object.keys(s.data ?? {}).sort()
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (e) {
    throw toServiceError(e, { verb: 'list', resource: 'secrets', namespace });
  }
}
