import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from './errors';
import { publishRequest } from './publish-request';

const OWNER = 'spark-k8s.jupyter.org/owner';
const APP = 'spark-k8s.jupyter.org/app';

function objects(namespace?: string) {
  const labels = { [APP]: 'etl', [OWNER]: 'mallory' };
  const template = {
    metadata: { labels: { ...labels } },
    spec: { volumes: [{ name: 'job', configMap: { name: 'etl-0123456789' } }] }
  };
  const ns = namespace === undefined ? {} : { namespace };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'etl-0123456789', ...ns, labels: { ...labels } },
      data: { 'job.py': 'print(1)' }
    },
    {
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'ScheduledSparkApplication',
      metadata: {
        name: 'etl',
        ...ns,
        labels: { ...labels },
        annotations: { [OWNER]: 'mallory' }
      },
      spec: {
        template: {
          driver: { template },
          executor: { template: JSON.parse(JSON.stringify(template)) }
        }
      }
    }
  ];
}

function refusal(body: unknown, namespace = 'team'): ServiceError {
  try {
    publishRequest(body, namespace);
  } catch (e) {
    assert.ok(e instanceof ServiceError);
    return e;
  }
  assert.fail('accepted');
}

describe('publishRequest', () => {
  it('puts the objects in the service namespace and makes the hub user their owner', () => {
    const request = publishRequest(
      { objects: objects(), dryRun: true },
      'team',
      'Alice Smith@example.org'
    );
    assert.equal(request.dryRun, true);
    assert.equal(request.force, false);
    const [cm, app] = request.objects as any[];
    assert.equal(cm.metadata.namespace, 'team');
    assert.equal(app.metadata.namespace, 'team');
    for (const labels of [
      cm.metadata.labels,
      app.metadata.labels,
      app.spec.template.driver.template.metadata.labels,
      app.spec.template.executor.template.metadata.labels
    ]) {
      assert.equal(labels[OWNER], 'Alice-Smith-example.org');
    }
    assert.equal(app.metadata.annotations[OWNER], 'Alice Smith@example.org');
    assert.equal(cm.metadata.annotations[OWNER], 'Alice Smith@example.org');
  });

  it('keeps the namespace the objects name when it is the service one', () => {
    const [cm] = publishRequest({ objects: objects('team') }, 'team')
      .objects as any[];
    assert.equal(cm.metadata.namespace, 'team');
    assert.equal(cm.metadata.labels[OWNER], 'mallory'); // no hub user: unchanged
  });

  it('refuses another namespace, naming both', () => {
    const e = refusal({ objects: objects('kube-system') });
    assert.equal(e.status, 400);
    assert.match(e.message, /namespace "kube-system".*own namespace, "team"/);
  });

  it('refuses what is not a publication', () => {
    assert.match(refusal('x').message, /JSON object/);
    assert.match(refusal({}).message, /"objects" must be a list/);
    assert.match(
      refusal({ objects: objects(), force: 1 }).message,
      /"force" must be true or false/
    );
    assert.match(
      refusal({ objects: objects().slice(0, 1) }).message,
      /exactly two objects/
    );
  });
});
