import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import {
  CRDS,
  crdSchema,
  schemaProblems
} from '../core/manifests/fixtures.spec';
import { CliError } from './errors';
import { findNotebook, IJobArgs, runJob } from './job';

/** The test data (job JSONs and an imported workspace), shared with the CLI's pytest. */
function dataDir(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, 'jupyterlab_spark_k8s/tests/data/jobs');
      if (existsSync(candidate)) {
        return candidate;
      }
      if (dirname(dir) === dir) {
        break;
      }
    }
  }
  throw new Error('jupyterlab_spark_k8s/tests/data/jobs not found');
}

const DATA = dataDir();
const WORKSPACE = join(DATA, 'workspace');

type Doc = { [key: string]: any };

async function run(
  job: string,
  extra: Partial<IJobArgs> = {}
): Promise<{ out: string; written: string[]; warnings: string[] }> {
  const out = join(mkdtempSync(join(tmpdir(), 'spark-k8s-job-')), 'out');
  const warnings: string[] = [];
  const written = await runJob({
    job: job.includes('/') ? job : join(DATA, job),
    workspace: WORKSPACE,
    output: out,
    warn: m => warnings.push(m),
    ...extra
  });
  return { out, written, warnings };
}

async function failure(
  job: string,
  extra: Partial<IJobArgs> = {}
): Promise<{ message: string; out: string }> {
  const out = join(mkdtempSync(join(tmpdir(), 'spark-k8s-job-')), 'out');
  try {
    await runJob({
      job: job.includes('/') ? job : join(DATA, job),
      workspace: WORKSPACE,
      output: out,
      warn: () => undefined,
      ...extra
    });
  } catch (e) {
    assert.ok(e instanceof CliError, String(e));
    return { message: e.message, out };
  }
  assert.fail('the command succeeded');
}

function docs(path: string): Doc[] {
  return yaml.loadAll(readFileSync(path, 'utf8')) as Doc[];
}

function envOf(podTemplate: Doc): Record<string, Doc> {
  const [container] = podTemplate.spec.containers;
  return Object.fromEntries((container.env ?? []).map((e: Doc) => [e.name, e]));
}

function writeJob(json: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'spark-k8s-jobjson-'));
  const path = join(dir, 'job.json');
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('spark-k8s job', () => {
  it('writes a scheduled application and a script per notebook task (2.1)', async () => {
    const { out, written, warnings } = await run('nightly-2.1.json');
    const names = written.map(p => p.slice(out.length + 1));
    assert.equal(names.length, 4, names.join(' '));
    assert.deepEqual(readdirSync(out).sort(), [...names].sort());
    const ingest = names.find(n =>
      /^sales-nightly-ingest-[0-9a-f]{6}\.yaml$/.test(n)
    );
    const transform = names.find(n =>
      /^sales-nightly-transform-[0-9a-f]{6}\.yaml$/.test(n)
    );
    assert.ok(ingest && transform, names.join(' '));

    const [cm, app] = docs(join(out, ingest));
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(app.kind, 'ScheduledSparkApplication');
    assert.equal(app.metadata.name, ingest.replace(/\.yaml$/, ''));
    assert.equal(app.metadata.namespace, 'default');
    const spec = app.spec;
    assert.equal(spec.schedule, '30 2 * * MON-FRI');
    assert.equal(spec.timeZone, 'Europe/Paris');
    assert.equal(spec.suspend, true);
    assert.equal(spec.concurrencyPolicy, 'Forbid');
    const t = spec.template;
    // base_parameters, with the job's parameter env winning.
    assert.deepEqual(t.arguments, ['--day', '2024-06-01', '--env', 'prod']);
    assert.deepEqual(t.dynamicAllocation, {
      enabled: true,
      minExecutors: 1,
      maxExecutors: 6,
      shuffleTrackingEnabled: true
    });
    assert.equal(t.executor.instances, 1);
    assert.deepEqual(t.restartPolicy, {
      type: 'OnFailure',
      onFailureRetries: 2,
      onSubmissionFailureRetries: 2,
      onFailureRetryInterval: 60,
      onSubmissionFailureRetryInterval: 60
    });
    assert.equal(t.sparkConf['spark.sql.shuffle.partitions'], '48');
    assert.equal(t.sparkConf['spark.kubernetes.driverEnv.STAGE'], 'prod');
    assert.equal(t.sparkConf['spark.executorEnv.STAGE'], 'prod');
    assert.ok(
      !Object.keys(t.sparkConf).some(k => k.startsWith('spark.databricks.')),
      JSON.stringify(t.sparkConf)
    );
    const driverEnv = envOf(t.driver.template);
    // The job's env var and the notebook's dbutils.secrets.get, as references only.
    assert.deepEqual(driverEnv.DB_PASSWORD.valueFrom, {
      secretKeyRef: { name: 'sales', key: 'db-password' }
    });
    assert.deepEqual(driverEnv.SPARK_K8S_SECRET_SALES_API_TOKEN.valueFrom, {
      secretKeyRef: { name: 'sales', key: 'api-token' }
    });
    assert.ok(envOf(t.executor.template).DB_PASSWORD);
    assert.equal(
      app.metadata.annotations['spark-k8s.jupyter.org/notebook-path'],
      'Repos/team/etl/ingest.py'
    );

    // The script carries the notebook and its %run closure.
    const script = readFileSync(
      join(out, ingest.replace(/yaml$/, 'py')),
      'utf8'
    );
    assert.equal(cm.data['job.py'], script);
    assert.match(script, /orders_path/);
    assert.match(script, /api-token/);
    for (const file of names) {
      assert.doesNotMatch(
        readFileSync(join(out, file), 'utf8'),
        /\{\{\s*secrets/
      );
    }

    // Every field is one the operator's CRD declares (a misspelt one would be pruned).
    for (const file of names.filter(n => n.endsWith('.yaml'))) {
      const [, application] = docs(join(out, file));
      assert.deepEqual(
        schemaProblems(
          application,
          crdSchema(CRDS.kubeflowScheduled, 'v1beta2')
        ),
        [],
        file
      );
    }

    const [, app2] = docs(join(out, transform));
    assert.deepEqual(app2.spec.template.arguments, ['--env', 'prod']);
    assert.equal(app2.spec.schedule, '30 2 * * MON-FRI');

    for (const pattern of [
      /^task "notify": spark_python_task is not converted/,
      /dependencies are not kept \("transform" after ingest; "notify" after transform\)/,
      /^job cluster "etl": new_cluster\.init_scripts \(1\) are not run/,
      /^job cluster "etl": new_cluster\.spark_conf "spark\.databricks\.delta\.optimizeWrite\.enabled" is Databricks-only/,
      /^email_notifications is not carried over/,
      /^timeout_seconds is not carried over/,
      /^task "ingest": libraries are not installed \(pypi requests==2\.32\.3\)/,
      /^No run output location/
    ]) {
      assert.ok(
        warnings.some(w => pattern.test(w)),
        `${pattern}\n${warnings.join('\n')}`
      );
    }
    // A publication warning common to every task is said once.
    assert.equal(warnings.filter(w => /No run output/.test(w)).length, 1);
  });

  it('converts a 2.0 job, a /Workspace path and a SQL SOURCE notebook', async () => {
    const { out, written } = await run('report-2.0.json', {
      namespace: 'reports',
      image: 'registry.example.com/spark:3.5.3-py',
      operator: 'kubeflow'
    });
    assert.equal(written.length, 2);
    const yamlFile = written.find(p => p.endsWith('.yaml'))!;
    assert.match(
      yamlFile.slice(out.length + 1),
      /^daily-report-[0-9a-f]{6}\.yaml$/
    );
    const [, app] = docs(yamlFile);
    assert.deepEqual(
      schemaProblems(app, crdSchema(CRDS.kubeflowScheduled, 'v1beta2')),
      []
    );
    assert.equal(app.metadata.namespace, 'reports');
    assert.equal(app.spec.schedule, '0 6 * * *');
    assert.equal(app.spec.timeZone, 'America/New_York');
    assert.equal(app.spec.concurrencyPolicy, 'Allow');
    assert.equal(app.spec.suspend, false);
    const t = app.spec.template;
    assert.equal(t.image, 'registry.example.com/spark:3.5.3-py');
    assert.equal(t.sparkVersion, '3.5.3');
    assert.equal(t.executor.instances, 3);
    assert.equal(t.restartPolicy.onFailureRetryInterval, 2);
    assert.equal(
      app.metadata.annotations['spark-k8s.jupyter.org/notebook-path'],
      'Shared/report.sql'
    );
    assert.match(
      readFileSync(
        written.find(p => p.endsWith('.py'))!,
        'utf8'
      ),
      /SELECT 1 AS one/
    );
  });

  it('is deterministic and maps secret scopes', async () => {
    const a = await run('nightly-2.1.json', {
      secretScopes: ['sales=sales-creds']
    });
    const b = await run('nightly-2.1.json', {
      secretScopes: ['sales=sales-creds']
    });
    assert.deepEqual(
      a.written.map(p => p.slice(a.out.length)),
      b.written.map(p => p.slice(b.out.length))
    );
    for (const p of a.written) {
      assert.equal(
        readFileSync(p, 'utf8'),
        readFileSync(b.out + p.slice(a.out.length), 'utf8')
      );
    }
    const [, app] = docs(a.written.find(p => /ingest.*\.yaml$/.test(p))!);
    const env = envOf(app.spec.template.driver.template);
    assert.equal(env.DB_PASSWORD.valueFrom.secretKeyRef.name, 'sales-creds');
    assert.equal(
      env.SPARK_K8S_SECRET_SALES_API_TOKEN.valueFrom.secretKeyRef.name,
      'sales-creds'
    );
  });

  it('a missing notebook names the path and where it looked; nothing is written', async () => {
    const { message, out } = await failure('missing-notebook.json');
    assert.match(message, /nothing written/);
    assert.match(
      message,
      /task "absent": notebook \/Repos\/team\/etl\/does-not-exist not found in the workspace; looked for .*Repos\/team\/etl\/does-not-exist\{\.ipynb,\.py,\.sql/
    );
    assert.doesNotMatch(message, /task "present"/);
    assert.equal(existsSync(out), false);
  });

  it('a Quartz schedule cron cannot express stops the command, naming L', async () => {
    const { message, out } = await failure('quartz-l.json');
    assert.match(
      message,
      /schedule\.quartz_cron_expression: The day-of-month field "L" uses 'L'/
    );
    assert.equal(existsSync(out), false);
  });

  it('the Apache operator: once works, a schedule is refused', async () => {
    const once = writeJob({
      name: 'once',
      notebook_task: {
        notebook_path: '/Repos/team/etl/transform',
        base_parameters: { env: 'qa' }
      },
      new_cluster: { num_workers: 2 }
    });
    const { written } = await run(once, { operator: 'apache' });
    const [, app] = docs(written.find(p => p.endsWith('.yaml'))!);
    assert.equal(app.apiVersion, 'spark.apache.org/v1');
    assert.deepEqual(schemaProblems(app, crdSchema(CRDS.apacheApp, 'v1')), []);
    assert.deepEqual(app.spec.driverArgs, ['--env', 'qa']);
    assert.equal(app.spec.sparkConf['spark.executor.instances'], '2');
    const { message } = await failure('report-2.0.json', {
      operator: 'apache'
    });
    assert.match(message, /no schedules/);
  });

  it('refuses paths outside the workspace, bad flags and unreadable jobs', async () => {
    const escape = writeJob({
      name: 'escape',
      notebook_task: { notebook_path: '/../../../etc/passwd' }
    });
    assert.match((await failure(escape)).message, /outside the workspace/);
    assert.match(
      (await failure('report-2.0.json', { operator: 'yarn' })).message,
      /--operator "yarn" is not one of kubeflow, apache/
    );
    assert.match(
      (await failure('report-2.0.json', { secretScopes: ['sales'] })).message,
      /--secret-scope "sales" is not SCOPE=SECRET/
    );
    assert.match(
      (await failure('report-2.0.json', { workspace: join(DATA, 'nope') }))
        .message,
      /workspace folder .*nope does not exist/
    );
    assert.match(
      (await failure(join(DATA, 'absent.json'))).message,
      /Cannot read .*absent\.json/
    );
    const notJson = join(
      mkdtempSync(join(tmpdir(), 'spark-k8s-jobjson-')),
      'x.json'
    );
    writeFileSync(notJson, '{"name": ');
    assert.match(
      (await failure(notJson)).message,
      /is not a job definition: its JSON does not parse/
    );
  });

  it('finds notebooks with or without an extension, any export format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spark-k8s-ws-'));
    mkdirSync(join(dir, 'Users/ana'), { recursive: true });
    writeFileSync(join(dir, 'Users/ana/a.html'), '<html></html>');
    writeFileSync(
      join(dir, 'Users/ana/b.py'),
      '# Databricks notebook source\n'
    );
    writeFileSync(join(dir, 'Users/ana/b.ipynb'), '{}');
    assert.deepEqual(findNotebook(dir, '/Users/ana/a'), {
      file: join(dir, 'Users/ana/a.html'),
      path: 'Users/ana/a.html'
    });
    // .ipynb first; an explicit extension is taken as written.
    assert.equal(
      (findNotebook(dir, '/Workspace/Users/ana/b') as { path: string }).path,
      'Users/ana/b.ipynb'
    );
    assert.equal(
      (findNotebook(dir, '/Users/ana/b.py') as { path: string }).path,
      'Users/ana/b.py'
    );
    const missing = findNotebook(dir, '/Workspace/Users/ana/c');
    assert.ok('looked' in missing);
    assert.equal(missing.looked.length, 2);
  });
});
