/**
 * Executor pods of Spark sessions, watched once for this Jupyter pod and fanned
 * out as server-sent events per session; deletion of a session's pods.
 */
import { CoreV1Api, CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { ServerResponse } from 'node:http';
import {
  DRIVER_POD_LABEL,
  IPodSummary,
  podSummary,
  SESSION_LABEL
} from '../core';
import { IClusterAccess } from './cluster';
import { toServiceError } from './errors';
import { ResourceWatcher } from './watch';

/** The shared watches of executor pods and pod events. */
export class ExecutorPods {
  constructor(private _access: IClusterAccess) {
    const { kc, namespace, podName } = _access;
    const core = kc.makeApiClient(CoreV1Api);
    const labelSelector = podName
      ? `${SESSION_LABEL},${DRIVER_POD_LABEL}=${podName}`
      : SESSION_LABEL;
    this.pods = new ResourceWatcher<V1Pod>(kc, {
      path: `/api/v1/namespaces/${namespace}/pods`,
      labelSelector,
      list: () => core.listNamespacedPod({ namespace, labelSelector })
    });
    const fieldSelector = 'involvedObject.kind=Pod';
    this.events = new ResourceWatcher<CoreV1Event>(kc, {
      path: `/api/v1/namespaces/${namespace}/events`,
      fieldSelector,
      list: () => core.listNamespacedEvent({ namespace, fieldSelector })
    });
  }

  readonly pods: ResourceWatcher<V1Pod>;
  readonly events: ResourceWatcher<CoreV1Event>;

  start(): void {
    this.pods.start();
    this.events.start();
  }

  stop(): void {
    this.pods.stop();
    this.events.stop();
  }

  /** The pods of one session. */
  podsOf(sessionId: string): V1Pod[] {
    return [...this.pods.objects.values()].filter(
      p => p.metadata?.labels?.[SESSION_LABEL] === sessionId
    );
  }

  summary(pod: V1Pod): IPodSummary {
    const name = pod.metadata?.name;
    const events = [...this.events.objects.values()].filter(
      e => e.involvedObject?.name === name
    );
    return podSummary(pod as never, events as never);
  }

  /** Stream a session's pods as server-sent events until the client leaves. */
  stream(sessionId: string, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no'
    });
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('snapshot', {
      connected: this.pods.connected,
      pods: this.podsOf(sessionId).map(p => this.summary(p))
    });
    const offPods = this.pods.onChange(change => {
      if (change.type === 'STATUS') {
        send('status', { connected: change.connected, error: change.error });
        return;
      }
      if (change.type === 'SYNCED') {
        return;
      }
      const pod = change.object;
      if (pod.metadata?.labels?.[SESSION_LABEL] !== sessionId) {
        return;
      }
      if (change.type === 'DELETED') {
        send('pod-deleted', { name: pod.metadata?.name });
      } else {
        send('pod', this.summary(pod));
      }
    });
    const offEvents = this.events.onChange(change => {
      if (change.type !== 'ADDED' && change.type !== 'MODIFIED') {
        return;
      }
      const name = change.object.involvedObject?.name;
      const pod = this.podsOf(sessionId).find(p => p.metadata?.name === name);
      if (pod) {
        send('pod', this.summary(pod));
      }
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    res.on('close', () => {
      clearInterval(heartbeat);
      offPods();
      offEvents();
    });
  }

  /** Delete every executor pod of a session; returns how many there were. */
  async deleteSession(sessionId: string): Promise<number> {
    const { kc, namespace } = this._access;
    const labelSelector = `${SESSION_LABEL}=${sessionId}`;
    const core = kc.makeApiClient(CoreV1Api);
    try {
      const pods = await core.listNamespacedPod({ namespace, labelSelector });
      if (pods.items.length) {
        await core.deleteCollectionNamespacedPod({
          namespace,
          labelSelector,
          gracePeriodSeconds: 0
        });
      }
      return pods.items.length;
    } catch (e) {
      throw toServiceError(e, { verb: 'delete', resource: 'pods', namespace });
    }
  }
}
