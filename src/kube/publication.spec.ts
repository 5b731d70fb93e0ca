import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IManifest } from '../core/manifests';
import { conflictsOf, toFailure } from './result';
import { describeFailure } from './errors';
import { checkPublication } from './publication';

function configMap(name = 'etl-0123456789', namespace = 'ns'): IManifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    immutable: true,
    data: { 'job.py': 'print(1)\n' }
  };
}

function application(
  cm = 'etl-0123456789',
  apiVersion = 'sparkoperator.k8s.io/v1beta2',
  kind = 'SparkApplication'
): IManifest {
  const template = {
    spec: { volumes: [{ name: 'spark-k8s-job', configMap: { name: cm } }] }
  };
  return {
    apiVersion,
    kind,
    metadata: { name: 'etl', namespace: 'ns' },
    spec: { driver: { template }, executor: { template } }
  };
}

describe('checkPublication', () => {
  it('accepts a ConfigMap and an application of each operator, in either order', () => {
    for (const [apiVersion, kind] of [
      ['sparkoperator.k8s.io/v1beta2', 'SparkApplication'],
      ['sparkoperator.k8s.io/v1beta2', 'ScheduledSparkApplication'],
      ['spark.apache.org/v1', 'SparkApplication']
    ]) {
      const app = application('etl-0123456789', apiVersion, kind);
      const checked = checkPublication([app, configMap()]);
      assert.ok(!('error' in checked), JSON.stringify(checked));
      assert.equal(checked.configMap.kind, 'ConfigMap');
      assert.equal(checked.kind.kind, kind);
      assert.equal(checked.kind.apiVersion, apiVersion);
      assert.equal(checked.name, 'etl');
      assert.equal(checked.configMapName, 'etl-0123456789');
      assert.equal(checked.namespace, 'ns');
    }
  });

  it('refuses anything but one job ConfigMap and one application that mounts it', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[configMap()], /exactly two objects/],
      [{ objects: [] }, /exactly two objects/],
      [[configMap(), configMap()], /Got v1 ConfigMap and v1 ConfigMap/],
      [
        [configMap(), application('etl-0123456789', 'batch/v1', 'Job')],
        /Got v1 ConfigMap and batch\/v1 Job/
      ],
      [
        [
          configMap(),
          application(
            'etl-0123456789',
            'sparkoperator.k8s.io/v1beta1',
            'SparkApplication'
          )
        ],
        /exactly two objects/
      ],
      [[configMap(), application('other-cm')], /does not mount the ConfigMap/],
      [
        [configMap('etl-0123456789', 'elsewhere'), application()],
        /same namespace/
      ],
      [[configMap(), { kind: 'SparkApplication' }], /apiVersion, kind/]
    ];
    for (const [objects, expected] of cases) {
      const checked = checkPublication(objects);
      assert.ok('error' in checked, JSON.stringify(objects));
      assert.match(checked.error, expected);
    }
  });
});

describe('describeFailure', () => {
  const app = {
    verb: 'patch',
    resource: 'sparkapplications',
    group: 'sparkoperator.k8s.io',
    namespace: 'ns',
    name: 'etl'
  };

  it('names the operator whose CRD is missing (404 without an object name)', () => {
    const f = describeFailure({ code: 404, body: '404 page not found\n' }, app);
    assert.equal(f.status, 404);
    assert.equal(f.reason, 'NotInstalled');
    assert.match(
      f.message,
      /^The kubeflow Spark operator is not installed in this cluster: its CRD sparkapplications\.sparkoperator\.k8s\.io is missing/
    );
    const apache = describeFailure(
      { code: 404, body: { message: 'the server could not find it' } },
      { ...app, group: 'spark.apache.org' }
    );
    assert.match(
      apache.message,
      /^The Apache Spark Kubernetes Operator is not installed/
    );
  });

  it('tells a missing object from a missing CRD', () => {
    const f = describeFailure(
      {
        code: 404,
        body: JSON.stringify({
          kind: 'Status',
          message: 'sparkapplications.sparkoperator.k8s.io "etl" not found',
          reason: 'NotFound',
          details: { name: 'etl', group: 'sparkoperator.k8s.io' }
        })
      },
      { ...app, verb: 'get' }
    );
    assert.equal(f.reason, 'NotFound');
  });

  it('takes the refused verb from the API server on 403', () => {
    const f = describeFailure(
      {
        code: 403,
        body: {
          message:
            'sparkapplications.sparkoperator.k8s.io "etl" is forbidden: User "system:serviceaccount:ns:jupyter" cannot create resource "sparkapplications" in API group "sparkoperator.k8s.io" in the namespace "ns"'
        }
      },
      app
    );
    assert.equal(
      f.message,
      'This service account may not create sparkapplications.sparkoperator.k8s.io in namespace "ns".'
    );
    assert.equal(
      f.hint,
      'Grant "create" on "sparkapplications.sparkoperator.k8s.io" in the Role bound to the service account (deploy/rbac.yaml).'
    );
  });

  it('turns an apply that does not match the schema into a 422 naming the fields', () => {
    const f = describeFailure(
      {
        code: 500,
        body: JSON.stringify({
          kind: 'Status',
          message:
            'failed to create typed patch object (ns/etl; sparkoperator.k8s.io/v1beta2, Kind=ScheduledSparkApplication): errors:\n  .spec.template.driver.cores: expected numeric (int or float), got string\n  .spec.timezone: field not declared in schema',
          code: 500
        })
      },
      { ...app, resource: 'scheduledsparkapplications' }
    );
    assert.equal(f.status, 422);
    assert.equal(f.reason, 'Invalid');
    assert.match(
      f.message,
      /\.spec\.template\.driver\.cores: expected numeric \(int or float\), got string; \.spec\.timezone: field not declared in schema\.$/
    );
    assert.deepEqual(
      f.causes?.map(c => c.field),
      ['.spec.template.driver.cores', '.spec.timezone']
    );
  });
});

describe('conflicts', () => {
  it('lists the fields and managers of an apply conflict and asks to confirm', () => {
    const failure = describeFailure(
      {
        code: 409,
        body: {
          message:
            'Apply failed with 2 conflicts: conflict with "argocd-controller": .spec.image',
          reason: 'Conflict',
          details: {
            causes: [
              {
                reason: 'FieldManagerConflict',
                message: 'conflict with "argocd-controller"',
                field: '.spec.image'
              },
              {
                reason: 'FieldManagerConflict',
                message:
                  'conflict with "kubectl-edit" using sparkoperator.k8s.io/v1beta2',
                field: '.spec.driver.cores'
              }
            ]
          }
        }
      },
      {
        verb: 'patch',
        resource: 'sparkapplications',
        group: 'sparkoperator.k8s.io'
      }
    );
    assert.deepEqual(conflictsOf(failure), [
      { field: 'spec.image', manager: 'argocd-controller' },
      { field: 'spec.driver.cores', manager: 'kubectl-edit' }
    ]);
    const result = toFailure(failure, 'The SparkApplication "etl"');
    assert.equal(result.code, 409);
    assert.equal(result.reason, 'Conflict');
    assert.match(
      result.message,
      /^The SparkApplication "etl" has fields managed by another tool \(argocd-controller, kubectl-edit\): spec\.image \(argocd-controller\), spec\.driver\.cores \(kubectl-edit\)\./
    );
    assert.match(result.hint ?? '', /Confirm to take over these fields/);
  });
});
