/**
 * A Spark Connect server (a real one from PySpark 4's distribution, with a
 * token: tests/servers/spark.py) as a profile: the panel starts the kernel's
 * Connect session, and a Databricks-style notebook runs on it.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { join } from 'node:path';
import { clusterAdmin, ensureSecret } from './helpers/cluster';
import { notebookJson, openFile } from './helpers/files';
import { resultTable } from './helpers/grid';
import { SparkPanel } from './helpers/sparkPanel';
import { testServers } from './helpers/servers';

test.use({ autoGoto: true });

const CELLS = [
  'dbutils.widgets.dropdown("region", "north", ["north", "south"], "Region")',
  '%run ./helpers',
  [
    '%sql',
    "SELECT region, count(*) AS orders FROM VALUES ('north', 5), ('north', 50), ('south', 70) AS t(region, amount)",
    'WHERE region = :region GROUP BY region'
  ].join('\n'),
  'display(spark.range(3).selectExpr("id AS n", "id * id AS square"))',
  'print(shout("done"))',
  'token = dbutils.secrets.get("demo", "token")\nprint("token:", token)',
  [
    'from pyspark.sql.functions import udf',
    'slow = udf(lambda x: __import__("time").sleep(0.5) or x, "long")',
    'print("total", spark.range(0, 8, 1, 4).select(slow("id").alias("v")).groupBy().sum("v").collect()[0][0])'
  ].join('\n'),
  'sc.parallelize([1, 2]).count()'
];

async function expectVisibleWithSize(locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box!.width).toBeGreaterThan(40);
  expect(box!.height).toBeGreaterThan(20);
}

test('a notebook with %sql, display, widgets, a secret, %run and a progress-reporting job runs on Spark Connect', async ({
  page,
  tmpPath
}, testInfo) => {
  const servers = testServers();
  // The scope "demo" reads the Secret of that name (names from the cluster; the
  // kernel takes the value from SPARK_K8S_SECRET_DEMO_TOKEN, as a job does).
  expect([201, 409]).toContain(
    await ensureSecret(await clusterAdmin(), 'demo', {
      token: 'only-in-the-cluster'
    })
  );
  await page.contents.uploadFile(
    join(__dirname, 'data', 'databricks', 'helpers.py'),
    `${tmpPath}/helpers.py`
  );
  await page.contents.uploadContent(
    notebookJson(CELLS),
    'text',
    `${tmpPath}/connect.ipynb`
  );
  await openFile(page, `${tmpPath}/connect.ipynb`);
  await page.notebook.activate('connect.ipynb');

  const panel = new SparkPanel(page);
  await panel.open();
  await panel.profile.selectOption('connect');
  // Only what a connect profile uses (no schema default of another kind).
  await expect(panel.profileWarnings).toHaveCount(0);
  await panel.start.click();
  await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });
  const server = servers.connectRemote.replace('sc://', '');
  await expect(panel.details).toContainText(`Server${server}`);
  await expect(panel.details).toContainText(
    /Session id[0-9a-f]{8}-[0-9a-f]{4}-/
  );
  await expect(panel.details).toContainText(/Spark4\.\d+\.\d+/);
  // The server's executors are its own: no executor view; its UI is linked as the profile says.
  await expect(panel.executors).toHaveCount(0);
  if (servers.connectUi) {
    expect(await panel.sparkUILink.getAttribute('href')).toBe(
      servers.connectUi
    );
  }
  await panel.root.screenshot({ path: testInfo.outputPath('connect.png') });

  await page.notebook.run();

  const bar = page.getByRole('form', { name: 'Notebook parameters' });
  await expect(bar.getByLabel('Region')).toHaveValue('north', {
    timeout: 60_000
  });

  const sql = (await page.notebook.getCellOutputLocator(2))!;
  await expectVisibleWithSize(sql.getByRole('grid', { name: 'Result grid' }));
  await expect
    .poll(async () => (await resultTable(page, 2))?.rows)
    .toEqual([['north', 2]]);

  const shown = (await page.notebook.getCellOutputLocator(3))!;
  await expectVisibleWithSize(shown.getByRole('grid', { name: 'Result grid' }));
  const table = await resultTable(page, 3);
  expect(table!.schema.fields.map(f => f.name)).toEqual(['n', 'square']);
  expect(table!.rows).toEqual([
    [0, 0],
    [1, 1],
    [2, 4]
  ]);

  await expect((await page.notebook.getCellOutputLocator(4))!).toContainText(
    'DONE!'
  );
  const secret = (await page.notebook.getCellOutputLocator(5))!;
  await expect(secret).toContainText('token: [REDACTED]');
  await expect(secret).not.toContainText('galata-secret-value');

  // The job's progress came from Spark 4's Connect progress handler.
  const job = (await page.notebook.getCellLocator(6))!;
  await expect(job.locator('.jp-SparkK8s-progress')).toHaveAttribute(
    'data-state',
    'done',
    { timeout: 120_000 }
  );
  await expect(job.locator('.jp-SparkK8s-progress-summary')).toHaveText(
    /^\d+ jobs? · \d+ stages? · /
  );
  await expect((await page.notebook.getCellOutputLocator(6))!).toContainText(
    'total 28'
  );
  await job.screenshot({ path: testInfo.outputPath('connect-progress.png') });

  // What Connect has not says so.
  await expect((await page.notebook.getCellOutputLocator(7))!).toContainText(
    'Spark Connect has no SparkContext/RDDs'
  );

  // A new parameter value reaches the %sql cell.
  await bar.getByLabel('Region').selectOption('south');
  await page.notebook.runCell(2);
  await expect
    .poll(async () => (await resultTable(page, 2))?.rows)
    .toEqual([['south', 1]]);

  await panel.stop.click();
  await expect(panel.state).toHaveText('Stopped', { timeout: 60_000 });
});

test('a wrong token and an unreachable server are clear errors in the panel', async ({
  page
}) => {
  testServers();
  await page.notebook.createNew('connect-errors.ipynb');
  const panel = new SparkPanel(page);
  await panel.open();

  // The selected profile's migration notes (a Databricks-only key), none for the others.
  await panel.profile.selectOption('from-databricks');
  await expect(panel.profileWarnings).toContainText(
    'spark.databricks.io.cache.enabled'
  );
  await expect(panel.profileWarnings).toContainText(
    'no open-source equivalent'
  );
  await panel.profile.selectOption('connect-bad-token');
  await expect(panel.profileWarnings).toHaveCount(0);
  await panel.start.click();
  await expect(panel.state).toHaveText('Failed', { timeout: 120_000 });
  await expect(panel.error).toContainText('refused the token');
  await expect(panel.error).toContainText(
    'Put the right one in its file, Secret or variable'
  );
  await expect(panel.error).not.toContainText('not-the-token');
  await expect(panel.start).toBeEnabled();

  await panel.profile.selectOption('connect-down');
  await panel.start.click();
  await expect(panel.state).toHaveText('Failed', { timeout: 120_000 });
  await expect(panel.error).toContainText('cannot be reached');
  await expect(panel.error).toContainText('check that it runs');
  await panel.root.screenshot({
    path: test.info().outputPath('connect-unreachable.png')
  });
  await expect(panel.start).toBeEnabled();
});
