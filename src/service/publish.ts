/**
 * POST /publish: the publish dialog's objects applied in this pod's namespace
 * with server-side apply (src/kube/apply.ts); the body is checked by
 * ./publish-request.ts.
 */
import type { IncomingMessage } from 'node:http';
import { applyPublication, ApplyResult } from '../kube/apply';
import type { IClusterAccess } from './cluster';
import { ServiceError } from './errors';
import { PublishError, publishRequest, readJsonBody } from './publish-request';

/**
 * Handles POST /publish: the `{ ok: true }` result to answer 200 with, or a
 * ServiceError (a PublishError with the conflicting fields) with its status.
 */
export async function publish(
  req: IncomingMessage,
  access: IClusterAccess,
  env: NodeJS.ProcessEnv = process.env
): Promise<ApplyResult> {
  if (access.unavailable) {
    throw new ServiceError(
      503,
      'NoCluster',
      `No Kubernetes cluster: ${access.unavailable}.`
    );
  }
  const body = await readJsonBody(req);
  const request = publishRequest(
    body,
    access.namespace,
    env.JUPYTERHUB_USER || undefined
  );
  const result = await applyPublication(access.kc, request.objects, {
    force: request.force,
    dryRun: request.dryRun
  });
  if (!result.ok) {
    throw new PublishError(
      result.code,
      result.reason ?? 'PublishFailed',
      result.message,
      result.hint,
      result.conflicts
    );
  }
  return result;
}
