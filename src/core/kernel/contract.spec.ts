/**
 * The kernel contract, end to end: every builder's Python runs in a real IPython
 * kernel (jupyter_client, as JupyterLab drives it) with the runtime loaded from
 * its archive, and answers as the lab expects. A rename on either side fails here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { HOSTILE } from '../testing/hostile';
import {
  announceSession,
  failCell,
  jobBootstrap,
  JOB_ENV,
  PROGRESS_MIME,
  registerNotebook,
  registerRun,
  runJob,
  scriptEnd,
  scriptStart,
  runInline,
  runtimeBootstrap,
  RUNTIME_ARCHIVE_BASE64,
  RUNTIME_ARCHIVE_SHA256,
  RUNTIME_ERROR_NAME,
  RUNTIME_MODULE,
  SESSION_MIME,
  setNotebookPath,
  setWidgetValues,
  sqlCell,
  startSession,
  stopSession,
  textMagicCell,
  unsupportedCell,
  widgetsExpression
} from '.';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const PYTHON = process.env.PYTHON ?? 'python3';

interface IOutput {
  type: string;
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

interface IStepResult {
  status: string;
  ename: string | null;
  evalue: string | null;
  outputs: IOutput[];
  user_expressions: Record<string, any>;
}

interface IStep {
  code: string;
  user_expressions?: Record<string, string>;
}

function runInKernel(steps: IStep[]): IStepResult[] {
  const out = execFileSync(
    PYTHON,
    [join(ROOT, 'tests', 'contract', 'kernel_driver.py')],
    {
      input: JSON.stringify(steps),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000
    }
  );
  return JSON.parse(out.toString('utf8'));
}

function text(result: IStepResult, name = 'stdout'): string {
  return result.outputs
    .filter(o => o.type === 'stream' && o.name === name)
    .map(o => o.text)
    .join('');
}

/** What a step displayed under `mime`; its Spark progress output only when asked for. */
function displayed(result: IStepResult, mime: string): unknown[] {
  return result.outputs
    .filter(o => o.type === 'display_data' && o.data && mime in o.data)
    .filter(o => mime === PROGRESS_MIME || !(PROGRESS_MIME in o.data!))
    .map(o => o.data![mime]);
}

describe('kernel contract', () => {
  const secretEnv = 'SPARK_K8S_SECRET_TEAM_TOKEN';
  const steps: IStep[] = [
    // 0: start, with resolved secret scopes
    {
      code: startSession({
        conf: {
          'spark.master': 'local[1]',
          'spark.app.name': 'contract',
          'spark.ui.enabled': 'false',
          'spark.sql.shuffle.partitions': '1'
        },
        podTemplate: null,
        secretScopes: {
          team: { secret: 'team-secret', env: { token: secretEnv } }
        },
        notebookPath: 'team/contract.ipynb'
      })
    },
    // 1: where the runtime came from
    {
      code: [
        'import hashlib, json, sys',
        `m = sys.modules[${JSON.stringify(RUNTIME_MODULE)}]`,
        'z = m.__file__.split(".zip")[0] + ".zip"',
        'print(json.dumps({"same": _spark_k8s_runtime is m, "file": m.__file__, "sha": hashlib.sha256(open(z, "rb").read()).hexdigest()}))'
      ].join('\n')
    },
    // 2: announce the running session again (a reloaded page)
    { code: announceSession() },
    // 3: a %sql cell with a widget and a named marker
    {
      code: sqlCell(
        [
          {
            kind: 'create_widget',
            type: 'text',
            name: 'who',
            defaultValue: 'world'
          },
          { kind: 'sql', statement: 'SELECT :who AS v', markers: ['who'] }
        ],
        5
      )
    },
    // 4: parameter-bar values in, declared widgets out
    {
      code: setWidgetValues({ who: HOSTILE[9] }),
      user_expressions: { widgets: widgetsExpression() }
    },
    // 5: the value reached SQL
    { code: 'print(_sqldf.collect()[0][0])' },
    {
      code: sqlCell(
        [{ kind: 'sql', statement: 'SELECT :who AS v', markers: ['who'] }],
        5
      )
    },
    { code: 'print(_sqldf.collect()[0][0])' },
    // 8-11: text magics
    { code: textMagicCell('markdown', '# Title') },
    { code: textMagicCell('sh', 'echo from-sh') },
    { code: textMagicCell('pip', '--version') },
    { code: unsupportedCell('scala') },
    // 12: %run inlines a callee with its params
    {
      code:
        registerRun('lib/helpers.ipynb', [
          'helper_level = dbutils.widgets.get("level")'
        ]) +
        runInline('lib/helpers.ipynb', { level: 'deep' }) +
        '\nprint(helper_level)'
    },
    // 13: dbutils.notebook.run of a registered notebook, in-process
    {
      code:
        registerNotebook('./child', [
          'dbutils.notebook.exit("child got " + dbutils.widgets.get("n"))'
        ]) + 'print(dbutils.notebook.run("./child", 60, {"n": "21"}))'
    },
    // 14: a cell that cannot run fails with its kind and message, exactly
    { code: failCell('RunError', HOSTILE[9]) },
    // 15: a secret from the environment named by the resolved scope, redacted
    {
      code: `import os\nos.environ[${JSON.stringify(secretEnv)}] = "tok-123456"\nprint(dbutils.secrets.get("team", "token"))`
    },
    // 16: dbutils.notebook.run with a timeout: a clear error, the kernel goes on
    {
      code:
        registerNotebook('./slow', ['import time\ntime.sleep(120)']) +
        [
          'import time',
          't0 = time.time()',
          'try:',
          '    dbutils.notebook.run("./slow", 2)',
          'except Exception as e:',
          '    print(type(e).__name__, e)',
          'print("waited", round(time.time() - t0))'
        ].join('\n')
    },
    { code: 'print(spark.range(4).count())' },
    // 18: %fs lists a folder as a table
    { code: textMagicCell('fs_magic', 'ls file:///') },
    // 19: stop
    { code: stopSession() },
    // 20: stop again is harmless
    { code: stopSession() },
    // 21: the notebook context in a kernel: the path the lab gave, no job or run id
    {
      code: [
        'import json',
        'ctx = dbutils.notebook.entry_point.getDbutils().notebook().getContext()',
        'print(json.dumps([ctx.notebookPath().get(), ctx.jobId().isDefined(), json.loads(ctx.toJson())["tags"]]))',
        setNotebookPath(HOSTILE[9]).trim(),
        'ctx = dbutils.notebook.entry_point.getDbutils().notebook().getContext()',
        'print(json.dumps(ctx.notebookPath().get()))'
      ].join('\n')
    },
    // 22: task values in a kernel: get answers the debug value, as on Databricks
    {
      code: [
        'dbutils.jobs.taskValues.set("rows", 3)',
        'print(dbutils.jobs.taskValues.get("etl", "rows", debugValue=42))',
        'dbutils.jobs.taskValues.get("etl", "rows")'
      ].join('\n')
    }
  ];
  let results: IStepResult[] = [];

  before(() => {
    results = runInKernel(steps);
  });

  it('every step but the failing cell succeeds', () => {
    results.forEach((r, i) => {
      if (i !== 14 && i !== 22) {
        assert.equal(r.status, 'ok', `step ${i}: ${r.ename}: ${r.evalue}`);
      }
    });
  });

  it('loads the runtime from the archive the build made, checked by hash', () => {
    const info = JSON.parse(text(results[1]));
    assert.equal(info.same, true);
    assert.match(info.file, /spark_k8s_runtime\.zip\/spark_k8s_runtime\//);
    assert.equal(info.sha, RUNTIME_ARCHIVE_SHA256);
    const shipped = readFileSync(
      join(ROOT, 'jupyterlab_spark_k8s', 'spark_k8s_runtime.zip')
    );
    assert.equal(
      createHash('sha256').update(shipped).digest('hex'),
      RUNTIME_ARCHIVE_SHA256
    );
    assert.equal(
      Buffer.from(RUNTIME_ARCHIVE_BASE64, 'base64').equals(shipped),
      true
    );
  });

  it('announces the session under the session MIME type', () => {
    const [started] = displayed(results[0], SESSION_MIME) as any[];
    assert.equal(started.state, 'ready');
    assert.match(started.appId, /^local-/);
    const [again] = displayed(results[2], SESSION_MIME) as any[];
    assert.equal(again.appId, started.appId);
    assert.deepEqual(displayed(results[19], SESSION_MIME), [
      { state: 'stopped' }
    ]);
  });

  it('runs %sql with widgets, and parameter values reach SQL unchanged', () => {
    const table = displayed(results[3], 'text/plain')[0] as string;
    assert.match(table, /world/);
    const widgets = results[4].user_expressions.widgets;
    assert.equal(widgets.status, 'ok');
    assert.equal(widgets.data['application/json'].who.value, HOSTILE[9]);
    assert.equal(text(results[7]), HOSTILE[9] + '\n');
  });

  it('runs the text magics and says %scala is not supported without failing', () => {
    assert.deepEqual(displayed(results[8], 'text/markdown'), ['# Title']);
    assert.equal(text(results[9]), 'from-sh\n');
    assert.match(text(results[10]), /pip \d+/);
    assert.match(text(results[11], 'stderr'), /%scala cells are not supported/);
    const listing = displayed(results[18], 'text/plain')[0] as string;
    assert.match(listing, /\| path +\| name +\| size +\| modificationTime/);
    assert.match(listing, /file:\/tmp\//);
  });

  it('inlines %run and runs a registered notebook in-process', () => {
    assert.equal(text(results[12]), 'deep\n');
    assert.equal(text(results[13]), 'child got 21\n');
  });

  it('bounds dbutils.notebook.run by its timeout in a kernel, which stays usable', () => {
    const out = text(results[16]);
    assert.match(out, /timed out after 2 s/);
    const waited = Number(/waited (\d+)/.exec(out)![1]);
    assert.ok(waited < 15, `waited ${waited} s`);
    assert.equal(text(results[17]), '4\n');
  });

  it('fails a cell with its kind and the exact message', () => {
    assert.equal(results[14].status, 'error');
    assert.equal(results[14].ename, 'RunError');
    assert.equal(results[14].evalue, HOSTILE[9]);
  });

  it('reads a secret through the resolved scope and redacts it', () => {
    assert.equal(text(results[15]), '[REDACTED]\n');
  });

  it('gives a kernel the notebook context: its path, no job or run id', () => {
    const lines = text(results[21]).trim().split('\n');
    assert.deepEqual(JSON.parse(lines[0]), [
      'team/contract.ipynb',
      false,
      { notebookPath: 'team/contract.ipynb' }
    ]);
    assert.equal(JSON.parse(lines[1]), HOSTILE[9]);
  });

  it('answers taskValues.get with the debug value in a kernel, and says what to pass', () => {
    assert.equal(text(results[22]), '42\n');
    assert.equal(results[22].ename, RUNTIME_ERROR_NAME);
    assert.match(results[22].evalue!, /outside a job .* pass debugValue=/);
  });

  it('names the user-facing error class as the lab expects', () => {
    assert.equal(RUNTIME_ERROR_NAME, 'SparkK8sError');
  });

  it('gives a job the runtime from --py-files, and a clear exit without it', () => {
    const zip = join(ROOT, 'jupyterlab_spark_k8s', 'spark_k8s_runtime.zip');
    const ok = execFileSync(
      PYTHON,
      ['-c', jobBootstrap() + 'print(_spark_k8s_runtime.__name__)'],
      { env: { ...process.env, PYTHONPATH: zip } }
    ).toString();
    assert.equal(ok, 'spark_k8s_runtime\n');
    assert.throws(
      () =>
        execFileSync(PYTHON, ['-c', jobBootstrap()], {
          env: { ...process.env, PYTHONPATH: '' },
          stdio: 'pipe'
        }),
      (e: any) => /--py-files/.test(String(e.stderr))
    );
  });

  it('runs a job with the runtime from --py-files and reports a failed start as the termination message', () => {
    const zip = join(ROOT, 'jupyterlab_spark_k8s', 'spark_k8s_runtime.zip');
    const dir = mkdtempSync(join(tmpdir(), 'spark-k8s-job-'));
    const termination = join(dir, 'termination-log');
    const script =
      jobBootstrap() +
      runJob(
        [
          {
            index: 1,
            title: HOSTILE[9],
            type: 'code',
            source: 'print("never")'
          }
        ],
        { notebookPath: HOSTILE[10] }
      );
    try {
      // A malformed parameter object fails the job before Spark starts.
      execFileSync(PYTHON, ['-c', script], {
        env: {
          ...process.env,
          PYTHONPATH: zip,
          SPARK_K8S_WIDGETS: '"not an object"',
          [JOB_ENV.terminationLog]: termination,
          [JOB_ENV.job]: '1'
        },
        stdio: 'pipe'
      });
      assert.fail('the job should have failed');
    } catch (e: any) {
      assert.equal(e.status, 1, String(e.stderr));
      const message = readFileSync(termination, 'utf8');
      assert.match(
        message,
        /^The job could not start: SPARK_K8S_WIDGETS must be a JSON object/
      );
      assert.equal(String(e.stderr).trim().split('\n').pop(), message);
      assert.doesNotMatch(String(e.stdout), /never/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts and ends a script or job with the same archive, outside any kernel', () => {
    const script =
      runtimeBootstrap() +
      scriptStart({
        'spark.master': 'local[1]',
        'spark.ui.enabled': 'false',
        'spark.app.name': 'contract-script'
      }) +
      'print("rows", spark.range(2).count())\n' +
      scriptEnd();
    const out = execFileSync(PYTHON, ['-c', script], {
      timeout: 300_000
    }).toString();
    assert.match(out, /^rows 2$/m);
  });
});
