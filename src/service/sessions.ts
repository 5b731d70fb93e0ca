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

/** The label every executor pod Spark creates has. */
export const EXECUTOR_ROLE = 'spark-role=executor';

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
      list: () => core.listNamespacedEvent({ namespace, fieldSelector }),
      // The namespace's events are many; only this pod's executors' are kept, below.
      keep: () => false
    });
    this.events.onChange(change => {
      if (change.type === 'ADDED' || change.type === 'MODIFIED') {
        this._remember(change.object);
      }
    });
    this.pods.onChange(change => {
      if (change.type === 'DELETED') {
        this._events.delete(change.object.metadata?.name ?? '');
      }
    });
  }

  /** At most this many events are kept per pod (the newest). */
  static readonly EVENTS_PER_POD = 20;
  /** At most this many pods have events kept (executors of this pod's sessions). */
  static readonly PODS_WITH_EVENTS = 1000;

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
    const events = [
      ...(this._events.get(pod.metadata?.name ?? '')?.values() ?? [])
    ];
    return podSummary(pod as never, events as never);
  }

  /** How many events are kept, over all pods (bounded). */
  get eventCount(): number {
    let n = 0;
    for (const events of this._events.values()) {
      n += events.size;
    }
    return n;
  }

  /** Keep an event of one of this pod's executors, bounded per pod and overall. */
  private _remember(event: CoreV1Event): void {
    const name = event.involvedObject?.name;
    if (!name) {
      return;
    }
    let events = this._events.get(name);
    if (!events && this._events.size >= ExecutorPods.PODS_WITH_EVENTS) {
      // An event may come before its pod, so events of other pods are kept too,
      // but the oldest of those make room first (executors' events stay).
      const known = new Set(
        [...this.pods.objects.values()].map(p => p.metadata?.name)
      );
      const stranger = [...this._events.keys()].find(n => !known.has(n));
      if (stranger === undefined) {
        return;
      }
      this._events.delete(stranger);
    }
    if (!events) {
      events = new Map();
      this._events.set(name, events);
    }
    const uid = event.metadata?.uid ?? event.metadata?.name ?? '';
    events.delete(uid);
    events.set(uid, event);
    while (events.size > ExecutorPods.EVENTS_PER_POD) {
      events.delete(events.keys().next().value as string);
    }
  }

  private _events = new Map<string, Map<string, CoreV1Event>>();

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
    const { podName } = this._access;
    // Only this pod's executors, even when another pod's session shares the id;
    // never a SparkConnect server of the session (its resource owns it, and
    // deploy/policy.yaml lets this account delete executors only).
    const labelSelector = podName
      ? `${SESSION_LABEL}=${sessionId},${DRIVER_POD_LABEL}=${podName},${EXECUTOR_ROLE}`
      : `${SESSION_LABEL}=${sessionId},${EXECUTOR_ROLE}`;
    return deletePods(this._access, labelSelector);
  }
}

/** Delete the pods `labelSelector` selects in the service's namespace; returns how many. */
export async function deletePods(
  access: IClusterAccess,
  labelSelector: string
): Promise<number> {
  const { kc, namespace } = access;
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
