/**
 * GET /jobs/applications/{name}/log: the driver pod's log (pods/log), followed
 * while the driver runs and ended when it ends (a kubelet's follow may not
 * end by itself), closed upstream when the browser leaves.
 */
import { CoreV1Api, Log, V1Pod } from '@kubernetes/client-node';
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { DRIVER_CONTAINER, LABELS, summarizeApplication } from '../core';
import type { IClusterAccess } from './cluster';
import { ServiceError, toServiceError } from './errors';
import type { JobActions } from './jobs-actions';
import type { ILogOptions } from './jobs-request';
import { ResourceWatcher } from './watch';

export { logOptions } from './jobs-request';
export type { ILogOptions } from './jobs-request';

/** How long after the driver ends the stream stays open for its last lines. */
const DRAIN_MS = 1000;

function ended(pod: V1Pod | undefined): boolean {
  const phase = pod?.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * The driver pod of application `obj` (named `name`): from the operator's
 * status, else (the Apache operator does not record it) the newest pod the
 * product labels as the application's driver. 404s in words when there is none.
 */
export async function driverPodOf(
  access: IClusterAccess,
  name: string,
  obj: unknown
): Promise<V1Pod> {
  const { kc, namespace } = access;
  const core = kc.makeApiClient(CoreV1Api);
  const run = summarizeApplication(obj);
  let podName = run.driverPod;
  if (!podName) {
    try {
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: `spark-role=driver,${LABELS.app}=${name}`
      });
      podName = pods.items
        .sort((a, b) =>
          String(b.metadata?.creationTimestamp ?? '').localeCompare(
            String(a.metadata?.creationTimestamp ?? '')
          )
        )
        .find(p => p.metadata?.name)?.metadata?.name;
    } catch (e) {
      throw toServiceError(e, { verb: 'list', resource: 'pods', namespace });
    }
  }
  if (!podName) {
    throw new ServiceError(
      404,
      'NoDriver',
      `The application "${name}" has no driver pod yet (${run.stateText}).`,
      'Its log and Spark UI appear once the operator has started the driver.'
    );
  }
  try {
    return await core.readNamespacedPod({ name: podName, namespace });
  } catch (e) {
    const err = toServiceError(e, {
      verb: 'get',
      resource: 'pods',
      namespace,
      name: podName
    });
    if (err.status === 404) {
      throw new ServiceError(
        404,
        'DriverGone',
        `The driver pod "${podName}" of "${name}" was deleted; open the executed notebook instead.`
      );
    }
    throw err;
  }
}

/** Stream the driver log of application `name` into `res`. */
export async function streamDriverLog(
  access: IClusterAccess,
  actions: JobActions,
  name: string,
  options: ILogOptions,
  res: ServerResponse
): Promise<void> {
  const { kc, namespace } = access;
  const core = kc.makeApiClient(CoreV1Api);
  const { obj } = await actions._findApplication(name);
  const pod = await driverPodOf(access, name, obj);
  const podName = pod.metadata!.name!;
  const follow = options.follow && !ended(pod);
  const body = new PassThrough();
  // client-node pipes the response into `body`; aborting it makes that
  // source emit an error nobody else listens to, which would end the process.
  body.on('pipe', source => source.on('error', () => body.end()));
  let controller: AbortController;
  try {
    controller = await new Log(kc).log(
      namespace,
      podName,
      DRIVER_CONTAINER,
      body,
      { follow, tailLines: options.tailLines }
    );
  } catch (e) {
    throw toServiceError(e, {
      verb: 'get',
      resource: 'pods/log',
      namespace,
      name: podName
    });
  }
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no'
  });
  let watcher: ResourceWatcher<V1Pod> | null = null;
  let drain: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  const finish = () => {
    if (finished) {
      return;
    }
    finished = true;
    clearTimeout(drain);
    watcher?.stop();
    controller.abort();
    body.unpipe(res);
    res.end();
  };
  body.pipe(res, { end: false });
  body.on('end', finish);
  body.on('error', finish);
  res.on('close', finish);
  if (follow) {
    // End when the driver ends: the kubelet's follow need not.
    const fieldSelector = `metadata.name=${podName}`;
    watcher = new ResourceWatcher<V1Pod>(kc, {
      path: `/api/v1/namespaces/${namespace}/pods`,
      fieldSelector,
      list: () => core.listNamespacedPod({ namespace, fieldSelector })
    });
    watcher.onChange(change => {
      if (
        (change.type === 'DELETED' ||
          ended(
            change.type === 'ADDED' || change.type === 'MODIFIED'
              ? change.object
              : undefined
          )) &&
        drain === undefined
      ) {
        drain = setTimeout(finish, DRAIN_MS);
      }
    });
    watcher.start();
  }
}
