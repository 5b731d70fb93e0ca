/**
 * A standalone Spark cluster (a real master and worker from PySpark's own
 * distribution, tests/servers/spark.py) as a profile: started from the panel,
 * its jobs run on the worker, the master's web UI is linked.
 */
import { expect, test } from '@jupyterlab/galata';
import { notebookJson, openFile } from './helpers/files';
import { SparkPanel } from './helpers/sparkPanel';
import { testServers } from './helpers/servers';

test.use({ autoGoto: true });

/**
 * A job of 4 tasks, then what Spark and the master say about it, from the
 * kernel: the tasks each executor completed (Spark's REST API) and the
 * application as the master lists it (its JSON).
 */
function jobOnTheWorker(masterUi: string): string {
  return [
    'import json, urllib.request',
    'sc = spark.sparkContext',
    'print("sum", sc.parallelize(range(100), 4).map(lambda x: x * 2).sum())',
    'api = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/executors"',
    'executors = [e for e in json.load(urllib.request.urlopen(api)) if e["id"] != "driver"]',
    'print("executor tasks", sum(e["completedTasks"] for e in executors), "on", sorted({e["hostPort"].split(":")[0] for e in executors}))',
    `master = json.load(urllib.request.urlopen(${JSON.stringify(masterUi)} + "/json/"))`,
    'app = [a for a in master["activeapps"] if a["id"] == sc.applicationId][0]',
    'print("master lists", app["id"], app["state"], "cores", app["cores"])'
  ].join('\n');
}

test('a standalone profile starts from the panel; its job runs on the worker; the master UI is linked', async ({
  page,
  tmpPath
}, testInfo) => {
  const servers = testServers();
  const path = `${tmpPath}/standalone.ipynb`;
  await page.contents.uploadContent(
    notebookJson([jobOnTheWorker(servers.standaloneUi)]),
    'text',
    path
  );
  await openFile(page, path);
  await page.notebook.activate('standalone.ipynb');
  const panel = new SparkPanel(page);
  await panel.open();
  await expect(panel.notebookLabel).toContainText('standalone.ipynb');

  await expect(
    panel.profile.locator('option', { hasText: 'standalone cluster' })
  ).toHaveText('standalone (standalone cluster)');
  await panel.profile.selectOption('standalone');
  await panel.start.click();
  await expect(panel.state).toHaveText('Ready', { timeout: 240_000 });
  await expect(panel.details).toContainText(servers.standaloneMaster);
  await expect(panel.details).toContainText(/app-\d+-\d+/);
  const appId = /app-\d+-\d+/.exec((await panel.details.textContent())!)![0];

  // The master's web UI next to the application's.
  await expect(panel.sparkUILink).toBeVisible();
  await expect(panel.masterUILink).toBeVisible();
  expect(await panel.masterUILink.getAttribute('href')).toBe(
    servers.standaloneUi
  );
  const box = await panel.masterUILink.boundingBox();
  expect(box!.width).toBeGreaterThan(20);
  expect(box!.height).toBeGreaterThan(8);
  expect(await panel.sparkUILink.getAttribute('href')).toMatch(
    /\/sparkui\/\d+\/$/
  );

  await page.notebook.runCell(0);
  const output = (await page.notebook.getCellOutputLocator(0))!;
  await expect(output).toContainText('sum 9900', { timeout: 120_000 });
  // All 4 tasks ran on the worker's executor (none on the driver), and the
  // master lists the application running with the worker's core.
  await expect(output).toContainText("executor tasks 4 on ['127.0.0.1']");
  await expect(output).toContainText(`master lists ${appId} RUNNING cores 1`);

  // The panel's executor view shows the worker's executor with its tasks done.
  const executor = panel.executors.locator('tbody[data-executor="0"]');
  await expect(executor).toBeVisible({ timeout: 30_000 });
  await expect(executor.locator('[data-tasks="completed"]')).toHaveText('4', {
    timeout: 30_000
  });
  await panel.root.screenshot({ path: testInfo.outputPath('standalone.png') });

  // The link opens the master's own page, which lists this application.
  const [master] = await Promise.all([
    page.context().waitForEvent('page'),
    panel.masterUILink.click()
  ]);
  await master.waitForLoadState();
  await expect(master.locator('body')).toContainText(appId);
  await master.close();

  await panel.stop.click();
  await expect(panel.state).toHaveText('Stopped', { timeout: 60_000 });
});
