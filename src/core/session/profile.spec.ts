import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import {
  clusterProblem,
  connectRemote,
  executorPodTemplate,
  IConnectProfile,
  IKubernetesProfile,
  ISparkConnectProfile,
  IStandaloneProfile,
  imageWarning,
  kernelScopes,
  LOCAL_PROFILE,
  mappedScopes,
  profileWarnings,
  resolveScopes,
  SessionProfile,
  sessionConf,
  standaloneMasters,
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

describe('standalone, connect and sparkconnect profiles', () => {
  const standalone: IStandaloneProfile = {
    name: 'lakehouse',
    kind: 'standalone',
    master: 'spark://spark-master:7077'
  };
  const connect: IConnectProfile = {
    name: 'warehouse',
    kind: 'connect',
    remote: 'sc://connect.example.org:443'
  };
  const sparkconnect: ISparkConnectProfile = {
    name: 'mine',
    kind: 'sparkconnect',
    image: 'apache/spark:4.0.1-python3'
  };

  it('accepts valid profiles of every kind', () => {
    for (const profile of [
      standalone,
      { ...standalone, master: 'spark://m1:7077,m2:7077,10.0.0.3:7077' },
      {
        ...standalone,
        master: 'spark://[::1]:7077',
        masterUi: 'http://[::1]:8080/'
      },
      {
        ...standalone,
        driverHost: '10.1.2.3',
        executorCores: 2,
        totalCores: 8,
        executorMemory: '2g',
        driverMemory: '512m'
      },
      connect,
      { ...connect, remote: 'sc://localhost', tls: true },
      {
        ...connect,
        remote: 'sc://h:15002/',
        token: { secret: 'connect-token', key: 'token' }
      },
      { ...connect, token: { file: '/var/run/secrets/connect/token' } },
      {
        ...connect,
        token: { env: 'SPARK_CONNECT_TOKEN' },
        uiUrl: 'https://ui.example.org/'
      },
      sparkconnect,
      {
        ...sparkconnect,
        image: 'registry.local/spark:custom',
        sparkVersion: '4.0.1',
        idleMinutes: 0,
        serverCores: 2,
        serverMemory: '4g',
        executorInstances: 3,
        executorCores: 2,
        executorMemory: '2g'
      }
    ] as SessionProfile[]) {
      assert.deepEqual(validateProfile(profile), [], JSON.stringify(profile));
    }
  });

  it('says what is wrong with a standalone master list, host and sizes', () => {
    const cases: Array<[string, RegExp]> = [
      ['local[*]', /does not start with spark:\/\//],
      ['spark://', /names no host/],
      ['spark://master', /"master" has no port/],
      ['spark://m1:7077,m2', /"m2" has no port/],
      ['spark://m1:70777', /invalid port "70777" \(1-65535\)/],
      ['spark://m1:0', /invalid port "0"/],
      ['spark://m1:7077,', /"" is not host:port/],
      ['spark://a b:7077', /invalid host "a b"/],
      ['spark://m1:7077/path', /invalid port "7077\/path"/],
      ['spark://"$(rm -rf ~)":7077', /invalid host/]
    ];
    for (const [master, reason] of cases) {
      const errors = validateProfile({ ...standalone, master });
      assert.equal(errors.length, 1, master);
      assert.match(
        errors[0],
        /^Profile "lakehouse": master .* is not a standalone master: /
      );
      assert.match(errors[0], reason, master);
      assert.match(errors[0], /use spark:\/\/host:7077/);
    }
    const errors = validateProfile({
      ...standalone,
      masterUi: 'javascript:alert(1)',
      driverHost: 'a host',
      executorCores: 4,
      totalCores: 2,
      executorMemory: 'much',
      driverMemory: '1 g'
    });
    assert.deepEqual(errors, [
      'Profile "lakehouse": master UI "javascript:alert(1)" is not an http(s) URL, e.g. http://spark-master:8080.',
      'Profile "lakehouse": driver host "a host" is not a host name or IP address the workers can reach.',
      'Profile "lakehouse": driver memory "1 g" is not a size; use a number with k, m, g or t, e.g. 2g.',
      'Profile "lakehouse": executor memory "much" is not a size; use a number with k, m, g or t, e.g. 2g.',
      'Profile "lakehouse": executor cores (4) exceed the total cores (2): no executor could start.'
    ]);
    assert.match(
      validateProfile({ ...standalone, totalCores: 0 })[0],
      /total cores must be a whole number of at least 1/
    );
  });

  it('refuses a token or parameters in a Connect URL, and bad ports', () => {
    for (const [remote, reason] of [
      [
        'sc://h:15002/;token=abc',
        /has parameters \(;…\): put no token or option in the URL/
      ],
      [
        'sc://h:15002;use_ssl=true',
        /set the token as a reference .* and TLS with "tls"/
      ],
      ['grpc://h:15002', /does not start with sc:\/\//],
      ['sc://h:99999', /invalid port "99999" \(1-65535\)/],
      ['sc://h:0', /invalid port "0"/],
      ['sc://user@h:15002', /has a path, query or user/],
      ['sc://h:15002/x', /has a path, query or user/],
      ['sc://', /"" is not host:port/],
      ['sc://h\n:15002', /invalid host/]
    ] as Array<[string, RegExp]>) {
      const errors = validateProfile({ ...connect, remote });
      assert.equal(errors.length, 1, remote);
      assert.match(errors[0], /is not a Spark Connect URL: /);
      assert.match(errors[0], reason, remote);
      // The refused value is shown, but nothing after a token marker is read as valid.
    }
  });

  it('parses Connect URLs and standalone master lists', () => {
    assert.deepEqual(connectRemote('sc://localhost'), {
      host: 'localhost',
      port: 15002
    });
    assert.deepEqual(connectRemote('sc://[::1]:443/'), {
      host: '[::1]',
      port: 443
    });
    assert.deepEqual(standaloneMasters('spark://a:1,b:2'), {
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 }
      ]
    });
  });

  it('takes a token as exactly one reference, never a value', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['s3cr3t-token', /token must be a reference: give exactly one of/],
      [{}, /token names no source/],
      [{ file: '/t', env: 'T' }, /token names file and env/],
      [{ value: 'abc' }, /token has unknown fields \(value\)/],
      [
        { secret: 'Bad_Name', key: 'token' },
        /token Secret "Bad_Name" is not a Secret name/
      ],
      [{ secret: 'ok' }, /token Secret key "" is not a Secret key/],
      [
        { secret: 'ok', key: 'a/b' },
        /token Secret key "a\/b" is not a Secret key/
      ],
      [{ file: 'token.txt' }, /token file "token.txt" is not an absolute path/],
      [{ file: '/tmp/a\nb' }, /is not an absolute path/],
      [
        { env: 'SPARK-TOKEN' },
        /token variable "SPARK-TOKEN" is not an environment variable name/
      ],
      [{ env: '$(id)' }, /is not an environment variable name/],
      [{ file: '/t', key: 'k' }, /token "key" goes with "secret" only/]
    ];
    for (const [token, reason] of cases) {
      const errors = validateProfile({
        ...connect,
        token: token as IConnectProfile['token']
      });
      assert.equal(errors.length, 1, JSON.stringify(token));
      assert.match(errors[0], reason, JSON.stringify(token));
    }
    assert.deepEqual(
      validateProfile({
        ...connect,
        storage: { delta: true }
      } as unknown as SessionProfile),
      [
        'Profile "warehouse": storage presets are set on the Spark Connect server, not by a connect profile; remove "storage".'
      ]
    );
  });

  it('checks a sparkconnect profile: image, version, sizes, counts, idle minutes', () => {
    assert.deepEqual(
      validateProfile({
        ...sparkconnect,
        image: 'registry.local/spark:latest',
        serverMemory: 'big',
        executorInstances: 0,
        serverCores: 1.5,
        idleMinutes: -1,
        nodeSelector: { 'bad key': 'x' }
      }),
      [
        'Profile "mine": the Spark version of image registry.local/spark:latest is unknown (no version in its tag); set sparkVersion, e.g. 4.0.1.',
        'Profile "mine": server memory "big" is not a size; use a number with k, m, g or t, e.g. 2g.',
        'Profile "mine": server cores must be a whole number of at least 1.',
        'Profile "mine": executor instances must be a whole number of at least 1.',
        'Profile "mine": idle minutes must be a whole number of at least 0 (0: never deleted for being idle).',
        'Profile "mine": node selector key "bad key" is not a valid label key.'
      ]
    );
    assert.match(
      validateProfile({ ...sparkconnect, image: '' })[0],
      /an image is required for the server and executors/
    );
    assert.match(
      validateProfile({ ...sparkconnect, sparkVersion: '4' })[0],
      /Spark version "4" is not a version like 4.0.1/
    );
  });

  it('names an unknown kind and the kinds there are', () => {
    assert.deepEqual(
      validateProfile({ name: 'x', kind: 'yarn' } as unknown as SessionProfile),
      [
        'Profile "x": kind "yarn" is unknown; use one of local, kubernetes, standalone, connect, sparkconnect.'
      ]
    );
    assert.match(
      validateProfile({ ...LOCAL_PROFILE, master: 'spark://m:7077' })[0],
      /is not a local master; use local\[\*\] or local\[N\], or a standalone profile for spark:\/\/ masters/
    );
  });
});

describe('profileWarnings', () => {
  it('flags Databricks keys with their nearest equivalent', () => {
    const warnings = profileWarnings({
      name: 'etl',
      kind: 'kubernetes',
      image: 'apache/spark:4.0.1-python3',
      conf: {
        'spark.databricks.delta.schema.autoMerge.enabled': 'true',
        'spark.databricks.io.cache.enabled': 'true',
        'spark.databricks.sql.initial.catalog.name': 'main',
        'spark.databricks.somethingNew': '1',
        'spark.sql.shuffle.partitions': '8'
      }
    });
    assert.equal(warnings.length, 4);
    assert.match(
      warnings[0],
      /^Profile "etl": conf "spark\.databricks\.delta\.schema\.autoMerge\.enabled" is a Databricks setting: open-source Delta Lake reads its own spark\.databricks\.delta\.\* keys too; it takes effect with the Delta preset/
    );
    assert.match(
      warnings[1],
      /io\.cache\.enabled" is a Databricks setting: the Databricks disk cache .* has no open-source equivalent/
    );
    assert.match(warnings[2], /spark\.sql\.defaultCatalog/);
    assert.match(
      warnings[3],
      /only Databricks Runtime reads it; open-source Spark ignores it/
    );
  });

  it('keeps quiet about Delta keys when the Delta preset is on', () => {
    assert.deepEqual(
      profileWarnings({
        ...LOCAL_PROFILE,
        storage: { delta: true },
        conf: { 'spark.databricks.delta.schema.autoMerge.enabled': 'true' }
      }),
      []
    );
  });

  it('names fields the kind does not use, and launch conf a Connect client cannot set', () => {
    assert.deepEqual(
      profileWarnings({
        name: 'w',
        kind: 'connect',
        remote: 'sc://h',
        image: 'x',
        master: 'local[*]',
        conf: {
          'spark.executor.memory': '4g',
          'spark.sql.ansi.enabled': 'true'
        }
      } as unknown as SessionProfile),
      [
        'Profile "w": a connect profile does not use "image", "master".',
        'Profile "w": "spark.executor.memory" is fixed by the Spark Connect server when it starts; a connect profile sets session conf only (spark.sql.* and other runtime settings).'
      ]
    );
    assert.deepEqual(profileWarnings(LOCAL_PROFILE), []);
  });
});

describe('the settings schema of profiles', () => {
  function schemaPath(): string {
    for (let dir = __dirname; ; dir = dirname(dir)) {
      const candidate = join(dir, 'schema', 'session.json');
      if (existsSync(candidate)) {
        return candidate;
      }
      if (dirname(dir) === dir) {
        return join(process.cwd(), 'schema', 'session.json');
      }
    }
  }
  const schema = JSON.parse(readFileSync(schemaPath(), 'utf8'));
  const ajv = new Ajv({ strict: false, allowUnionTypes: true });
  const validate = ajv.compile({ ...schema, required: [] });

  it('admits a profile of every kind, with storage presets', () => {
    const profiles = [
      LOCAL_PROFILE,
      {
        name: 'lake',
        kind: 'standalone',
        master: 'spark://m1:7077,m2:7077',
        masterUi: 'http://m1:8080',
        driverHost: '10.0.0.2',
        totalCores: 4,
        storage: {
          jars: 'maven',
          s3: {
            endpoint: 'http://minio:9000',
            bucket: 'lake',
            credentialsSecret: 'lake-credentials',
            dbfsRoot: 's3a://lake/dbfs'
          },
          delta: true,
          iceberg: { type: 'rest', uri: 'http://catalog:8181' }
        }
      },
      {
        name: 'warehouse',
        kind: 'connect',
        remote: 'sc://connect:15002',
        tls: true,
        token: { secret: 'connect', key: 'token' },
        uiUrl: 'https://connect/ui'
      },
      {
        name: 'mine',
        kind: 'sparkconnect',
        image: 'apache/spark:4.0.1-python3',
        idleMinutes: 0,
        serverCores: 2,
        serverMemory: '2g'
      }
    ];
    for (const profile of profiles) {
      assert.ok(
        validate({ profiles: [profile] }),
        JSON.stringify(validate.errors)
      );
    }
  });

  it('refuses a token value, a token in the URL and unknown kinds or fields', () => {
    for (const profile of [
      { name: 'w', kind: 'connect', remote: 'sc://h', token: 's3cr3t' },
      { name: 'w', kind: 'connect', remote: 'sc://h', token: { value: 'x' } },
      { name: 'w', kind: 'connect', remote: 'sc://h;token=x' },
      { name: 'w', kind: 'yarn' },
      { name: 'w', kind: 'local', storage: { s3: { accessKey: 'AKIA' } } },
      { name: 'w', kind: 'sparkconnect', image: 'x', idleMinutes: -1 }
    ]) {
      assert.equal(
        validate({ profiles: [profile] }),
        false,
        JSON.stringify(profile)
      );
    }
  });
});
