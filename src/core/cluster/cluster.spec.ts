import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { featurePermissions, missingPermissions } from './permissions';
import { podSummary } from './pods';

describe('missingPermissions', () => {
  const rules = [
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['*'], apiGroups: ['sparkoperator.k8s.io'], resources: ['*'] },
    {
      verbs: ['get'],
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['one']
    }
  ];

  it('names each verb and resource that no rule grants', () => {
    assert.deepEqual(
      missingPermissions(rules, [
        { group: '', resource: 'pods', verbs: ['list', 'create'] },
        {
          group: 'sparkoperator.k8s.io',
          resource: 'sparkapplications',
          verbs: ['patch']
        },
        { group: '', resource: 'secrets', verbs: ['get'] }
      ]),
      ['create pods', 'get secrets']
    );
  });

  it('judges every feature', () => {
    const verdict = featurePermissions(rules);
    assert.equal(verdict.publish.allowed, false);
    assert.ok(verdict.session.missing.includes('create pods'));
    assert.deepEqual(
      featurePermissions([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])
        .session,
      {
        allowed: true,
        missing: []
      }
    );
  });
});

describe('podSummary', () => {
  const base = {
    metadata: { name: 'exec-1' },
    spec: {
      nodeName: 'n1',
      containers: [
        {
          name: 'c',
          image: 'img:1',
          resources: { requests: { cpu: '1', memory: '1Gi' } }
        }
      ]
    }
  };

  it('has no reason for a ready Running pod', () => {
    const s = podSummary({
      ...base,
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'c', ready: true, restartCount: 2 }]
      }
    });
    assert.deepEqual(s, {
      name: 'exec-1',
      phase: 'Running',
      ready: true,
      restarts: 2,
      node: 'n1',
      cpu: '1',
      memory: '1Gi',
      reason: null
    });
  });

  it('explains image pulls, OOM kills and scheduling failures', () => {
    const pull = podSummary({
      ...base,
      status: {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'c',
            state: {
              waiting: { reason: 'ImagePullBackOff', message: 'not found' }
            }
          }
        ]
      }
    });
    assert.equal(
      pull.reason,
      'ImagePullBackOff: the image cannot be pulled (img:1): not found'
    );
    const oom = podSummary({
      ...base,
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'c',
            ready: false,
            lastState: { terminated: { reason: 'OOMKilled' } }
          }
        ]
      }
    });
    assert.match(oom.reason!, /^OOMKilled: .*memoryOverhead/);
    const unscheduled = podSummary(
      { metadata: { name: 'exec-2' }, spec: {}, status: { phase: 'Pending' } },
      [
        {
          involvedObject: { name: 'exec-2' },
          type: 'Warning',
          reason: 'FailedScheduling',
          message: 'old',
          lastTimestamp: '2026-01-01T00:00:00Z'
        },
        {
          involvedObject: { name: 'exec-2' },
          type: 'Warning',
          reason: 'FailedScheduling',
          message: '0/3 nodes are available: 3 Insufficient cpu.',
          lastTimestamp: '2026-01-01T00:01:00Z'
        },
        {
          involvedObject: { name: 'other' },
          type: 'Warning',
          reason: 'BackOff',
          message: 'x'
        }
      ]
    );
    assert.equal(
      unscheduled.reason,
      'Not scheduled: 0/3 nodes are available: 3 Insufficient cpu.'
    );
  });
});
