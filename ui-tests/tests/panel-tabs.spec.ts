/**
 * The Spark panel and the status bar are right for the notebook shown: across
 * three open notebooks, after a page reload (a running session is found
 * again) and after a kernel restart. Real JupyterLab, real local Spark.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { notebookJson, openFile } from './helpers/files';
import { runNewCell, SparkPanel } from './helpers/sparkPanel';

test.use({ autoGoto: true });
// Several Spark JVMs on a shared two-core machine: generous, never timed assertions.
test.describe.configure({ timeout: 600_000 });

/** Open a notebook that exists on disk and show it. */
async function open(
  page: IJupyterLabPageFixture,
  dir: string,
  name: string
): Promise<void> {
  await openFile(page, `${dir}/${name}`);
  await expect(page.getByRole('main').getByRole('tab', { name })).toBeVisible();
  await page.notebook.activate(name);
  // The kernel is connected: its indicator leaves "Connecting".
  await page.waitForFunction(() => {
    const app = (window as any).jupyterapp;
    const widget = app.shell.currentWidget;
    return (
      widget?.sessionContext?.session?.kernel?.connectionStatus === 'connected'
    );
  });
}

/** Where screenshots go: docs/images with SPARK_K8S_DOCS_SCREENSHOTS=1. */
function shot(testInfo: { outputPath: (n: string) => string }, name: string) {
  return process.env.SPARK_K8S_DOCS_SCREENSHOTS
    ? `../docs/images/${name}`
    : testInfo.outputPath(name);
}

/** A person sees it: visible and with a size. */
async function seen(locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(0);
  expect(box?.height ?? 0).toBeGreaterThan(0);
}

/** The panel and status bar show `state` for the notebook `name`. */
async function shows(
  page: IJupyterLabPageFixture,
  panel: SparkPanel,
  name: string,
  state: string,
  timeout = 30_000
): Promise<void> {
  await expect(panel.notebookLabel).toContainText(name);
  await expect(panel.state).toHaveText(state, { timeout });
  await seen(panel.state);
  const status = page.locator('.jp-SparkK8s-statusItem');
  await expect(status).toHaveText(new RegExp(`^Spark: ${state}`));
  await seen(status);
  if (state === 'Ready') {
    await expect(panel.start).toBeDisabled();
    await expect(panel.stop).toBeEnabled();
  } else if (state === 'Stopped') {
    await expect(panel.start).toBeEnabled();
    await expect(panel.stop).toBeDisabled();
  }
}

test.describe('the Spark panel follows the notebook shown', () => {
  test('three notebooks: Start in one, an auto-starting %sql cell in another, the third stays stopped', async ({
    page,
    tmpPath
  }, testInfo) => {
    for (const name of ['one.ipynb', 'two.ipynb', 'three.ipynb']) {
      await page.contents.uploadContent(
        notebookJson([name === 'three.ipynb' ? '%sql SELECT 3 AS z' : '']),
        'text',
        `${tmpPath}/${name}`
      );
    }
    const panel = new SparkPanel(page);
    await panel.open();
    await open(page, tmpPath, 'one.ipynb');
    await shows(page, panel, 'one.ipynb', 'Stopped');
    await open(page, tmpPath, 'two.ipynb');
    await shows(page, panel, 'two.ipynb', 'Stopped');
    await open(page, tmpPath, 'three.ipynb');
    await shows(page, panel, 'three.ipynb', 'Stopped');

    // Start from the panel in the second notebook shown.
    await page.notebook.activate('two.ipynb');
    await shows(page, panel, 'two.ipynb', 'Stopped');
    await panel.profile.selectOption('local-2');
    await panel.start.click();
    await expect(panel.state).toHaveText(/Starting/);
    // While it starts, the panel says for how long.
    await expect(panel.root.getByText(/Starting… \d+ s/)).toBeVisible();
    await panel.root.screenshot({ path: shot(testInfo, 'panel-starting.png') });
    await shows(page, panel, 'two.ipynb', 'Ready', 180_000);
    await panel.root.screenshot({
      path: shot(testInfo, 'panel-ready-light.png')
    });
    await page.theme.setDarkTheme();
    await panel.root.screenshot({
      path: shot(testInfo, 'panel-ready-dark.png')
    });
    await page.theme.setLightTheme();

    // An auto-starting %sql cell in the third.
    await page.notebook.activate('three.ipynb');
    await shows(page, panel, 'three.ipynb', 'Stopped');
    await page.notebook.runCell(0);
    await shows(page, panel, 'three.ipynb', 'Ready', 180_000);
    // The cell ran on that session (whatever renders its result).
    await seen((await page.notebook.getCellOutputLocator(0))!);
    const check = await runNewCell(page, 'print(_sqldf.collect()[0].z * 14)');
    await expect(check).toContainText('42');

    // Each tab shows its own session.
    await page.notebook.activate('one.ipynb');
    await shows(page, panel, 'one.ipynb', 'Stopped');
    await page.notebook.activate('two.ipynb');
    await shows(page, panel, 'two.ipynb', 'Ready');
    await page.notebook.activate('three.ipynb');
    await shows(page, panel, 'three.ipynb', 'Ready');

    // Stop in the third; the second keeps running.
    await panel.stop.click();
    await shows(page, panel, 'three.ipynb', 'Stopped');
    await page.notebook.activate('two.ipynb');
    await shows(page, panel, 'two.ipynb', 'Ready');
    await panel.stop.click();
    await shows(page, panel, 'two.ipynb', 'Stopped');
  });
});

// Galata's kernel mock answers a restart with 201, which JupyterLab rejects:
// this test talks to the real kernels API (its sessions are still cleaned up).
test.describe('the Spark panel across reloads and restarts', () => {
  test.use({ kernels: null });

  test('after a page reload a running session is found again; a kernel restart stops it', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent(
      notebookJson(['']),
      'text',
      `${tmpPath}/kept.ipynb`
    );
    const panel = new SparkPanel(page);
    await panel.open();
    await open(page, tmpPath, 'kept.ipynb');
    await panel.start.click();
    await shows(page, panel, 'kept.ipynb', 'Ready', 180_000);
    const appId = await panel.details.locator('dd').first().textContent();
    expect(appId).toMatch(/^local-\d+$/);

    await page.reload({ waitForIsReady: false } as any);
    await page.waitForCondition(() =>
      page
        .locator('#jupyterlab-splash')
        .count()
        .then(n => n === 0)
    );
    await panel.open();
    await page.notebook.activate('kept.ipynb');
    // No click: the panel asked the kernel and shows the same application.
    await shows(page, panel, 'kept.ipynb', 'Ready', 60_000);
    await expect(panel.details).toContainText(appId!);
    await seen(panel.sparkUILink);

    // The session is usable as it is.
    await page.notebook.setCell(0, 'code', 'print(spark.range(5).count())');
    await page.notebook.runCell(0);
    await expect((await page.notebook.getCellOutputLocator(0))!).toContainText(
      '5'
    );

    // A kernel restart ends Spark: the panel says so.
    await page.evaluate(() =>
      (
        window as any
      ).jupyterapp.shell.currentWidget.sessionContext.restartKernel()
    );
    await shows(page, panel, 'kept.ipynb', 'Stopped', 60_000);
    // And after another reload it stays stopped.
    await page.reload({ waitForIsReady: false } as any);
    await page.waitForCondition(() =>
      page
        .locator('#jupyterlab-splash')
        .count()
        .then(n => n === 0)
    );
    await panel.open();
    await page.notebook.activate('kept.ipynb');
    await page.waitForTimeout(3000);
    await shows(page, panel, 'kept.ipynb', 'Stopped');
  });
});
