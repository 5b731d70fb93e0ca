/**
 * The Jobs view against the real test API server and the real kubeflow Spark
 * operator (kwok playing the driver pods): a notebook published on a schedule
 * shows with its cron in words and its next run; Run now starts a run whose
 * state moves through the operator's states as they happen; its driver log
 * streams; Suspend and Delete act on the cluster, and the view follows.
 */
import { expect, test } from '@jupyterlab/galata';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterAdmin } from './helpers/cluster';
import { recordStates, JobsView } from './helpers/jobs';
import { PublishDialog } from './helpers/publish';

test.use({ autoGoto: true });

const NAME = 'galata-jobs';
const SSA = `/apis/sparkoperator.k8s.io/v1beta2/namespaces/lab/scheduledsparkapplications/${NAME}`;
const APPS =
  '/apis/sparkoperator.k8s.io/v1beta2/namespaces/lab/sparkapplications';
const OPERATOR_LABEL = ['spark-k8s.test/operator', 'enabled'];

function notebook(): string {
  return JSON.stringify({
    cells: [
      { cell_type: 'markdown', source: '# Nightly sums', metadata: {} },
      {
        cell_type: 'code',
        source:
          "dbutils.widgets.text('day', 'mon')\nprint(1 + 2, dbutils.widgets.get('day'))",
        metadata: {},
        outputs: [],
        execution_count: null
      }
    ],
    metadata: {
      kernelspec: {
        display_name: 'Python 3 (ipykernel)',
        language: 'python',
        name: 'python3'
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** What the job writes as the executed notebook of `run` (the code as it was then). */
function executedNotebook(run: string): string {
  return JSON.stringify({
    cells: [
      {
        cell_type: 'markdown',
        id: 'cell-1',
        source: ['# Nightly sums'],
        metadata: {}
      },
      {
        cell_type: 'code',
        id: 'cell-2',
        source: ['print(1 + 2, day)'],
        metadata: {},
        execution_count: 1,
        outputs: [{ output_type: 'stream', name: 'stdout', text: ['3 fri\n'] }]
      }
    ],
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      },
      spark_k8s: {
        run: {
          status: 'succeeded',
          jobId: NAME,
          runId: run,
          applicationId: 'spark-0123abcd',
          parameters: { day: 'fri' }
        }
      }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** The lines kwok serves as every driver's log, when the cluster set it up. */
function kwokDriverLog(): string[] | null {
  const info = JSON.parse(
    readFileSync(
      join(process.env.SPARK_K8S_TEST_STATE!, 'cluster.json'),
      'utf8'
    )
  );
  if (!info.driver_log) {
    return null;
  }
  return readFileSync(info.driver_log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => line.split(' ').slice(3).join(' '));
}

test('a schedule in the Jobs view: next run, Run now live through the operator, driver log, Suspend, Delete', async ({
  page,
  tmpPath
}) => {
  const admin = await clusterAdmin();
  const ns = await (await admin.get('/api/v1/namespaces/lab')).json();
  expect(
    ns.metadata.labels?.[OPERATOR_LABEL[0]],
    'the "lab" namespace must carry the operator label (cluster.py lab-env)'
  ).toBe(OPERATOR_LABEL[1]);
  // A previous run against the same cluster.
  await admin.delete(SSA);
  await admin.delete(
    `${APPS}?labelSelector=sparkoperator.k8s.io/scheduled-app-name=${NAME}`
  );

  const path = `${tmpPath}/nightly.ipynb`;
  await page.contents.uploadContent(notebook(), 'text', path);
  await page.notebook.openByPath(path);
  await page.notebook.activate('nightly.ipynb');

  // Publish on a schedule (the publish form), then follow the link to the view.
  await page
    .locator('.jp-NotebookPanel-toolbar')
    .getByRole('button', { name: 'Publish' })
    .click();
  const dialog = new PublishDialog(page);
  await expect(dialog.field('Name')).toBeVisible({ timeout: 30_000 });
  await dialog.field('Name').fill(NAME);
  await dialog.root.getByRole('radio', { name: 'On a schedule' }).check();
  await dialog.field('Cron schedule').fill('0 6 * * 1-5');
  await dialog.field('Time zone').fill('Europe/Paris');
  await dialog.button('Publish').click();
  const toast = page.locator('.Toastify__toast').filter({
    hasText: `Created ScheduledSparkApplication ${NAME} in namespace lab`
  });
  await expect(toast).toBeVisible({ timeout: 60_000 });
  await toast.getByRole('button', { name: 'Open Jobs view' }).click();

  const view = new JobsView(page);
  await expect(view.root).toBeVisible();
  await expect(
    view.root.getByRole('status', { name: 'Connection' })
  ).toHaveText('Live', { timeout: 30_000 });
  const schedule = view.schedule(NAME);
  await expect(schedule).toContainText(
    'At 06:00, Monday through Friday (Europe/Paris)'
  );
  await expect(schedule).toContainText('Active');
  await expect(schedule.getByLabel(`Next run of ${NAME}`)).toContainText(
    /06:00/
  );
  await expect(schedule).toContainText(path);

  // Run now: a run of the schedule, its states as the operator writes them.
  const states = await recordStates(page, NAME);
  await view.scheduleButton(NAME, 'Run now').click();
  await expect(view.runsOf(NAME)).toHaveCount(1, { timeout: 30_000 });
  const runName = (await view.runsOf(NAME).first().getAttribute('data-run'))!;
  expect(runName).toBeTruthy();
  await expect(view.details(runName)).toBeVisible();
  await expect(view.state(runName)).toHaveText('Completed', {
    timeout: 120_000
  });
  const seen = await states();
  // In order, each as it happened (the operator's SUBMITTED, RUNNING, COMPLETED).
  const order = ['Submitted', 'Running', 'Completed'].map(s => seen.indexOf(s));
  expect(seen, `states seen: ${seen.join(' → ')}`).toEqual(
    expect.arrayContaining(['Submitted', 'Running', 'Completed'])
  );
  expect(order).toEqual([...order].sort((a, b) => a - b));
  const app = await (await admin.get(`${APPS}/${runName}`)).json();
  expect(app.metadata.labels['sparkoperator.k8s.io/scheduled-app-name']).toBe(
    NAME
  );
  expect(app.status.applicationState.state).toBe('COMPLETED');

  // The driver log, streamed by the service from pods/log.
  const lines = kwokDriverLog();
  if (lines) {
    await expect(view.log(runName)).toContainText(lines[0], {
      timeout: 30_000
    });
    await view
      .details(runName)
      .getByLabel('Search the driver log')
      .fill('cell');
    await expect(view.log(runName)).toHaveText(
      lines.filter(l => l.toLowerCase().includes('cell')).join('\n')
    );
    await view.details(runName).getByLabel('Search the driver log').fill('');
  } else {
    await expect(view.logStatus(runName)).not.toBeEmpty();
  }

  // After the run, its executed notebook (as the job writes it under the run
  // output location) opens read-only, saying the source changed since.
  const runOutput = mkdtempSync(join(tmpdir(), 'spark-k8s-run-output-'));
  mkdirSync(join(runOutput, NAME, runName), { recursive: true });
  writeFileSync(
    join(runOutput, NAME, runName, 'notebook.ipynb'),
    executedNotebook(runName)
  );
  await page.evaluate(async dir => {
    const registry = await (window as any).galata.getPlugin(
      '@jupyterlab/apputils-extension:settings'
    );
    await registry.set('jupyterlab-spark-k8s:publish', 'runOutput', dir);
  }, runOutput);
  await view
    .details(runName)
    .getByRole('button', { name: 'Executed notebook' })
    .click();
  const note = page.locator('.jp-NotebookPanel .jp-SparkK8s-jobs-note');
  await expect(note).toContainText(`Executed notebook of run ${runName}`, {
    timeout: 30_000
  });
  await expect(note).toContainText(`${path} has changed since this run.`);
  await expect(note).toContainText('Parameters: day=fri');
  await expect(note).toBeVisible();
  const copy = page
    .locator('.jp-NotebookPanel')
    .filter({ has: page.locator('.jp-SparkK8s-jobs-note') });
  await expect(copy.locator('.jp-OutputArea-output')).toContainText('3 fri');
  // Its cells cannot be edited.
  await expect(
    copy.locator('.jp-CodeCell .cm-content').first()
  ).toHaveAttribute('aria-readonly', 'true');
  await page.screenshot({ path: 'test-results/jobs-executed.png' });

  // Its Spark UI replayed by the History Server, under Jupyter's base URL.
  await page.activity.activateTab('Spark Jobs');
  const [popup] = await Promise.all([
    page.context().waitForEvent('page'),
    view
      .details(runName)
      .getByRole('button', { name: 'Spark UI (history)' })
      .click()
  ]);
  await expect
    .poll(() => popup.url())
    .toContain('/sparkhistory/history/spark-0123abcd/jobs/');
  await popup.close();

  // Closed, then opened again from the Spark panel: still live, the run still selected.
  await page.activity.closePanel('Spark Jobs');
  await expect(view.root).toHaveCount(0);
  await page.sidebar.openTab('jp-SparkK8s-sessionPanel');
  await page
    .locator('#jp-SparkK8s-sessionPanel')
    .getByRole('button', { name: 'Jobs', exact: true })
    .click();
  await expect(view.root).toBeVisible();
  await expect(view.state(runName)).toHaveText('Completed');

  // The view alone, light then dark.
  await expect(
    view.root.getByRole('status', { name: 'Connection' })
  ).toHaveText('Live', { timeout: 30_000 });
  await page.sidebar.close('left');
  await page.activity.activateTab('Spark Jobs');
  await page.setSimpleMode(true);
  await expect(view.root).toBeVisible();
  await page.screenshot({ path: 'test-results/jobs-run.png' });
  await page.theme.setDarkTheme();
  await page.screenshot({ path: 'test-results/jobs-run-dark.png' });
  await page.theme.setLightTheme();

  // Run with other parameters: a run of the template with the arguments changed.
  await view.scheduleButton(NAME, 'Run with other parameters\u2026').click();
  const form = view.schedule(NAME).getByRole('form', {
    name: 'Run with other parameters'
  });
  await expect(form.getByLabel('Parameter day')).toHaveValue('mon');
  await form.getByLabel('Parameter day').fill('sat');
  await form.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(view.runsOf(NAME)).toHaveCount(2, { timeout: 30_000 });
  const otherRun = (await view.runsOf(NAME).first().getAttribute('data-run'))!;
  expect(otherRun).not.toBe(runName);
  await expect(view.details(otherRun)).toContainText('--day sat');
  const other = await (await admin.get(`${APPS}/${otherRun}`)).json();
  expect(other.spec.arguments).toEqual(['--day', 'sat']);

  // Suspend: the schedule in the cluster, and the view, say so.
  await view.scheduleButton(NAME, 'Suspend').click();
  await expect(schedule).toContainText('Suspended');
  await expect(schedule.getByLabel(`Next run of ${NAME}`)).toHaveText(
    'none while suspended'
  );
  await expect(view.scheduleButton(NAME, 'Resume')).toBeVisible();
  expect((await (await admin.get(SSA)).json()).spec.suspend).toBe(true);

  // Delete, confirmed in words that say the runs go too.
  await view.scheduleButton(NAME, 'Delete').click();
  const confirm = page.locator('.jp-Dialog');
  await expect(confirm).toContainText('deletes its runs');
  await page.screenshot({ path: 'test-results/jobs-delete.png' });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(schedule).toHaveCount(0, { timeout: 30_000 });
  expect((await admin.get(SSA)).status()).toBe(404);
  // The garbage collector deletes the run the schedule owned; the view follows.
  await expect(view.root.locator(`[data-run="${runName}"]`)).toHaveCount(0, {
    timeout: 60_000
  });
  await expect(view.root.locator(`[data-run="${otherRun}"]`)).toHaveCount(0, {
    timeout: 60_000
  });
  expect((await admin.get(`${APPS}/${runName}`)).status()).toBe(404);
  expect((await admin.get(`${APPS}/${otherRun}`)).status()).toBe(404);
});

/** A real Spark driver (local PySpark) whose UI listens on 127.0.0.1:`port`. */
const LIVE_DRIVER = `
import sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").appName(sys.argv[2])
    .config("spark.ui.port", sys.argv[1]).config("spark.port.maxRetries", "0")
    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.ui.showConsoleProgress", "false").getOrCreate())
spark.sparkContext.setJobDescription(sys.argv[3])
spark.range(100).count()
print("READY", flush=True)
sys.stdin.read()
spark.stop()
`;

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise(resolve => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

test('a running application’s live Spark UI opens from the Jobs view', async ({
  page
}) => {
  const { spawn } = await import('node:child_process');
  const admin = await clusterAdmin();
  const name = 'galata-live-ui';
  const appName = `galata-live-${Date.now()}`;
  const description = 'counted for the live UI in Galata';
  const port = await freePort();
  const python = process.env.VIRTUAL_ENV
    ? join(process.env.VIRTUAL_ENV, 'bin', 'python')
    : 'python3';
  const driver = spawn(
    python,
    ['-c', LIVE_DRIVER, String(port), appName, description],
    {
      stdio: ['pipe', 'pipe', 'pipe']
    }
  );
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    driver.stdout.on('data', chunk => {
      output += chunk;
      if (output.includes('READY')) {
        resolve();
      }
    });
    driver.stderr.on('data', chunk => (output += chunk));
    driver.on('exit', code =>
      reject(new Error(`the Spark driver exited (${code}):\n${output}`))
    );
  });
  try {
    await admin.delete(`${APPS}/${name}`);
    await ready;
    // A published application the operator runs; kwok gives its driver pod the
    // IP where the real driver listens (tests/cluster/kwok-stages.yaml).
    const applied = await admin.patch(
      `${APPS}/${name}?fieldManager=galata&force=true`,
      {
        headers: { 'Content-Type': 'application/apply-patch+yaml' },
        data: {
          apiVersion: 'sparkoperator.k8s.io/v1beta2',
          kind: 'SparkApplication',
          metadata: {
            name,
            namespace: 'lab',
            labels: {
              'spark-k8s.jupyter.org/app': name,
              'spark-k8s.jupyter.org/managed-by': 'jupyterlab-spark-k8s'
            }
          },
          spec: {
            type: 'Python',
            mode: 'cluster',
            sparkVersion: '4.0.1',
            image: 'apache/spark:4.0.1-python3',
            mainApplicationFile: 'local:///opt/spark-k8s/job/job.py',
            sparkConf: { 'spark.ui.port': String(port) },
            restartPolicy: { type: 'Never' },
            driver: {
              cores: 1,
              memory: '512m',
              serviceAccount: 'spark-driver',
              template: {
                metadata: {
                  annotations: {
                    'spark-k8s.test/pod-ip': '127.0.0.1',
                    'spark-k8s.test/duration': '600s'
                  }
                },
                spec: { containers: [{ name: 'spark-kubernetes-driver' }] }
              }
            },
            executor: { cores: 1, instances: 1, memory: '512m' }
          }
        }
      }
    );
    expect(applied.status(), await applied.text()).toBeLessThan(300);

    await page.evaluate(async run => {
      await (window as any).jupyterapp.commands.execute('spark-k8s:open-jobs', {
        run
      });
    }, name);
    const view = new JobsView(page);
    await expect(view.root).toBeVisible();
    const row = view.root.locator(`[data-run="${name}"]`);
    await expect(row).toBeVisible({ timeout: 30_000 });
    await row.click();
    await expect(view.state(name)).toHaveText('Running', { timeout: 120_000 });
    const button = view.details(name).getByRole('link', { name: 'Spark UI' });
    await expect(button).toBeVisible();
    const [popup] = await Promise.all([
      page.context().waitForEvent('page'),
      button.click()
    ]);
    // Spark's own Jobs page of that driver, through Jupyter's authenticated proxy.
    await expect(
      popup.getByRole('row', { name: new RegExp(`^0 ${description}`) })
    ).toBeVisible({ timeout: 60_000 });
    await expect(popup.locator('strong', { hasText: appName })).toBeVisible();
    expect(popup.url()).toContain(
      `/spark-k8s-api/jobs/applications/${name}/ui/jobs/`
    );
    // Spark's links stay under the proxy: its Stages tab opens there too.
    await popup.getByRole('link', { name: 'Stages' }).first().click();
    await expect(popup).toHaveURL(
      new RegExp(`/spark-k8s-api/jobs/applications/${name}/ui/stages/`)
    );
    await expect(popup.getByText(/Completed Stages/).first()).toBeVisible();
    await popup.screenshot({ path: 'test-results/jobs-live-ui.png' });
    // The Executors page finds the application through Spark's REST API under the prefix.
    await popup.getByRole('link', { name: 'Executors' }).first().click();
    await expect(
      popup.locator('#active-executors-table').getByRole('cell', {
        name: 'driver',
        exact: true
      })
    ).toBeVisible({ timeout: 30_000 });
    await popup.close();
  } finally {
    driver.stdin?.end();
    await admin.delete(`${APPS}/${name}`);
  }
});
