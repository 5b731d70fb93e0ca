import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import contract from '../kernel/contract.json';
import {
  connectConfForServer,
  DELTA_CATALOG,
  DRIVER_PORTS_CONF,
  IConnectProfile,
  IStandaloneProfile,
  IStoragePresets,
  LOCAL_PROFILE,
  sessionConf,
  storageConf
} from '.';

const presets: IStoragePresets = {
  jars: 'image',
  s3: {
    endpoint: 'http://127.0.0.1:8333',
    bucket: 'lake',
    credentialsSecret: 'lake-credentials'
  },
  delta: true,
  iceberg: { type: 'hadoop', warehouse: 's3a://lake/warehouse' }
};

describe('sessionConf for a standalone profile', () => {
  const profile: IStandaloneProfile = {
    name: 'lakehouse',
    kind: 'standalone',
    master: 'spark://m1:7077,m2:7077',
    masterUi: 'http://m1:8080',
    executorCores: 2,
    executorMemory: '2g',
    totalCores: 4
  };

  it('points the driver in the kernel at the master, on the port range, reachable by workers', () => {
    const conf = sessionConf(profile, {
      appName: 'nb',
      uiOrigin: 'https://hub.example.org',
      cluster: {
        available: true,
        pod: { name: 'jupyter-a', ip: '10.1.2.3', missing: [] }
      }
    });
    assert.deepEqual(conf, {
      'spark.master': 'spark://m1:7077,m2:7077',
      'spark.app.name': 'nb',
      'spark.driver.memory': '1g',
      [DRIVER_PORTS_CONF]: '7078-7099',
      'spark.ui.enabled': 'true',
      'spark.sql.variable.substitute': 'false',
      'spark.executor.cores': '2',
      'spark.executor.memory': '2g',
      'spark.cores.max': '4',
      'spark.driver.host': '10.1.2.3',
      'spark.driver.bindAddress': '0.0.0.0',
      'spark.jupyter.masterUi': 'http://m1:8080',
      'spark.ui.proxyRedirectUri': 'https://hub.example.org'
    });
  });

  it('prefers the profile driver host, and sets none when nothing is known', () => {
    const withHost = sessionConf(
      { ...profile, driverHost: 'jupyter.lan' },
      { appName: 'nb', cluster: { available: false } }
    );
    assert.equal(withHost['spark.driver.host'], 'jupyter.lan');
    const without = sessionConf(
      { name: 'p', kind: 'standalone', master: 'spark://127.0.0.1:7077' },
      { appName: '' }
    );
    assert.equal(without['spark.driver.host'], undefined);
    assert.equal(without['spark.driver.bindAddress'], undefined);
    assert.equal(without['spark.executor.cores'], undefined);
    assert.equal(without['spark.app.name'], 'jupyterlab-spark-k8s');
  });

  it('merges the storage presets for the kernel JVM, under the profile conf', () => {
    const conf = sessionConf(
      {
        ...profile,
        storage: presets,
        conf: { 'spark.sql.shuffle.partitions': '3' }
      },
      { appName: 'nb' }
    );
    for (const [key, value] of Object.entries(storageConf(presets, 'kernel'))) {
      assert.equal(conf[key], value, key);
    }
    assert.equal(conf['spark.sql.shuffle.partitions'], '3');
    assert.equal(conf['spark.hadoop.fs.s3a.endpoint'], 'http://127.0.0.1:8333');
    assert.equal(conf['spark.sql.catalog.spark_catalog'], DELTA_CATALOG);
  });

  it('keeps hostile strings as data (a value, never code or another key)', () => {
    const conf = sessionConf(
      { ...profile, conf: { 'spark.x': '"; import os; os.system("id") #' } },
      { appName: "'); drop table x; --\n" }
    );
    assert.equal(conf['spark.app.name'], "'); drop table x; --\n");
    assert.equal(conf['spark.x'], '"; import os; os.system("id") #');
  });

  it('refuses an invalid standalone profile with the reasons', () => {
    assert.throws(
      () => sessionConf({ ...profile, master: 'spark://m1' }, { appName: 'a' }),
      /master "spark:\/\/m1" is not a standalone master: "m1" has no port/
    );
  });
});

describe('sessionConf for a connect profile', () => {
  const profile: IConnectProfile = {
    name: 'warehouse',
    kind: 'connect',
    remote: 'sc://connect.example.org:443',
    tls: true,
    uiUrl: 'https://connect.example.org/ui',
    conf: { 'spark.sql.ansi.enabled': 'true' }
  };

  it('sends the remote, TLS and the token reference, no app name', () => {
    assert.deepEqual(
      sessionConf(
        { ...profile, token: { secret: 'connect', key: 'token' } },
        { appName: 'nb', uiOrigin: 'https://hub' }
      ),
      {
        'spark.remote': 'sc://connect.example.org:443',
        [contract.connect.tls]: 'true',
        [contract.connect.tokenSecret]: 'connect:token',
        [contract.connect.uiUrl]: 'https://connect.example.org/ui',
        'spark.sql.ansi.enabled': 'true'
      }
    );
  });

  it('gives exactly one token key for a file or an environment variable, none without', () => {
    const file = sessionConf(
      { ...profile, tls: false, token: { file: '/run/token' } },
      { appName: 'nb' }
    );
    assert.equal(file[contract.connect.tokenFile], '/run/token');
    assert.equal(file[contract.connect.tls], undefined);
    assert.equal(file[contract.connect.tokenEnv], undefined);
    assert.equal(file[contract.connect.tokenSecret], undefined);
    const env = sessionConf(
      { ...profile, token: { env: 'SPARK_CONNECT_TOKEN' } },
      { appName: 'nb' }
    );
    assert.equal(env[contract.connect.tokenEnv], 'SPARK_CONNECT_TOKEN');
    assert.equal(env[contract.connect.tokenFile], undefined);
    const none = sessionConf(
      { name: 'n', kind: 'connect', remote: 'sc://localhost' },
      { appName: 'nb' }
    );
    assert.deepEqual(none, { 'spark.remote': 'sc://localhost' });
  });

  it('refuses a token in the URL', () => {
    assert.throws(
      () =>
        sessionConf(
          { ...profile, remote: 'sc://h:15002/;token=s3cr3t' },
          { appName: 'a' }
        ),
      /put no token or option in the URL/
    );
  });
});

describe('sessionConf for a sparkconnect profile', () => {
  const profile = {
    name: 'mine',
    kind: 'sparkconnect' as const,
    image: 'apache/spark:4.0.1-python3'
  };

  it('connects to the server the service created, without a token', () => {
    const status = {
      endpoint: 'sc://spark-connect-ab12-server.team.svc:15002'
    };
    assert.deepEqual(connectConfForServer(status), {
      'spark.remote': 'sc://spark-connect-ab12-server.team.svc:15002'
    });
    assert.deepEqual(
      sessionConf(profile, { appName: 'nb', server: status }),
      connectConfForServer(status)
    );
  });

  it('says the server must be created first', () => {
    assert.throws(
      () => sessionConf(profile, { appName: 'nb' }),
      /Profile "mine": its SparkConnect server must be created first/
    );
  });
});

describe('storage presets in local and kubernetes conf', () => {
  it('adds the kernel presets to a local session', () => {
    const conf = sessionConf(
      { ...LOCAL_PROFILE, storage: presets },
      { appName: 'nb' }
    );
    for (const [key, value] of Object.entries(storageConf(presets, 'kernel'))) {
      assert.equal(conf[key], value, key);
    }
  });

  it('resolves the jars from Maven for the kernel Spark, and never a credential value', () => {
    const conf = sessionConf(
      {
        ...LOCAL_PROFILE,
        storage: {
          s3: {
            endpoint: 'http://127.0.0.1:8333',
            credentialsSecret: 'lake-credentials'
          },
          delta: true
        }
      },
      { appName: 'nb', sparkVersion: '4.3.0' }
    );
    assert.equal(conf['spark.hadoop.fs.s3a.endpoint'], 'http://127.0.0.1:8333');
    assert.match(conf['spark.jars.packages'], /hadoop-aws/);
    assert.match(conf['spark.jars.packages'], /delta-spark/);
    assert.match(conf['spark.sql.extensions'], /DeltaSparkSessionExtension/);
    assert.equal(
      conf['spark.kubernetes.executor.secretKeyRef.AWS_SECRET_ACCESS_KEY'],
      'lake-credentials:AWS_SECRET_ACCESS_KEY'
    );
    assert.equal(conf[contract.storage.credentialsSecret], 'lake-credentials');
  });

  it('refuses presets whose jars have no release for the Spark', () => {
    assert.throws(
      () =>
        sessionConf(
          {
            ...LOCAL_PROFILE,
            storage: { iceberg: { type: 'hadoop', warehouse: 's3a://b/w' } }
          },
          { appName: 'nb' }
        ),
      /Iceberg has no release for Spark/
    );
    assert.throws(
      () =>
        sessionConf(
          { ...LOCAL_PROFILE, storage: { s3: { endpoint: 'http://s3:9000' } } },
          { appName: 'nb', sparkVersion: '3.1.2' }
        ),
      /no Maven packages are known to work with Spark 3\.1/
    );
  });

  it('adds the executor secret references to a kubernetes (client-mode) session', () => {
    const conf = sessionConf(
      {
        name: 'k',
        kind: 'kubernetes',
        image: 'apache/spark:4.0.1-python3',
        storage: presets
      },
      {
        appName: 'nb',
        cluster: {
          available: true,
          server: 'https://10.0.0.1:443',
          namespace: 'team',
          pod: { name: 'jupyter-a', ip: '10.1.2.3', missing: [] }
        }
      }
    );
    for (const [key, value] of Object.entries(storageConf(presets, 'kernel'))) {
      assert.equal(conf[key], value, key);
    }
  });
});
