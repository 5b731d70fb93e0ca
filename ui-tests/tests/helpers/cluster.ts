/**
 * The admin's view of the real test cluster, to set up and check what exists there.
 */
import { APIRequestContext, request } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An API client with the test cluster's admin token. */
export async function clusterAdmin(): Promise<APIRequestContext> {
  const state = process.env.SPARK_K8S_TEST_STATE;
  if (!state) {
    throw new Error(
      'SPARK_K8S_TEST_STATE is not set: run the tests with scripts/test.sh'
    );
  }
  const info = JSON.parse(readFileSync(join(state, 'cluster.json'), 'utf8'));
  return request.newContext({
    baseURL: info.server,
    ignoreHTTPSErrors: true,
    extraHTTPHeaders: {
      Authorization: `Bearer ${readFileSync(join(state, 'admin.token'), 'utf8')}`
    }
  });
}

/** Create a Secret in the lab namespace (fine if it exists). */
export async function ensureSecret(
  admin: APIRequestContext,
  name: string,
  stringData: Record<string, string>
): Promise<number> {
  const created = await admin.post('/api/v1/namespaces/lab/secrets', {
    data: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData }
  });
  return created.status();
}
