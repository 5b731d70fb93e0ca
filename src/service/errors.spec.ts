import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toServiceError } from './errors';

describe('toServiceError', () => {
  it('names the missing permission on 403', () => {
    const e = toServiceError(
      { code: 403, body: '{}' },
      { verb: 'watch', resource: 'pods', namespace: 'jhub' }
    );
    assert.deepEqual(e.toJSON(), {
      code: 'Forbidden',
      message: 'This service account may not watch pods in namespace "jhub".',
      hint: 'Grant "watch" on "pods" in the Role bound to the service account (deploy/rbac.yaml).'
    });
    assert.equal(e.status, 403);
  });

  it('says the credentials were rejected on 401', () => {
    const e = toServiceError(
      { code: 401 },
      { verb: 'list', resource: 'pods', namespace: 'a' }
    );
    assert.equal(e.code, 'Unauthorized');
    assert.match(
      e.message,
      /rejected this pod's credentials \(list pods in namespace "a"\)/
    );
  });

  it('names the operator that is not installed on 404 of its group', () => {
    const kubeflow = toServiceError(
      { code: 404 },
      {
        verb: 'create',
        resource: 'sparkapplications',
        group: 'sparkoperator.k8s.io',
        namespace: 'a'
      }
    );
    assert.equal(kubeflow.code, 'NotInstalled');
    assert.match(
      kubeflow.message,
      /^The kubeflow Spark operator is not installed in this cluster: its CRD sparkapplications\.sparkoperator\.k8s\.io is missing/
    );
    const apache = toServiceError(
      { code: 404 },
      { verb: 'get', resource: 'sparkapplications', group: 'spark.apache.org' }
    );
    assert.match(apache.message, /Apache Spark Kubernetes Operator/);
  });

  it('reports an unreachable API server without a stack trace', () => {
    const e = toServiceError(
      { message: 'fetch failed', cause: { code: 'ECONNREFUSED' } },
      { verb: 'get', resource: 'version' }
    );
    assert.equal(e.status, 503);
    assert.equal(
      e.message,
      'The Kubernetes API server cannot be reached (ECONNREFUSED).'
    );
  });

  it('passes the API server message through for other statuses', () => {
    const e = toServiceError(
      { code: 422, body: '{"message":"Pod \\"x\\" is invalid"}' },
      { verb: 'create', resource: 'pods' }
    );
    assert.equal(e.message, 'Cannot create pods: Pod "x" is invalid');
  });
});
