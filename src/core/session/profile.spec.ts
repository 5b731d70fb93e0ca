import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clusterProblem,
  executorPodTemplate,
  IKubernetesProfile,
  imageWarning,
  kernelScopes,
  LOCAL_PROFILE,
  mappedScopes,
  resolveScopes,
  sessionConf,
  validateProfile
} from '.';

describe('validateProfile', () => {
  it('accepts the built-in local profile', () => {
    assert.deepEqual(validateProfile(LOCAL_PROFILE), []);
  });

  it('says what is wrong with each bad field', () => {
    const errors = validateProfile({
      name: 'bad',
      kind: 'local',
      master: 'yarn',
      driverMemory: 'lots',
      conf: { 'executor.memory': '1g', 'spark.ok': '1' }
    });
    assert.equal(errors.length, 3);
    assert.match(errors[0], /master "yarn" is not a local master/);
    assert.match(errors[1], /driver memory "lots" is not a size/);
    assert.match(
      errors[2],
      /conf key "executor.memory" is not a Spark property/
    );
  });
});

describe('sessionConf', () => {
  it('builds the local conf with redirects back under Jupyter', () => {
    const conf = sessionConf(
      { ...LOCAL_PROFILE, conf: { 'spark.sql.shuffle.partitions': '4' } },
      { appName: 'nb', uiOrigin: 'https://hub.example.org' }
    );
    assert.deepEqual(conf, {
      'spark.master': 'local[*]',
      'spark.app.name': 'nb',
      'spark.driver.memory': '1g',
      'spark.ui.enabled': 'true',
      'spark.sql.variable.substitute': 'false',
      'spark.ui.proxyRedirectUri': 'https://hub.example.org',
      'spark.sql.shuffle.partitions': '4'
    });
  });

  it('refuses an invalid profile with the reasons', () => {
    assert.throws(
      () =>
        sessionConf(
          { name: 'x', kind: 'local', driverMemory: '1 g' },
          { appName: 'a' }
        ),
      /driver memory "1 g" is not a size/
    );
  });
});

describe('kubernetes profiles', () => {
  const cluster = {
    available: true,
    server: 'https://10.0.0.1:443',
    namespace: 'jhub',
    pod: { name: 'jupyter-alice', ip: '10.1.2.3', missing: [] },
    auth: { tokenFile: '/sa/token', caFile: '/sa/ca.crt' },
    permissions: {
      session: { allowed: true, missing: [] },
      watch: { allowed: true, missing: [] },
      secrets: { allowed: true, missing: [] },
      publish: { allowed: true, missing: [] }
    }
  };
  const profile: IKubernetesProfile = {
    name: 'k8s',
    kind: 'kubernetes',
    image: 'apache/spark:4.3.0-python3',
    nodeSelector: { pool: 'spark' },
    tolerations: [{ key: 'spark', operator: 'Exists', effect: 'NoSchedule' }]
  };

  it('builds client-mode conf that points executors back at this pod', () => {
    const conf = sessionConf(profile, {
      appName: 'nb',
      cluster,
      sessionId: 's-1'
    });
    assert.equal(conf['spark.master'], 'k8s://https://10.0.0.1:443');
    assert.equal(conf['spark.submit.deployMode'], 'client');
    assert.equal(conf['spark.kubernetes.namespace'], 'jhub');
    assert.equal(conf['spark.driver.host'], '10.1.2.3');
    assert.equal(conf['spark.driver.bindAddress'], '0.0.0.0');
    // No fixed ports: a second notebook's session in the same pod would
    // collide; the kernel picks a free pair in the range the policy admits.
    assert.equal(conf['spark.jupyter.driverPorts'], '7078-7099');
    assert.equal(conf['spark.driver.port'], undefined);
    assert.equal(conf['spark.driver.blockManager.port'], undefined);
    assert.equal(conf['spark.ui.port'], '4040');
    assert.equal(conf['spark.kubernetes.driver.pod.name'], 'jupyter-alice');
    assert.equal(
      conf['spark.kubernetes.executor.label.spark-k8s.jupyter.org/session'],
      's-1'
    );
    assert.equal(
      conf['spark.kubernetes.authenticate.oauthTokenFile'],
      '/sa/token'
    );
    assert.equal(
      conf['spark.kubernetes.authenticate.caCertFile'],
      '/sa/ca.crt'
    );
    assert.equal(conf['spark.executor.instances'], '2');
    assert.equal(conf['spark.executor.cores'], '1');
    assert.equal(conf['spark.executor.memory'], '1g');
    assert.equal(conf['spark.kubernetes.executor.node.selector.pool'], 'spark');
    assert.deepEqual(executorPodTemplate(profile), {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        tolerations: [
          { key: 'spark', operator: 'Exists', effect: 'NoSchedule' }
        ]
      }
    });
  });

  it('gives executors secretKeyRef environment variables for mapped scopes', () => {
    const conf = sessionConf(profile, {
      appName: 'nb',
      cluster,
      secrets: [
        { scope: 'prod-db', secret: 'warehouse', keys: ['password', 'user'] }
      ]
    });
    assert.equal(
      conf[
        'spark.kubernetes.executor.secretKeyRef.SPARK_K8S_SECRET_PROD_DB_PASSWORD'
      ],
      'warehouse:password'
    );
    assert.equal(
      conf[
        'spark.kubernetes.executor.secretKeyRef.SPARK_K8S_SECRET_PROD_DB_USER'
      ],
      'warehouse:user'
    );
    assert.equal(
      Object.values(conf).some(v => v.includes('s3cret')),
      false
    );
  });

  it('uses dynamic allocation with shuffle tracking when asked', () => {
    const conf = sessionConf(
      {
        ...profile,
        dynamicAllocation: { enabled: true, minExecutors: 1, maxExecutors: 8 }
      },
      { appName: 'nb', cluster }
    );
    assert.equal(conf['spark.dynamicAllocation.enabled'], 'true');
    assert.equal(
      conf['spark.dynamicAllocation.shuffleTracking.enabled'],
      'true'
    );
    assert.equal(conf['spark.dynamicAllocation.maxExecutors'], '8');
    assert.equal(conf['spark.executor.instances'], undefined);
  });

  it('says why it cannot start: no cluster, no pod IP, missing permissions, bad quantities', () => {
    assert.throws(
      () =>
        sessionConf(profile, {
          appName: 'a',
          cluster: { available: false, reason: 'no kubeconfig' }
        }),
      /No Kubernetes cluster is reachable: no kubeconfig/
    );
    assert.match(
      clusterProblem({
        ...cluster,
        pod: { name: 'p', ip: null, missing: ['set POD_IP'] }
      })!,
      /pod's IP is unknown \(set POD_IP\)/
    );
    assert.match(
      clusterProblem({
        ...cluster,
        permissions: {
          ...cluster.permissions,
          session: { allowed: false, missing: ['create pods'] }
        }
      })!,
      /missing create pods/
    );
    assert.deepEqual(
      validateProfile({
        ...profile,
        image: '',
        executorMemory: '2 GB',
        executorCores: 0
      }).length,
      3
    );
  });

  it('warns when the image may not match the kernel', () => {
    const kernel = { sparkVersion: '4.3.0', pythonVersion: '3.11.7' };
    assert.equal(
      imageWarning({ ...profile, image: 'reg/spark:4.3.0-python3.11' }, kernel),
      null
    );
    assert.match(
      imageWarning(profile, kernel)!,
      /Python version .* is unknown/
    );
    assert.match(
      imageWarning(
        { ...profile, image: 'reg/spark:4.3.0-python3.12' },
        kernel
      )!,
      /Python 3.12 but the kernel runs Python 3.11/
    );
    assert.match(
      imageWarning(
        { ...profile, image: 'apache/spark:3.5.1-python3' },
        kernel
      )!,
      /Spark 3.5.1 but the kernel runs Spark 4.3.0/
    );
    assert.match(
      imageWarning({ ...profile, image: 'registry/spark:latest' }, kernel)!,
      /Spark version of image .* is unknown/
    );
    assert.match(
      imageWarning({ ...profile, image: 'apache/spark:4.3.0' }, kernel)!,
      /Python version .* is unknown/
    );
  });
});

describe('secret scopes', () => {
  const secrets = [
    { name: 'warehouse', keys: ['password', 'user'] },
    { name: 'api', keys: ['token'] }
  ];

  it('resolves configured scopes once, with the variable of each key', () => {
    const mapped = mappedScopes(
      { 'prod-db': 'warehouse', gone: 'missing' },
      secrets
    );
    assert.deepEqual(mapped, [
      { scope: 'prod-db', secret: 'warehouse', keys: ['password', 'user'] }
    ]);
    assert.deepEqual(resolveScopes(mapped), {
      'prod-db': {
        secret: 'warehouse',
        env: {
          password: 'SPARK_K8S_SECRET_PROD_DB_PASSWORD',
          user: 'SPARK_K8S_SECRET_PROD_DB_USER'
        }
      }
    });
  });

  it('lets a kernel read every Secret under its own name too', () => {
    const scopes = kernelScopes({ 'prod-db': 'warehouse' }, secrets);
    assert.deepEqual(
      scopes.map(s => `${s.scope}->${s.secret}`),
      ['prod-db->warehouse', 'warehouse->warehouse', 'api->api']
    );
  });
});
