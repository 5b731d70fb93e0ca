import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ISparkConnectProfile } from '../session/profile';
import { podSummary } from './pods';
import {
  idleDeadline,
  sparkConnectManifest,
  sparkConnectName,
  sparkConnectStatus,
  validateSparkConnectRequest
} from './sparkconnect';

const PROFILE: ISparkConnectProfile = {
  name: 'warehouse',
  kind: 'sparkconnect',
  image: 'apache/spark:4.0.1-python3',
  serverCores: 2,
  serverMemory: '4g',
  executorInstances: 3,
  executorCores: 2,
  executorMemory: '8g',
  idleMinutes: 30,
  nodeSelector: { pool: 'spark' },
  tolerations: [{ key: 'spark', operator: 'Exists', effect: 'NoSchedule' }],
  conf: { 'spark.sql.shuffle.partitions': '64' }
};
const SESSION = '0f3c2a9e-6d1b-4c55-9a0e-1b2c3d4e5f60';
const NOW = new Date('2026-01-02T03:04:05.000Z');

type Manifest = {
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    sparkVersion: string;
    image: string;
    sparkConf: Record<string, string>;
    server: Record<string, any>;
    executor: Record<string, any>;
  };
};

function manifest(
  profile: ISparkConnectProfile = PROFILE,
  kernel?: { pid: number; start: string }
): Manifest {
  return sparkConnectManifest(
    { profile, sessionId: SESSION, kernel },
    {
      namespace: 'jupyter-alice',
      podName: 'jupyter-alice',
      owner: 'alice@example.org',
      now: NOW
    }
  ) as unknown as Manifest;
}

describe('sparkConnectName', () => {
  it('is the session id behind sc- when that is a short DNS label', () => {
    assert.equal(sparkConnectName(SESSION), `sc-${SESSION}`);
  });

  it('fits any id into 47 characters of a DNS label, distinctly', () => {
    const a = sparkConnectName('My_Session.ID'.repeat(8));
    const b = sparkConnectName('My_Session.ID'.repeat(8) + 'x');
    for (const name of [a, b, sparkConnectName('__')]) {
      assert.match(name, /^sc-[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      assert.ok(name.length <= 47, name);
    }
    assert.notEqual(a, b);
  });
});

describe('sparkConnectManifest', () => {
  it('builds the SparkConnect of the profile, labelled like the session executors', () => {
    const m = manifest(PROFILE, { pid: 4242, start: '123456' });
    assert.equal(m.metadata.name, `sc-${SESSION}`);
    assert.equal(m.metadata.namespace, 'jupyter-alice');
    assert.deepEqual(m.metadata.labels, {
      'spark-k8s.jupyter.org/driver-pod': 'jupyter-alice',
      'spark-k8s.jupyter.org/managed-by': 'jupyterlab-spark-k8s',
      'spark-k8s.jupyter.org/owner': 'alice-example.org',
      'spark-k8s.jupyter.org/session': SESSION
    });
    assert.deepEqual(m.metadata.annotations, {
      'spark-k8s.jupyter.org/idle-minutes': '30',
      'spark-k8s.jupyter.org/kernel-pid': '4242',
      'spark-k8s.jupyter.org/kernel-start': '123456',
      'spark-k8s.jupyter.org/last-activity': NOW.toISOString(),
      'spark-k8s.jupyter.org/owner': 'alice@example.org'
    });
    assert.equal(m.spec.sparkVersion, '4.0.1');
    assert.equal(m.spec.image, PROFILE.image);
    assert.equal(m.spec.server.cores, 2);
    assert.equal(m.spec.server.memory, '4g');
    assert.deepEqual(m.spec.server.template, {
      metadata: {
        labels: {
          'spark-k8s.jupyter.org/session': SESSION,
          'spark-k8s.jupyter.org/driver-pod': 'jupyter-alice'
        }
      },
      spec: {
        serviceAccountName: 'spark-driver',
        nodeSelector: { pool: 'spark' },
        tolerations: [
          { key: 'spark', operator: 'Exists', effect: 'NoSchedule' }
        ]
      }
    });
    assert.equal(m.spec.executor.instances, 3);
    assert.equal(m.spec.executor.cores, 2);
    assert.equal(m.spec.executor.memory, '8g');
    assert.deepEqual(m.spec.executor.template.spec, {
      nodeSelector: { pool: 'spark' },
      tolerations: [{ key: 'spark', operator: 'Exists', effect: 'NoSchedule' }]
    });
    // Executors authenticate to the server and run as the account without permissions.
    assert.equal(m.spec.sparkConf['spark.authenticate'], 'true');
    assert.equal(
      m.spec.sparkConf[
        'spark.kubernetes.authenticate.executor.serviceAccountName'
      ],
      'spark-executor'
    );
    assert.equal(m.spec.sparkConf['spark.sql.shuffle.partitions'], '64');
  });

  it('defaults: 60 idle minutes, no kernel annotations, no resources it was not given', () => {
    const m = manifest({
      name: 'p',
      kind: 'sparkconnect',
      image: 'apache/spark:3.5.6',
      sparkVersion: '3.5.6'
    });
    assert.equal(
      m.metadata.annotations['spark-k8s.jupyter.org/idle-minutes'],
      '60'
    );
    assert.ok(!('spark-k8s.jupyter.org/kernel-pid' in m.metadata.annotations));
    assert.ok(!('cores' in m.spec.server) && !('instances' in m.spec.executor));
    assert.deepEqual(m.spec.executor.template.spec, {});
  });

  it('puts the storage conf for pods in the server conf, never a credential', () => {
    const m = sparkConnectManifest(
      { profile: PROFILE, sessionId: SESSION },
      {
        namespace: 'ns',
        storageConf: {
          'spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID':
            's3:AWS_ACCESS_KEY_ID'
        }
      }
    ) as unknown as Manifest;
    assert.equal(
      m.spec.sparkConf[
        'spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID'
      ],
      's3:AWS_ACCESS_KEY_ID'
    );
    assert.ok(!('spark-k8s.jupyter.org/driver-pod' in m.metadata.labels));
  });

  it('gives the server the bucket credentials from their Secret, and drops kernel-only keys', () => {
    const m = sparkConnectManifest(
      {
        profile: {
          ...PROFILE,
          storage: {
            s3: {
              endpoint: 'http://minio:9000',
              credentialsSecret: 'lake-creds',
              accessKeyKey: 'id'
            }
          }
        },
        sessionId: SESSION
      },
      {
        namespace: 'ns',
        storageConf: {
          'spark.hadoop.fs.s3a.endpoint': 'http://minio:9000',
          'spark.jupyter.s3.credentialsSecret': 'lake-creds'
        }
      }
    ) as unknown as Manifest;
    assert.deepEqual(m.spec.server.template.spec.containers, [
      {
        name: 'spark-kubernetes-driver',
        env: [
          {
            name: 'AWS_ACCESS_KEY_ID',
            valueFrom: { secretKeyRef: { name: 'lake-creds', key: 'id' } }
          },
          {
            name: 'AWS_SECRET_ACCESS_KEY',
            valueFrom: {
              secretKeyRef: { name: 'lake-creds', key: 'AWS_SECRET_ACCESS_KEY' }
            }
          }
        ]
      }
    ]);
    assert.equal(
      m.spec.sparkConf['spark.hadoop.fs.s3a.endpoint'],
      'http://minio:9000'
    );
    assert.ok(
      !Object.keys(m.spec.sparkConf).some(k => k.startsWith('spark.jupyter.'))
    );
  });
});

describe('validateSparkConnectRequest', () => {
  it('accepts a well-formed request', () => {
    assert.deepEqual(
      validateSparkConnectRequest({
        profile: PROFILE,
        sessionId: SESSION,
        kernel: { pid: 7, start: '99' }
      }),
      []
    );
  });

  it('refuses what the operator would put unquoted on a shell line', () => {
    const errors = validateSparkConnectRequest({
      profile: {
        ...PROFILE,
        conf: { 'spark.driver.extraJavaOptions': '-Dx=1 $(touch /tmp/p)' }
      },
      sessionId: SESSION
    });
    assert.equal(errors.length, 1);
    assert.match(
      errors[0],
      /spark\.driver\.extraJavaOptions.*shell command line/
    );
  });

  it('says what the body must be', () => {
    assert.match(validateSparkConnectRequest(null)[0], /"profile"/);
    const errors = validateSparkConnectRequest({
      profile: { ...PROFILE, kind: 'connect' },
      sessionId: 'not a label!',
      kernel: { pid: -1 }
    });
    assert.equal(errors.length, 3, errors.join('\n'));
  });
});

describe('sparkConnectStatus', () => {
  const cr = (status?: object, annotations?: Record<string, string>) => ({
    metadata: {
      name: 'sc-1',
      namespace: 'ns',
      annotations: annotations ?? {
        'spark-k8s.jupyter.org/idle-minutes': '60',
        'spark-k8s.jupyter.org/last-activity': NOW.toISOString()
      }
    },
    status
  });
  const pod = (status: object) =>
    podSummary({ metadata: { name: 'sc-1-server' }, status } as never, [
      {
        involvedObject: { kind: 'Pod', name: 'sc-1-server' },
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."
      }
    ]);

  it('is creating until the operator makes the server pod', () => {
    const s = sparkConnectStatus(cr(), null);
    assert.equal(s.state, 'creating');
    assert.equal(s.endpoint, 'sc://sc-1-server.ns.svc:15002');
    assert.equal(s.idleMinutes, 60);
    assert.equal(
      s.idleDeadline,
      new Date(NOW.getTime() + 3_600_000).toISOString()
    );
  });

  it('is pending with the executor pods\u2019 why-Pending words', () => {
    const s = sparkConnectStatus(
      cr({ state: 'NotReady' }),
      pod({
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }
        ]
      })
    );
    assert.equal(s.state, 'pending');
    assert.match(s.reason ?? '', /node affinity\/selector/);
  });

  it('is ready when the operator says so, failed when the server ended', () => {
    const ready = pod({
      phase: 'Running',
      containerStatuses: [{ name: 'spark-kubernetes-driver', ready: true }]
    });
    assert.equal(
      sparkConnectStatus(cr({ state: 'Ready' }), ready).state,
      'ready'
    );
    const ended = pod({
      phase: 'Failed',
      containerStatuses: [
        { name: 'c', state: { terminated: { reason: 'Error', exitCode: 1 } } }
      ]
    });
    const failed = sparkConnectStatus(cr({ state: 'Ready' }), ended);
    assert.equal(failed.state, 'failed');
    assert.match(failed.reason ?? '', /exit code 1/);
  });

  it('has no deadline when idle culling is off', () => {
    assert.equal(
      sparkConnectStatus(
        cr(undefined, { 'spark-k8s.jupyter.org/idle-minutes': '0' }),
        null
      ).idleDeadline,
      null
    );
  });
});

describe('idleDeadline', () => {
  it('counts idle minutes of the given length from the last activity', () => {
    const { idleMinutes, deadline } = idleDeadline(
      {
        'spark-k8s.jupyter.org/idle-minutes': '1.5',
        'spark-k8s.jupyter.org/last-activity': NOW.toISOString()
      },
      1000
    );
    assert.equal(idleMinutes, 1.5);
    assert.equal(deadline?.getTime(), NOW.getTime() + 1500);
    assert.equal(
      idleDeadline({ 'spark-k8s.jupyter.org/idle-minutes': 'x' }).deadline,
      null
    );
  });
});
