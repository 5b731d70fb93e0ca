import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import contract from '../kernel/contract.json';
import {
  DELTA_CATALOG,
  ICEBERG_CATALOG,
  IStoragePresets,
  S3_CREDENTIALS_PROVIDER,
  storageConf,
  validateStorage
} from '.';

const LAKEHOUSE: IStoragePresets = {
  s3: {
    endpoint: 'http://seaweed.storage:8333',
    bucket: 'lakehouse',
    credentialsSecret: 'lakehouse-s3',
    dbfsRoot: 's3a://lakehouse/dbfs'
  },
  delta: true,
  iceberg: { type: 'hadoop' }
};

describe('storageConf', () => {
  it('is empty without presets', () => {
    assert.deepEqual(storageConf(undefined, 'kernel'), {});
  });

  it('reads the bucket through S3A with the environment credential provider', () => {
    const conf = storageConf(LAKEHOUSE, 'kernel');
    assert.equal(
      conf['spark.hadoop.fs.s3a.endpoint'],
      'http://seaweed.storage:8333'
    );
    assert.equal(conf['spark.hadoop.fs.s3a.path.style.access'], 'true');
    assert.equal(conf['spark.hadoop.fs.s3a.endpoint.region'], 'us-east-1');
    assert.equal(conf['spark.hadoop.fs.s3a.connection.ssl.enabled'], 'false');
    assert.equal(
      conf['spark.hadoop.fs.s3a.aws.credentials.provider'],
      S3_CREDENTIALS_PROVIDER
    );
    assert.equal(conf[contract.dbfsRootConf], 's3a://lakehouse/dbfs');
  });

  it('names the credentials Secret and its keys, never a value', () => {
    const conf = storageConf(LAKEHOUSE, 'kernel');
    assert.equal(conf[contract.storage.credentialsSecret], 'lakehouse-s3');
    assert.equal(conf[contract.storage.accessKeyKey], 'AWS_ACCESS_KEY_ID');
    assert.equal(conf[contract.storage.secretKeyKey], 'AWS_SECRET_ACCESS_KEY');
    assert.equal(
      conf['spark.kubernetes.executor.secretKeyRef.AWS_ACCESS_KEY_ID'],
      'lakehouse-s3:AWS_ACCESS_KEY_ID'
    );
    assert.equal(
      conf['spark.kubernetes.driver.secretKeyRef.AWS_ACCESS_KEY_ID'],
      undefined,
      'the kernel is the driver: it reads the Secret itself'
    );
    const pods = storageConf(
      {
        s3: {
          ...LAKEHOUSE.s3!,
          accessKeyKey: 'id',
          secretKeyKey: 'key'
        }
      },
      'kubernetes'
    );
    assert.equal(
      pods['spark.kubernetes.driver.secretKeyRef.AWS_SECRET_ACCESS_KEY'],
      'lakehouse-s3:key'
    );
    assert.equal(
      pods['spark.kubernetes.executor.secretKeyRef.AWS_SECRET_ACCESS_KEY'],
      'lakehouse-s3:key'
    );
    for (const key of Object.keys(pods)) {
      assert.ok(
        !/secret\.key|access\.key|fs\.s3a\.(access|secret)/.test(key),
        `${key} would carry a credential value`
      );
    }
  });

  it('adds Delta (extension, catalog) and Iceberg (extension, catalog on the bucket)', () => {
    const conf = storageConf(LAKEHOUSE, 'kernel');
    assert.equal(
      conf['spark.sql.extensions'],
      'io.delta.sql.DeltaSparkSessionExtension,org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions'
    );
    assert.equal(conf['spark.sql.catalog.spark_catalog'], DELTA_CATALOG);
    assert.equal(conf['spark.sql.catalog.lakehouse'], ICEBERG_CATALOG);
    assert.equal(conf['spark.sql.catalog.lakehouse.type'], 'hadoop');
    assert.equal(
      conf['spark.sql.catalog.lakehouse.warehouse'],
      's3a://lakehouse/iceberg'
    );
    const rest = storageConf(
      {
        iceberg: {
          catalog: 'main',
          type: 'rest',
          uri: 'https://catalog.example:8181'
        }
      },
      'kernel'
    );
    assert.equal(
      rest['spark.sql.catalog.main.uri'],
      'https://catalog.example:8181'
    );
    assert.equal(rest['spark.sql.catalog.main.warehouse'], undefined);
  });

  it('resolves the tested Maven packages, without the AWS SDK bundle', () => {
    const conf = storageConf({ ...LAKEHOUSE, iceberg: undefined }, 'kernel');
    const packages = conf['spark.jars.packages'].split(',');
    assert.ok(packages.includes('org.apache.hadoop:hadoop-aws:3.5.0'));
    assert.ok(packages.some(p => p.startsWith('io.delta:delta-spark_')));
    assert.ok(
      conf['spark.jars.excludes']
        .split(',')
        .includes('software.amazon.awssdk:bundle')
    );
    // Delta's UPDATE/MERGE need the classic connector: no v2 mode on 4.3's only.
    assert.equal(conf['spark.databricks.delta.v2.enableMode'], 'STRICT');
    const image = storageConf({ ...LAKEHOUSE, jars: 'image' }, 'kernel');
    assert.equal(image['spark.jars.packages'], undefined);
    assert.equal(image['spark.sql.catalog.spark_catalog'], DELTA_CATALOG);
  });

  it('takes the Spark 4.1 packages for a Spark 4.1 kernel: Delta and Iceberg', () => {
    const conf = storageConf(LAKEHOUSE, 'kernel', '4.1.4');
    const packages = conf['spark.jars.packages'].split(',');
    assert.deepEqual(packages, [
      'org.apache.hadoop:hadoop-aws:3.4.2',
      'software.amazon.awssdk:s3:2.29.52',
      'software.amazon.awssdk:s3-transfer-manager:2.29.52',
      'io.delta:delta-spark_4.1_2.13:4.4.0',
      'org.apache.iceberg:iceberg-spark-runtime-4.1_2.13:1.12.0'
    ]);
    assert.ok(
      conf['spark.jars.excludes']
        .split(',')
        .includes('software.amazon.awssdk:bundle')
    );
    // Delta's classic connector links on 4.1: no kernel-based read mode forced.
    assert.equal(conf['spark.databricks.delta.v2.enableMode'], undefined);
    assert.equal(
      conf['spark.sql.extensions'],
      'io.delta.sql.DeltaSparkSessionExtension,org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions'
    );
    assert.equal(conf['spark.sql.catalog.lakehouse.type'], 'hadoop');
    // The default set stays Spark 4.3's.
    assert.equal(contract.storage.packages.default, '4.3');
    assert.ok(
      storageConf(LAKEHOUSE, 'kernel')['spark.jars.packages'].includes(
        'io.delta:delta-spark_4.2_2.13:4.4.0'
      )
    );
  });
});

describe('validateStorage', () => {
  const delta: IStoragePresets = { ...LAKEHOUSE, iceberg: undefined };

  it('accepts a bucket with Delta', () => {
    assert.deepEqual(validateStorage(delta, 'lake'), []);
    assert.deepEqual(validateStorage(undefined, 'lake'), []);
  });

  it('refuses hostile or malformed endpoints and buckets', () => {
    const bad: Array<[Partial<NonNullable<IStoragePresets['s3']>>, RegExp]> = [
      [{ endpoint: 'seaweed:8333' }, /not an http\(s\) URL/],
      [{ endpoint: 'file:///etc/passwd' }, /not an http\(s\) URL/],
      [{ endpoint: 'http://host:1/\nspark.master=x' }, /not an http\(s\) URL/],
      [{ endpoint: "http://host');import os;('" }, /not an http\(s\) URL/],
      [{ endpoint: 'http://h:1,http://other' }, /not an http\(s\) URL/],
      [
        { endpoint: 'http://AKIA:s3cr3t@host:9000' },
        /must not carry credentials/
      ],
      [{ endpoint: 'http://host:9000/?x=1' }, /no query/],
      [{ bucket: 'Bad_Bucket' }, /not a bucket name/],
      [{ bucket: 'b"; rm -rf /' }, /not a bucket name/],
      [{ region: 'us east' }, /not a region/],
      [{ credentialsSecret: 'My Secret' }, /not a Kubernetes Secret name/],
      [{ accessKeyKey: 'a key' }, /not a Secret key/],
      [{ dbfsRoot: '/local/path' }, /not a URI/]
    ];
    for (const [change, expected] of bad) {
      const errors = validateStorage(
        { s3: { ...LAKEHOUSE.s3!, ...change } },
        'lake'
      );
      assert.equal(errors.length, 1, `${JSON.stringify(change)}: ${errors}`);
      assert.match(errors[0], expected);
      assert.match(errors[0], /^Profile "lake": /);
    }
  });

  it('refuses key names without their Secret', () => {
    const errors = validateStorage(
      { s3: { endpoint: 'http://h:1', accessKeyKey: 'id' } },
      'lake'
    );
    assert.match(errors.join(' '), /needs "credentialsSecret"/);
  });

  it('checks the Iceberg catalog', () => {
    const iceberg = (i: IStoragePresets['iceberg']) =>
      validateStorage({ jars: 'image', s3: LAKEHOUSE.s3, iceberg: i }, 'lake');
    assert.deepEqual(iceberg({ type: 'hadoop' }), []);
    assert.match(
      iceberg({ type: 'hadoop', catalog: 'x.y' }).join(' '),
      /not a SQL identifier/
    );
    assert.match(
      iceberg({ type: 'hadoop', catalog: 'spark_catalog' }).join(' '),
      /cannot be named spark_catalog/
    );
    assert.match(
      iceberg({ type: 'nessie' as 'rest' }).join(' '),
      /not one of hadoop, jdbc, rest/
    );
    assert.match(
      iceberg({ type: 'jdbc', uri: 'http://x' }).join(' '),
      /needs a JDBC URI/
    );
    assert.match(
      iceberg({ type: 'jdbc', uri: 'jdbc:postgresql://db/x?password=p' }).join(
        ' '
      ),
      /must not carry a password/
    );
    assert.match(
      iceberg({ type: 'rest', uri: 'https://u:p@cat' }).join(' '),
      /must not carry a password/
    );
    assert.match(
      validateStorage({ iceberg: { type: 'hadoop' } }, 'lake').join(' '),
      /needs a warehouse/
    );
  });

  it('says when no tested jars exist for the Spark version', () => {
    assert.match(
      validateStorage(LAKEHOUSE, 'lake', '4.3.0').join(' '),
      /Iceberg has no release for Spark 4\.3 .*use a kernel with Spark 4\.1,/
    );
    assert.deepEqual(validateStorage(LAKEHOUSE, 'lake', '4.1.4'), []);
    assert.match(
      validateStorage(delta, 'lake', '3.5.1').join(' '),
      /no Maven packages are known to work with Spark 3\.5/
    );
    assert.deepEqual(
      validateStorage({ ...LAKEHOUSE, jars: 'image' }, 'lake', '4.3.0'),
      []
    );
  });
});
