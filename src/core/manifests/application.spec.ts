import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import {
  buildApacheApplication,
  buildApplication,
  buildKubeflowApplication,
  buildKubeflowScheduledApplication,
  DRIVER_CONTAINER,
  EXECUTOR_CONTAINER,
  ManifestError
} from './application';
import {
  buildJobConfigMap,
  CONFIGMAP_MAX_BYTES,
  jobConfigMapName,
  jobContentHash
} from './configmap';
import { sampleSchedule, sampleSpec } from './fixtures.spec';
import { toYaml } from './yaml';
import { validateJobSpec } from './validate';

describe('buildKubeflowApplication', () => {
  const app = buildKubeflowApplication(sampleSpec()) as any;

  it('runs the mounted script in cluster mode with the archive as --py-files', () => {
    assert.equal(app.apiVersion, 'sparkoperator.k8s.io/v1beta2');
    assert.equal(app.kind, 'SparkApplication');
    assert.equal(app.spec.type, 'Python');
    assert.equal(app.spec.mode, 'cluster');
    assert.equal(app.spec.pythonVersion, '3');
    assert.equal(
      app.spec.mainApplicationFile,
      'local:///opt/spark-k8s/job/job.py'
    );
    assert.deepEqual(app.spec.deps, {
      pyFiles: ['local:///opt/spark-k8s/job/runtime.zip']
    });
    assert.deepEqual(app.spec.arguments, sampleSpec().arguments);
  });

  it('mounts the ConfigMap and maps secrets only through pod templates', () => {
    for (const field of [
      'volumes',
      'configMaps',
      'env',
      'envVars',
      'envSecretKeyRefs',
      'secrets',
      'volumeMounts',
      'tolerations'
    ]) {
      assert.equal(app.spec[field], undefined, field);
      assert.equal(app.spec.driver[field], undefined, `driver.${field}`);
      assert.equal(app.spec.executor[field], undefined, `executor.${field}`);
    }
    const driver = app.spec.driver.template.spec;
    assert.equal(driver.containers[0].name, DRIVER_CONTAINER);
    assert.equal(
      driver.containers[0].terminationMessagePolicy,
      'FallbackToLogsOnError'
    );
    assert.deepEqual(driver.volumes, [
      {
        name: 'spark-k8s-job',
        configMap: { name: 'etl-daily-3fa9c1-0123456789' }
      }
    ]);
    assert.deepEqual(driver.containers[0].volumeMounts, [
      { name: 'spark-k8s-job', mountPath: '/opt/spark-k8s/job', readOnly: true }
    ]);
    assert.deepEqual(driver.containers[0].env, [
      {
        name: 'DB_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } }
      },
      {
        name: 'S3_KEY',
        valueFrom: { secretKeyRef: { name: 's3', key: 'access-key' } }
      }
    ]);
    const executor = app.spec.executor.template.spec;
    assert.equal(executor.containers[0].name, EXECUTOR_CONTAINER);
    assert.equal(executor.containers[0].terminationMessagePolicy, undefined);
    assert.deepEqual(
      executor.containers[0].env.map((e: any) => e.name),
      ['S3_KEY']
    );
    assert.deepEqual(executor.volumes, driver.volumes);
    assert.deepEqual(executor.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.equal(executor.tolerations[0].key, 'spark');
  });

  it('normalizes memory to Spark sizes and passes CPU through Spark settings', () => {
    assert.equal(app.spec.driver.memory, '2g');
    assert.equal(app.spec.driver.memoryOverhead, '512m');
    assert.equal(app.spec.executor.memory, '4g');
    assert.equal(app.spec.executor.instances, 2);
    assert.equal(
      app.spec.sparkConf['spark.kubernetes.driver.request.cores'],
      '500m'
    );
    assert.equal(
      app.spec.sparkConf['spark.kubernetes.driver.limit.cores'],
      '2'
    );
  });

  it('writes restart, TTL, dynamic allocation, labels and annotations', () => {
    assert.deepEqual(app.spec.restartPolicy, {
      type: 'OnFailure',
      onFailureRetries: 2,
      onSubmissionFailureRetries: 2,
      onFailureRetryInterval: 30,
      onSubmissionFailureRetryInterval: 30
    });
    assert.equal(app.spec.timeToLiveSeconds, 86400);
    assert.equal(app.spec.dynamicAllocation.shuffleTrackingEnabled, true);
    assert.deepEqual(app.metadata.labels, {
      'spark-k8s.jupyter.org/app': 'etl-daily-3fa9c1',
      'spark-k8s.jupyter.org/managed-by': 'jupyterlab-spark-k8s',
      'spark-k8s.jupyter.org/owner': 'alice-example.com'
    });
    assert.deepEqual(app.metadata.annotations, {
      'spark-k8s.jupyter.org/content-hash': 'ab'.repeat(32),
      'spark-k8s.jupyter.org/notebook-path': 'Team Folder/ETL daily.ipynb',
      'spark-k8s.jupyter.org/owner': 'alice@example.com'
    });
    assert.deepEqual(
      app.spec.driver.template.metadata.labels,
      app.metadata.labels
    );
  });

  it('writes only the restart type for Never', () => {
    const never = buildKubeflowApplication(
      sampleSpec({ restartPolicy: { type: 'Never', retries: 3 } })
    ) as any;
    assert.deepEqual(never.spec.restartPolicy, { type: 'Never' });
  });
});

describe('buildKubeflowScheduledApplication', () => {
  const schedule = sampleSchedule();
  const spec = sampleSpec({ name: 'etl-nightly' });
  const scheduled = buildKubeflowScheduledApplication(spec, schedule) as any;

  it('wraps the same application spec and always writes timeZone', () => {
    assert.equal(scheduled.kind, 'ScheduledSparkApplication');
    assert.deepEqual(
      scheduled.spec.template,
      (buildKubeflowApplication(spec) as any).spec
    );
    assert.equal(scheduled.spec.schedule, '30 6 * * MON-FRI');
    assert.equal(scheduled.spec.timeZone, 'Europe/Paris');
    assert.equal(scheduled.spec.timezone, undefined);
    assert.equal(scheduled.spec.concurrencyPolicy, 'Forbid');
    assert.equal(scheduled.spec.suspend, false);
    assert.equal(scheduled.spec.successfulRunHistoryLimit, 3);
    assert.equal(scheduled.spec.failedRunHistoryLimit, 5);
    const utc = buildKubeflowScheduledApplication(
      spec,
      sampleSchedule({ timeZone: 'UTC' })
    ) as any;
    assert.equal(utc.spec.timeZone, 'UTC');
  });

  it('rejects a bad cron, a bad zone and a name too long for its runs', () => {
    assert.throws(
      () =>
        buildKubeflowScheduledApplication(
          spec,
          sampleSchedule({ schedule: '61 * * * *' })
        ),
      /minute field "61": 61 is outside 0–59/
    );
    assert.throws(
      () =>
        buildKubeflowScheduledApplication(
          spec,
          sampleSchedule({ timeZone: 'Paris' })
        ),
      /not an IANA zone name/
    );
    assert.throws(
      () =>
        buildKubeflowScheduledApplication(
          sampleSpec({ name: 'a'.repeat(40) }),
          sampleSchedule({ schedule: '0 0 0 * * ?' })
        ),
      (error: unknown) =>
        error instanceof ManifestError &&
        error.problems.length === 2 &&
        /the limit is 36/.test(error.problems[0]) &&
        /Quartz/.test(error.problems[1])
    );
  });
});

describe('buildApacheApplication', () => {
  const app = buildApacheApplication(sampleSpec()) as any;

  it('puts the main file in pyFiles, the archive in spark.submit.pyFiles, resources in sparkConf', () => {
    assert.equal(app.apiVersion, 'spark.apache.org/v1');
    assert.equal(app.spec.pyFiles, 'local:///opt/spark-k8s/job/job.py');
    assert.equal(
      app.spec.sparkConf['spark.submit.pyFiles'],
      'local:///opt/spark-k8s/job/runtime.zip'
    );
    assert.equal(
      app.spec.sparkConf['spark.kubernetes.container.image'],
      'ghcr.io/example/spark-py:4.0.1'
    );
    assert.equal(
      app.spec.sparkConf[
        'spark.kubernetes.authenticate.driver.serviceAccountName'
      ],
      'spark'
    );
    assert.equal(app.spec.sparkConf['spark.driver.memory'], '2g');
    assert.equal(app.spec.sparkConf['spark.executor.memory'], '4g');
    assert.equal(app.spec.sparkConf['spark.dynamicAllocation.enabled'], 'true');
    assert.deepEqual(app.spec.runtimeVersions, { sparkVersion: '4.0.1' });
    assert.deepEqual(app.spec.driverArgs, sampleSpec().arguments);
    assert.deepEqual(
      Object.keys(app.spec.sparkConf),
      Object.keys(app.spec.sparkConf).slice().sort()
    );
  });

  it('maps restart, TTL and executor bounds to applicationTolerations', () => {
    assert.deepEqual(app.spec.applicationTolerations, {
      restartConfig: {
        restartPolicy: 'OnFailure',
        maxRestartAttempts: 2,
        restartBackoffMillis: 30000
      },
      instanceConfig: { initExecutors: 2, minExecutors: 1, maxExecutors: 5 },
      ttlAfterStopMillis: 86400000
    });
  });

  it('uses the same pod templates as kubeflow', () => {
    const kubeflow = buildKubeflowApplication(sampleSpec()) as any;
    assert.deepEqual(
      app.spec.driverSpec.podTemplateSpec,
      kubeflow.spec.driver.template
    );
    assert.deepEqual(
      app.spec.executorSpec.podTemplateSpec,
      kubeflow.spec.executor.template
    );
  });
});

describe('buildApplication', () => {
  it('returns an explicit error for a schedule on the Apache operator', () => {
    const result = buildApplication(
      sampleSpec({ name: 'etl-nightly' }),
      'apache',
      sampleSchedule()
    );
    assert.ok('errors' in result);
    assert.match(
      result.errors[0],
      /Apache Spark Kubernetes Operator has no schedules/
    );
  });

  it('picks the builder by operator and schedule', () => {
    const spec = sampleSpec({ name: 'etl-nightly' });
    const kinds = [
      buildApplication(spec, 'kubeflow'),
      buildApplication(spec, 'kubeflow', sampleSchedule()),
      buildApplication(spec, 'apache')
    ].map(r =>
      'manifest' in r
        ? `${r.manifest.apiVersion} ${r.manifest.kind}`
        : r.errors.join()
    );
    assert.deepEqual(kinds, [
      'sparkoperator.k8s.io/v1beta2 SparkApplication',
      'sparkoperator.k8s.io/v1beta2 ScheduledSparkApplication',
      'spark.apache.org/v1 SparkApplication'
    ]);
  });

  it('returns the problems instead of throwing', () => {
    const result = buildApplication(
      sampleSpec({ name: 'Bad_Name' }),
      'kubeflow'
    );
    assert.ok('errors' in result);
    assert.match(result.errors[0], /uppercase/);
  });
});

describe('determinism', () => {
  it('gives byte-identical YAML for the same input, whatever the key order', () => {
    const a = sampleSpec();
    const b = sampleSpec({
      sparkConf: Object.fromEntries(Object.entries(a.sparkConf).reverse()),
      nodeSelector: { 'kubernetes.io/os': 'linux' }
    });
    for (const build of [buildKubeflowApplication, buildApacheApplication]) {
      assert.equal(toYaml([build(a)]), toYaml([build(b)]));
      assert.equal(toYaml([build(a)]), toYaml([build(sampleSpec())]));
    }
  });

  it('joins the ConfigMap and the application into one stream that parses back', () => {
    const cm = buildJobConfigMap({
      appName: 'etl-daily-3fa9c1',
      namespace: 'alice',
      files: { 'job.py': 'print("hi")\n' },
      binaryFiles: { 'runtime.zip': Uint8Array.from([80, 75, 3, 4, 0, 255]) }
    });
    assert.ok('manifest' in cm);
    const app = buildKubeflowApplication(
      sampleSpec({ configMapName: cm.manifest.metadata.name as string })
    );
    const text = toYaml([cm.manifest, app]);
    assert.deepEqual(yaml.loadAll(text), [cm.manifest, app]);
    assert.equal(text.split('\n---\n').length, 2);
  });
});

describe('hostile inputs', () => {
  const bad: Array<[string, Partial<ReturnType<typeof sampleSpec>>, RegExp]> = [
    ['uppercase name', { name: 'ETL' }, /uppercase/],
    ['path name', { name: '../etc' }, /only lowercase letters/],
    ['newline name', { name: 'a\nb' }, /only lowercase letters/],
    [
      '300-char name',
      { name: 'a'.repeat(300) },
      /300 characters long; the limit is 50/
    ],
    ['name starting with a digit', { name: '1job' }, /start with a letter/],
    ['bad namespace', { namespace: 'Alice' }, /namespace .*uppercase/],
    ['image with a space', { image: 'repo/img:1 --privileged' }, /image/],
    ['memory 1.5g', { driver: { cores: 1, memory: '1.5g' } }, /1536m/],
    ['zero cores', { executor: { cores: 0, memory: '1g' } }, /executor cores/],
    [
      'negative retries',
      { restartPolicy: { type: 'OnFailure', retries: -1 } },
      /retries/
    ],
    ['script path with slash', { mainFile: '../job.py' }, /no '\/'/],
    ['bad label value', { labels: { team: 'a b' } }, /label value/],
    [
      'long label value',
      { labels: { team: 'x'.repeat(64) } },
      /the limit is 63/
    ],
    ['bad label key', { labels: { 'bad key': 'v' } }, /key "bad key"/],
    [
      'bad env name',
      { secretEnv: [{ env: 'A-B', secret: 's', key: 'k' }] },
      /environment variable/
    ],
    [
      'managed conf',
      { sparkConf: { 'spark.kubernetes.driver.podTemplateFile': '/x' } },
      /set by the publisher/
    ],
    [
      'conf key with newline',
      { sparkConf: { 'a\nb': 'v' } },
      /not a valid key/
    ],
    [
      'min > max executors',
      {
        dynamicAllocation: { enabled: true, minExecutors: 5, maxExecutors: 2 }
      },
      /more than maximum/
    ],
    [
      'bad hash',
      { source: { notebookPath: 'a.ipynb', contentHash: 'XYZ' } },
      /content hash/
    ]
  ];
  for (const [label, overrides, pattern] of bad) {
    it(`rejects ${label}`, () => {
      const problems = validateJobSpec(sampleSpec(overrides));
      assert.ok(
        problems.some(p => pattern.test(p)),
        problems.join('\n')
      );
      assert.throws(
        () => buildKubeflowApplication(sampleSpec(overrides)),
        ManifestError
      );
    });
  }

  it('accepts the sample as valid', () => {
    assert.deepEqual(validateJobSpec(sampleSpec()), []);
    assert.deepEqual(
      validateJobSpec(sampleSpec({ name: 'etl-nightly' }), sampleSchedule()),
      []
    );
  });

  it('escapes conf values, arguments and annotations with quotes, newlines and YAML words', () => {
    const spec = sampleSpec({
      arguments: [
        'yes',
        'no',
        '~',
        'null',
        '0x1F',
        '1e3',
        '- x',
        '"',
        "it's",
        'a\nb',
        'tab\there',
        '#c',
        ''
      ],
      sparkConf: {
        'spark.x': 'line1\nline2: "q" # c\n',
        'spark.y': 'on',
        'spark.z': '012'
      },
      source: {
        notebookPath: 'dir/it\'s "x"\n: #.ipynb',
        contentHash: 'ab'.repeat(32),
        owner: 'Ünïcødé user'
      }
    });
    for (const build of [buildKubeflowApplication, buildApacheApplication]) {
      const manifest = build(spec);
      assert.deepEqual(yaml.load(toYaml([manifest])), manifest);
    }
    const labels = (buildKubeflowApplication(spec) as any).metadata.labels;
    assert.equal(labels['spark-k8s.jupyter.org/owner'], 'n-c-d-user');
  });
});

describe('buildJobConfigMap', () => {
  const files = { 'job.py': 'print("héllo")\n' };
  const zip = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);

  it('names it by content hash, base64-encodes the archive and marks it immutable', () => {
    const cm = buildJobConfigMap({
      appName: 'etl-daily-3fa9c1',
      namespace: 'alice',
      files,
      binaryFiles: { 'runtime.zip': zip },
      labels: { a: 'b' }
    });
    assert.ok('manifest' in cm);
    assert.equal(
      cm.manifest.metadata.name,
      jobConfigMapName('etl-daily-3fa9c1', cm.hash)
    );
    assert.match(
      cm.manifest.metadata.name as string,
      /^etl-daily-3fa9c1-[0-9a-f]{10}$/
    );
    assert.equal(cm.manifest.immutable, true);
    assert.deepEqual(cm.manifest.data, files);
    assert.equal(
      (cm.manifest.binaryData as any)['runtime.zip'],
      Buffer.from(zip).toString('base64')
    );
    assert.equal(
      cm.bytes,
      'job.py'.length +
        Buffer.byteLength(files['job.py']) +
        'runtime.zip'.length +
        1000
    );
  });

  it('changes the name when any byte changes, not when key order does', () => {
    const h = jobContentHash(files, { 'runtime.zip': zip });
    const changed = zip.slice();
    changed[500] ^= 1;
    assert.notEqual(jobContentHash(files, { 'runtime.zip': changed }), h);
    assert.notEqual(
      jobContentHash({ 'job2.py': files['job.py'] }, { 'runtime.zip': zip }),
      h
    );
    assert.equal(
      jobContentHash({ ...files }, { 'runtime.zip': zip.slice() }),
      h
    );
    assert.equal(
      jobContentHash({ b: '1', a: '2' }),
      jobContentHash({ a: '2', b: '1' })
    );
    // Framing: moving bytes between name and content changes the hash.
    assert.notEqual(jobContentHash({ ab: 'c' }), jobContentHash({ a: 'bc' }));
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.equal(h.length, createHash('sha256').digest('hex').length);
  });

  it('rejects a job over the size limit with its size', () => {
    const big = new Uint8Array(CONFIGMAP_MAX_BYTES);
    const cm = buildJobConfigMap({
      appName: 'etl',
      namespace: 'alice',
      files,
      binaryFiles: { 'runtime.zip': big }
    });
    assert.ok('error' in cm);
    assert.match(
      cm.error,
      /The job is 1,000,0\d\d bytes \(job\.py 16, runtime\.zip 1,000,000\); a ConfigMap holds at most 1,000,000 bytes/
    );
  });

  it('rejects bad file names and bad app names', () => {
    const cm = buildJobConfigMap({
      appName: 'Bad',
      namespace: 'alice',
      files: { '../x': '' }
    });
    assert.ok('error' in cm);
    assert.match(cm.error, /uppercase/);
    assert.match(cm.error, /file name "..\/x"/);
  });
});
