import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import { JOB_ENV, RUNTIME_ARCHIVE_BASE64 } from '../kernel';
import { CRDS, crdSchema, schemaProblems } from '../manifests/fixtures.spec';
import type { IManifest } from '../manifests';
import { storageConf } from '../session/storage';
import type { IStoragePresets } from '../session/profile';
import {
  buildPublication,
  closureSources,
  IPublishForm,
  IPublishSource,
  notebookParameters,
  publishDefaults,
  scheduleDefaults,
  scopesForUses,
  secretUses,
  validatePublishForm
} from './index';

function notebook(sources: string[], metadata: Record<string, unknown> = {}) {
  return {
    cells: sources.map((source, i) => ({
      id: `c${i}`,
      cell_type: (source.startsWith('# md') ? 'markdown' : 'code') as
        'code' | 'markdown',
      metadata: {},
      source
    })),
    metadata: metadata as never
  };
}

function source(
  cells: string[],
  files: Record<string, string> = {},
  metadata: Record<string, unknown> = {}
): IPublishSource {
  return {
    notebook: notebook(cells, metadata),
    path: 'team/etl daily.ipynb',
    load: async path => files[path] ?? null
  };
}

function form(overrides: Partial<IPublishForm> = {}): IPublishForm {
  return {
    ...publishDefaults({
      notebookPath: 'team/etl daily.ipynb',
      namespace: 'alice',
      parameters: { day: '2024-01-01' },
      secretScopes: scopesForUses([{ scope: 'db', key: 'password' }]),
      timeZone: 'Europe/Paris',
      owner: 'alice'
    }),
    ...overrides
  };
}

const CELLS = [
  "day = dbutils.widgets.get('day')",
  "pw = dbutils.secrets.get('db', 'password')",
  '%sql\nSELECT 1'
];

async function publish(f: IPublishForm, s = source(CELLS)) {
  const result = await buildPublication(s, f);
  if ('problems' in result) {
    assert.fail(result.problems.map(p => p.message).join('\n'));
  }
  return result.publication;
}

function env(app: IManifest): Array<Record<string, unknown>> {
  const spec = (app.spec as Record<string, unknown>).template
    ? ((app.spec as { template: Record<string, unknown> }).template as never)
    : (app.spec as never);
  const driver = (spec as { driver: { template: { spec: never } } }).driver;
  const container = (
    driver.template.spec as { containers: Array<{ env: never }> }
  ).containers[0];
  return container.env;
}

describe('publishDefaults', () => {
  it('takes resources, image and conf from a kubernetes profile', () => {
    const f = publishDefaults({
      notebookPath: 'a/b/My Report.ipynb',
      namespace: 'ns',
      parameters: {},
      secretScopes: {},
      timeZone: 'UTC',
      profile: {
        name: 'k8s',
        kind: 'kubernetes',
        image: 'repo/spark:4.0.1-python3',
        executorInstances: 3,
        executorMemory: '4g',
        driverMemory: '2g',
        conf: {
          'spark.sql.shuffle.partitions': '8',
          'spark.master': 'k8s://x'
        }
      }
    });
    assert.equal(f.image, 'repo/spark:4.0.1-python3');
    assert.equal(f.sparkVersion, '4.0.1');
    assert.equal(f.executor.instances, 3);
    assert.equal(f.executor.memory, '4g');
    assert.equal(f.driver.memory, '2g');
    assert.deepEqual(f.sparkConf, { 'spark.sql.shuffle.partitions': '8' });
    assert.match(f.name, /^my-report-[0-9a-f]{6}$/);
    assert.equal(validatePublishForm(f).length, 0);
    // Valid with a schedule too (the name fits the shorter limit).
    f.schedule = scheduleDefaults('UTC');
    assert.deepEqual(validatePublishForm(f), []);
  });
});

describe('publishDefaults from the other kinds', () => {
  const input = {
    notebookPath: 'lake.ipynb',
    namespace: 'ns',
    parameters: {},
    secretScopes: {},
    timeZone: 'UTC'
  };

  it('takes image, version and resources from a sparkconnect profile', () => {
    const f = publishDefaults({
      ...input,
      profile: {
        name: 'mine',
        kind: 'sparkconnect',
        image: 'registry.local/spark:team',
        sparkVersion: '4.0.1',
        serverCores: 2,
        serverMemory: '3g',
        executorInstances: 4,
        executorCores: 2,
        executorMemory: '2g',
        nodeSelector: { pool: 'spark' }
      }
    });
    assert.equal(f.image, 'registry.local/spark:team');
    assert.equal(f.sparkVersion, '4.0.1');
    assert.deepEqual(f.driver, { cores: 2, memory: '3g' });
    assert.deepEqual(f.executor, { cores: 2, memory: '2g', instances: 4 });
    assert.deepEqual(f.nodeSelector, { pool: 'spark' });
    assert.deepEqual(validatePublishForm(f), []);
  });

  it('takes executor sizes from a standalone profile and the default image', () => {
    const f = publishDefaults({
      ...input,
      profile: {
        name: 'lake',
        kind: 'standalone',
        master: 'spark://m:7077',
        executorCores: 3,
        executorMemory: '6g'
      }
    });
    assert.equal(f.image, 'apache/spark:4.0.1-python3');
    assert.deepEqual(f.executor, { cores: 3, memory: '6g', instances: 2 });
    const c = publishDefaults({
      ...input,
      profile: {
        name: 'w',
        kind: 'connect',
        remote: 'sc://h',
        conf: { 'spark.sql.ansi.enabled': 'true' }
      }
    });
    assert.deepEqual(c.sparkConf, { 'spark.sql.ansi.enabled': 'true' });
    assert.equal(c.storage, undefined);
  });
});

describe('validatePublishForm', () => {
  const cases: Array<[string, Partial<IPublishForm>, string, RegExp]> = [
    ['bad name', { name: 'Bad_Name' }, 'name', /name "Bad_Name"/],
    [
      'too long for a schedule',
      { name: 'a'.repeat(40), schedule: scheduleDefaults('UTC') },
      'name',
      /timestamp/
    ],
    [
      'bad executor memory',
      { executor: { cores: 1, memory: 'lots', instances: 1 } },
      'executor',
      /executor memory "lots"/
    ],
    [
      'bad driver cores',
      { driver: { cores: 0, memory: '1g' } },
      'driver',
      /driver cores/
    ],
    ['bad image', { image: 'has space' }, 'image', /image/],
    [
      'bad cron',
      { schedule: { ...scheduleDefaults('UTC'), schedule: '61 * * * *' } },
      'schedule',
      /minute/
    ],
    [
      'bad zone',
      { schedule: { ...scheduleDefaults('Mars/Olympus') } },
      'timeZone',
      /Mars\/Olympus/
    ],
    [
      'schedule on apache',
      { operator: 'apache', schedule: scheduleDefaults('UTC') },
      'schedule',
      /no schedules/
    ],
    [
      'managed conf',
      { sparkConf: { 'spark.master': 'local' } },
      'sparkConf',
      /set by the publisher/
    ],
    [
      'parameter name with =',
      { parameters: { 'a=b': 'x' } },
      'parameters',
      /--name value/
    ],
    [
      'run output with a newline',
      { runOutput: 's3a://b/x\ny' },
      'runOutput',
      /without spaces/
    ]
  ];
  for (const [title, overrides, field, message] of cases) {
    it(`${title} → at ${field}`, () => {
      const problems = validatePublishForm(form(overrides));
      const at = problems.filter(p => p.field === field);
      assert.ok(
        at.some(p => message.test(p.message)),
        JSON.stringify(problems)
      );
    });
  }
});

describe('buildPublication', () => {
  it('gives byte-identical YAML for the same inputs', async () => {
    const a = await publish(form());
    const b = await publish(form());
    assert.equal(a.yaml, b.yaml);
    assert.equal(a.hash, b.hash);
    // Parameter order in the form does not matter.
    const c = await publish(
      form({ parameters: { zz: '1', day: '2024-01-01' } })
    );
    const d = await publish(
      form({ parameters: { day: '2024-01-01', zz: '1' } })
    );
    assert.equal(c.yaml, d.yaml);
  });

  it('names the ConfigMap by content: a changed notebook is a new ConfigMap', async () => {
    const a = await publish(form());
    const b = await publish(form(), source([...CELLS, 'print(1)']));
    assert.notEqual(a.configMap.metadata.name, b.configMap.metadata.name);
    assert.equal(a.application.metadata.name, b.application.metadata.name);
  });

  it('carries parameters as arguments, secrets as references, the job ids as env', async () => {
    const p = await publish(form({ runOutput: 's3a://bucket/runs/' }));
    const spec = p.application.spec as Record<string, unknown>;
    assert.deepEqual(spec.arguments, ['--day', '2024-01-01']);
    const vars = env(p.application);
    assert.deepEqual(
      vars.find(v => v.name === 'SPARK_K8S_SECRET_DB_PASSWORD'),
      {
        name: 'SPARK_K8S_SECRET_DB_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'db', key: 'password' } }
      }
    );
    assert.deepEqual(
      vars.find(v => v.name === JOB_ENV.jobId),
      { name: JOB_ENV.jobId, value: p.application.metadata.name }
    );
    assert.ok(vars.find(v => v.name === JOB_ENV.runId)?.valueFrom);
    assert.deepEqual(
      vars.find(v => v.name === JOB_ENV.runOutput),
      {
        name: JOB_ENV.runOutput,
        value: 's3a://bucket/runs/'
      }
    );
    const conf = spec.sparkConf as Record<string, string>;
    assert.equal(conf['spark.eventLog.enabled'], 'true');
    assert.equal(conf['spark.eventLog.dir'], 's3a://bucket/runs/event-logs');
    const cm = p.configMap as unknown as Record<string, never>;
    assert.equal(cm.immutable, true);
    assert.ok((cm.data as Record<string, string>)['job.py'].length > 0);
    assert.equal(
      (cm.binaryData as Record<string, string>)['spark_k8s_runtime.zip'],
      RUNTIME_ARCHIVE_BASE64
    );
  });

  it('passes the real CRD schemas for every kind', async () => {
    const once = await publish(form());
    const sched = await publish(
      form({ schedule: scheduleDefaults('Europe/Paris') })
    );
    const apache = await publish(form({ operator: 'apache' }));
    for (const [p, crd, version] of [
      [once, CRDS.kubeflowApp, 'v1beta2'],
      [sched, CRDS.kubeflowScheduled, 'v1beta2'],
      [apache, CRDS.apacheApp, 'v1']
    ] as const) {
      const schema = crdSchema(crd, version);
      assert.deepEqual(
        schemaProblems(p.application.spec, schema.properties!.spec),
        []
      );
    }
    const spec = sched.application.spec as Record<string, unknown>;
    assert.equal(spec.timeZone, 'Europe/Paris');
  });

  it('keeps hostile strings data: the YAML reads back exactly', async () => {
    const hostile =
      'x"; import os; os.system("id") #\n: - [ ] { } & * ! | > \' % @ `';
    const p = await publish(
      form({
        parameters: { day: hostile },
        sparkConf: { 'spark.app.note': hostile }
      }),
      source([`print(${JSON.stringify(hostile)})`])
    );
    const docs = yaml.loadAll(p.yaml) as IManifest[];
    assert.equal(docs.length, 2);
    const spec = docs[1].spec as Record<string, unknown>;
    assert.deepEqual(spec.arguments, ['--day', hostile]);
    assert.equal(
      (spec.sparkConf as Record<string, string>)['spark.app.note'],
      hostile
    );
    assert.deepEqual(docs[0], JSON.parse(JSON.stringify(p.configMap)));
  });

  it('reports a missing %run target at the notebook, and an oversized job with its size', async () => {
    const missing = await buildPublication(source(['%run ./nowhere']), form());
    assert.ok('problems' in missing);
    assert.equal(missing.problems[0].field, 'notebook');
    assert.match(missing.problems[0].message, /nowhere/);
    const big = await buildPublication(
      source([`x = '${'a'.repeat(1_100_000)}'`]),
      form()
    );
    assert.ok('problems' in big);
    assert.match(big.problems[0].message, /ConfigMap holds at most 1,000,000/);
  });

  it('never puts a secret value anywhere: only the reference', async () => {
    const p = await publish(form());
    assert.doesNotMatch(p.yaml, /hunter2/);
    assert.match(p.yaml, /secretKeyRef/);
  });
});

describe('secrets and parameters found in the closure', () => {
  it('finds literal secret reads in the notebook and the notebooks it runs', async () => {
    const s = source(
      ['%run ./lib', 'dbutils.secrets.get(scope=\'api\', key="token")'],
      {
        'team/lib.ipynb': JSON.stringify({
          cells: [{ source: ["dbutils.secrets.getBytes('db', 'cert')"] }]
        }),
        'team/lib': JSON.stringify({
          cells: [{ source: ["dbutils.secrets.getBytes('db', 'cert')"] }]
        })
      }
    );
    const uses = secretUses(await closureSources(s));
    assert.deepEqual(uses, [
      { scope: 'api', key: 'token' },
      { scope: 'db', key: 'cert' }
    ]);
    assert.deepEqual(scopesForUses(uses, { db: 'database-creds' }), {
      api: { secret: 'api', env: { token: 'SPARK_K8S_SECRET_API_TOKEN' } },
      db: {
        secret: 'database-creds',
        env: { cert: 'SPARK_K8S_SECRET_DB_CERT' }
      }
    });
    assert.deepEqual(secretUses(['x = "{{secrets/s3/key-id}}"']), [
      { scope: 's3', key: 'key-id' }
    ]);
  });

  it('takes widgets from metadata, literal declarations and the kept values', () => {
    const params = notebookParameters(
      {
        metadata: {
          spark_k8s: {
            widgets: { env: { type: 'text', defaultValue: 'dev' } },
            widgetValues: { day: '2024-02-02' }
          }
        } as never
      },
      [
        "dbutils.widgets.text('day', '2024-01-01')",
        'dbutils.widgets.dropdown("env", "prod", ["dev", "prod"])',
        "dbutils.widgets.text(name='limit', defaultValue='10')"
      ]
    );
    assert.deepEqual(params, { env: 'dev', day: '2024-02-02', limit: '10' });
  });
});

describe('buildPublication with storage presets', () => {
  // The Spark the storage packages are known for.
  const SPARK_4_3 = {
    image: 'apache/spark:4.3.0-python3',
    sparkVersion: '4.3.0'
  };
  const storage: IStoragePresets = {
    s3: {
      endpoint: 'http://seaweed.storage.svc:8333',
      region: 'us-east-1',
      bucket: 'lake',
      credentialsSecret: 'lake-credentials',
      accessKeyKey: 'id',
      dbfsRoot: 's3a://lake/dbfs'
    },
    delta: true
  };

  function containers(app: IManifest, role: 'driver' | 'executor') {
    const spec = app.spec as Record<string, unknown>;
    const body = (spec.template ?? spec) as Record<string, never>;
    const pod =
      app.apiVersion === 'spark.apache.org/v1'
        ? (body[`${role}Spec`] as { podTemplateSpec: never }).podTemplateSpec
        : (body[role] as { template: never }).template;
    return (pod as { spec: { containers: Array<{ env?: unknown[] }> } }).spec
      .containers[0];
  }

  it('takes the presets from the profile', () => {
    const f = publishDefaults({
      notebookPath: 'lake.ipynb',
      namespace: 'ns',
      parameters: {},
      secretScopes: {},
      timeZone: 'UTC',
      profile: {
        name: 'lake',
        kind: 'standalone',
        master: 'spark://m:7077',
        driverMemory: '3g',
        storage
      }
    });
    assert.deepEqual(f.storage, storage);
    assert.notEqual(f.storage, storage);
    assert.equal(f.driver.memory, '3g');
  });

  it('carries their conf, and the credentials as secretKeyRef on driver and executors only', async () => {
    for (const [operator, schedule, crd, version] of [
      ['kubeflow', undefined, CRDS.kubeflowApp, 'v1beta2'],
      ['kubeflow', scheduleDefaults('UTC'), CRDS.kubeflowScheduled, 'v1beta2'],
      ['apache', undefined, CRDS.apacheApp, 'v1']
    ] as const) {
      const p = await publish(
        form({ operator, schedule, storage, ...SPARK_4_3 })
      );
      const schema = crdSchema(crd, version);
      assert.deepEqual(
        schemaProblems(p.application.spec, schema.properties!.spec),
        [],
        `${operator} ${schedule ? 'scheduled' : ''}`
      );
      const spec = p.application.spec as Record<string, unknown>;
      const conf = ((spec.template ?? spec) as { sparkConf: never })
        .sparkConf as Record<string, string>;
      for (const [key, value] of Object.entries(
        storageConf(storage, 'kubernetes', '4.3.0')
      )) {
        if (
          key.includes('secretKeyRef') ||
          key.startsWith('spark.jupyter.s3.')
        ) {
          assert.equal(conf[key], undefined, key);
        } else {
          assert.equal(conf[key], value, key);
        }
      }
      for (const role of ['driver', 'executor'] as const) {
        const vars = containers(p.application, role).env ?? [];
        assert.deepEqual(
          vars.filter(v => /^AWS_/.test((v as { name: string }).name)),
          [
            {
              name: 'AWS_ACCESS_KEY_ID',
              valueFrom: {
                secretKeyRef: { name: 'lake-credentials', key: 'id' }
              }
            },
            {
              name: 'AWS_SECRET_ACCESS_KEY',
              valueFrom: {
                secretKeyRef: {
                  name: 'lake-credentials',
                  key: 'AWS_SECRET_ACCESS_KEY'
                }
              }
            }
          ],
          `${operator} ${role}`
        );
      }
      assert.doesNotMatch(
        p.yaml,
        /AWS_ACCESS_KEY_ID: |value: .*lake-credentials/
      );
      assert.ok(!p.warnings.some(w => /credentials Secret/.test(w)));
    }
  });

  it('warns when the bucket has no credentials Secret, and flags Databricks conf', async () => {
    const p = await publish(
      form({
        ...SPARK_4_3,
        storage: { s3: { endpoint: 'http://s3:9000' } },
        sparkConf: { 'spark.databricks.io.cache.enabled': 'true' }
      })
    );
    assert.ok(
      p.warnings.some(w =>
        /The S3 storage preset names no credentials Secret/.test(w)
      ),
      p.warnings.join('\n')
    );
    assert.ok(
      p.warnings.some(w =>
        /^Spark conf "spark\.databricks\.io\.cache\.enabled" is a Databricks setting: the Databricks disk cache/.test(
          w
        )
      ),
      p.warnings.join('\n')
    );
    const vars = containers(p.application, 'driver').env ?? [];
    assert.ok(!vars.some(v => /^AWS_/.test((v as { name: string }).name)));
  });

  it('refuses a hostile endpoint or Secret name with the reasons, creating nothing', async () => {
    const hostile = 'x"; import os #\n: - [ ]';
    const result = await buildPublication(
      source(CELLS),
      form({
        ...SPARK_4_3,
        storage: {
          s3: { endpoint: hostile, credentialsSecret: hostile }
        }
      })
    );
    assert.ok('problems' in result);
    const messages = result.problems.map(p => p.message).join('\n');
    assert.match(messages, /S3 endpoint [\s\S]* is not an http\(s\) URL/);
    assert.match(
      messages,
      /S3 credentials Secret [\s\S]* is not a Kubernetes Secret name/
    );
  });
});
