import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { SESSION_LABEL } from '../core';
import { ExecutorPods } from './sessions';

/** Feed a watcher's listeners as the API server would (no requests are made). */
function emit(watcher: unknown, change: unknown): void {
  (watcher as { _emit(c: unknown): void })._emit(change);
}

function event(pod: string, n: number) {
  return {
    metadata: { uid: `${pod}-${n}`, name: `${pod}.${n}` },
    involvedObject: { kind: 'Pod', name: pod },
    reason: 'FailedScheduling',
    message: `event ${n} of ${pod}`,
    lastTimestamp: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    type: 'Warning'
  };
}

describe('the pod-event cache', () => {
  it('is bounded overall and per pod, and keeps the executors’ newest events', () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x'
    });
    const pods = new ExecutorPods({
      kc,
      inCluster: false,
      namespace: 'ns',
      podName: 'jupyter-alice',
      server: null,
      auth: {}
    });
    const executor = {
      metadata: {
        uid: 'exec-uid',
        name: 'exec-1',
        resourceVersion: '1',
        labels: { [SESSION_LABEL]: 's1' }
      },
      status: { phase: 'Pending' }
    };
    pods.pods.objects.set('exec-uid', executor as never);
    emit(pods.pods, { type: 'ADDED', object: executor });
    for (let n = 0; n < 50; n++) {
      emit(pods.events, { type: 'ADDED', object: event('exec-1', n) });
    }
    // A busy namespace: thousands of events of other pods.
    for (let p = 0; p < 3000; p++) {
      for (let n = 0; n < 5; n++) {
        emit(pods.events, { type: 'ADDED', object: event(`other-${p}`, n) });
      }
    }
    assert.equal(pods.events.objects.size, 0);
    assert.ok(
      pods.eventCount <=
        ExecutorPods.PODS_WITH_EVENTS * ExecutorPods.EVENTS_PER_POD,
      String(pods.eventCount)
    );
    assert.ok(pods.eventCount <= 50 + 5 * ExecutorPods.PODS_WITH_EVENTS);
    const summary = pods.summary(executor as never);
    assert.match(String(summary.reason), /event 49 of exec-1/);
    // The executor's events outlive the flood; deleting the pod drops them.
    emit(pods.pods, { type: 'DELETED', object: executor });
    assert.ok(
      (pods as unknown as { _events: Map<string, unknown> })._events.get(
        'exec-1'
      ) === undefined
    );
  });
});
