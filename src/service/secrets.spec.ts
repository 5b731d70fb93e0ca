import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reapSelector } from './reaper';
import { readableSecrets } from './secrets';

describe('readableSecrets', () => {
  it('reads the named Secrets of the shipped Role, never lists', () => {
    const rules = [
      {
        verbs: ['get'],
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['b', 'a']
      },
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectrulesreviews']
      }
    ];
    assert.deepEqual(readableSecrets(rules), { all: false, names: ['a', 'b'] });
  });

  it('lists only where a Role grants list on every Secret', () => {
    assert.deepEqual(
      readableSecrets([
        { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }
      ]),
      { all: true, names: [] }
    );
    assert.deepEqual(
      readableSecrets([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])
        .all,
      true
    );
  });

  it('ignores Secrets of other API groups and verbs other than get', () => {
    const rules = [
      {
        verbs: ['get'],
        apiGroups: ['example.com'],
        resources: ['secrets'],
        resourceNames: ['x']
      },
      {
        verbs: ['delete'],
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['y']
      }
    ];
    assert.deepEqual(readableSecrets(rules), { all: false, names: [] });
  });
});

describe('reapSelector', () => {
  it('selects one session of one driver pod, never a session alone', () => {
    assert.equal(
      reapSelector('jupyter-alice', 's-1'),
      'spark-k8s.jupyter.org/session=s-1,spark-k8s.jupyter.org/driver-pod=jupyter-alice'
    );
  });
});
