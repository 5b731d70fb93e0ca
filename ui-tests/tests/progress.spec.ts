/**
 * Live Spark progress under each running cell, and cancel, in a real JupyterLab
 * on real local Spark: what a person sees (visible, with a size), in the right
 * notebook, and what the saved notebook keeps.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { notebookJson, openFile } from './helpers/files';
import { Locator } from '@playwright/test';
import { SparkPanel } from './helpers/sparkPanel';

// Galata's kernel tracking proxies POST /api/kernels/* and fails on the interrupt's
// empty 204 answer (sending the interrupt twice): let the interrupt reach the server
// as JupyterLab sends it. Kernels still end with their sessions after each test.
test.use({ autoGoto: true, kernels: null });

/** A cell whose Spark job has `tasks` tasks that each sleep `seconds`. */
function slowJob(tasks: number, seconds: number): string {
  return `sc.parallelize(range(${tasks}), ${tasks}).map(lambda x: __import__('time').sleep(${seconds}) or x).count()`;
}

async function startSpark(page: IJupyterLabPageFixture): Promise<void> {
  const panel = new SparkPanel(page);
  await panel.open();
  await panel.profile.selectOption('local-2');
  await panel.start.click();
  await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });
}

/** The progress output of cell `index` of the current notebook. */
async function progressOf(
  page: IJupyterLabPageFixture,
  index: number
): Promise<Locator> {
  const cell = (await page.notebook.getCellLocator(index))!;
  return cell.locator('.jp-SparkK8s-progress');
}

/** Run cell `index` without waiting for it to finish. */
async function startCell(
  page: IJupyterLabPageFixture,
  index: number
): Promise<void> {
  await page.notebook.selectCells(index);
  await page.keyboard.press('Control+Enter');
}

/** Open a notebook (each gets its own kernel) and show it. */
async function openNotebook(
  page: IJupyterLabPageFixture,
  path: string
): Promise<void> {
  await openFile(page, path);
  const name = path.split('/').pop()!;
  await expect(page.getByRole('main').getByRole('tab', { name })).toBeVisible();
  await page.notebook.activate(name);
}

async function expectVisibleWithSize(locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box!.width).toBeGreaterThan(10);
  expect(box!.height).toBeGreaterThan(4);
}

test.describe('Spark progress under each cell', () => {
  test('two notebooks running jobs at once each show their own progress', async ({
    page,
    tmpPath
  }, testInfo) => {
    // Two Spark sessions start one after the other on a small machine.
    test.setTimeout(480_000);
    // Both notebooks exist before they open (a second File > New would reuse the first kernel).
    await page.contents.uploadContent(
      notebookJson([slowJob(2, 90)]),
      'text',
      `${tmpPath}/progress-a.ipynb`
    );
    await page.contents.uploadContent(
      notebookJson(['x = 1', slowJob(3, 4)]),
      'text',
      `${tmpPath}/progress-b.ipynb`
    );
    await openNotebook(page, `${tmpPath}/progress-a.ipynb`);
    await startSpark(page);
    await startCell(page, 0);
    const a = await progressOf(page, 0);
    await expect(a).toHaveAttribute('data-state', 'running', {
      timeout: 60_000
    });
    await expectVisibleWithSize(a.locator('.jp-SparkK8s-progress-bar'));
    await expect(a.locator('.jp-SparkK8s-progress-tasks')).toContainText(
      '/2 tasks'
    );
    await expect(a.getByRole('button', { name: 'Cancel' })).toBeVisible();

    const shot = (name: string) =>
      process.env.SPARK_K8S_DOCS_SCREENSHOTS
        ? `../docs/images/${name}`
        : testInfo.outputPath(name);
    const cellA = (await page.notebook.getCellLocator(0))!;
    await cellA.screenshot({ path: shot('progress-light.png') });
    await page.theme.setDarkTheme();
    await cellA.screenshot({ path: shot('progress-dark.png') });
    await page.theme.setLightTheme();

    // A second notebook, its own kernel and Spark, a job of 3 tasks while A's still runs.
    await openNotebook(page, `${tmpPath}/progress-b.ipynb`);
    await startSpark(page);
    await startCell(page, 1);
    const b = await progressOf(page, 1);
    await expect(b).toHaveAttribute('data-state', 'running', {
      timeout: 60_000
    });
    await expect(b.locator('.jp-SparkK8s-progress-tasks')).toContainText(
      '/3 tasks'
    );
    expect(await (await progressOf(page, 0)).count()).toBe(0);
    await expect(b).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(b.locator('.jp-SparkK8s-progress-summary')).toHaveText(
      /^1 job · 1 stage · \d+\.\d s$/
    );
    const bLink = b.getByRole('link', { name: 'job 0' });
    await expectVisibleWithSize(bLink);
    expect(await bLink.getAttribute('href')).toMatch(
      /\/sparkui\/\d+\/jobs\/job\/\?id=0$/
    );

    // Back in A: its cell still runs its own 2-task job, then sums it up.
    await page.notebook.activate('progress-a.ipynb');
    const a2 = await progressOf(page, 0);
    await expect(a2.locator('.jp-SparkK8s-progress-tasks')).toContainText(
      '/2 tasks'
    );
    await expect(a2).toHaveAttribute('data-state', 'done', {
      timeout: 180_000
    });
    await expect(a2.locator('.jp-SparkK8s-progress-summary')).toHaveText(
      /^1 job · 1 stage · \d+ min \d+ s$/
    );
    await expect(a2.locator('.jp-SparkK8s-progress-head')).toHaveAttribute(
      'title',
      /^cell \[\d+\]: sc\.parallelize\(range\(2\), 2\)/
    );
    await expect(a2.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  });

  test('Cancel stops the cell’s job, the next cell runs, the saved notebook keeps one output', async ({
    page,
    tmpPath
  }) => {
    await page.notebook.createNew('progress-cancel.ipynb');
    await startSpark(page);
    await page.notebook.setCell(0, 'code', slowJob(2, 120));
    await page.notebook.addCell('code', 'spark.range(5).count()');
    await page.notebook.addCell(
      'code',
      'for i in range(30):\n    sc.parallelize(range(4), 2).count()'
    );
    await startCell(page, 0);
    const progress = await progressOf(page, 0);
    await expect(progress).toHaveAttribute('data-state', 'running', {
      timeout: 60_000
    });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(progress).toHaveAttribute('data-state', 'cancelled', {
      timeout: 30_000
    });
    await expect(progress.locator('.jp-SparkK8s-progress-state')).toHaveText(
      'Spark: cancelled'
    );
    const cell0 = (await page.notebook.getCellOutputLocator(0))!;
    await expect(cell0).toContainText('cancelled');

    await page.notebook.runCell(1);
    const out1 = (await page.notebook.getCellOutputLocator(1))!;
    await expect(out1).toContainText('5');

    await page.notebook.runCell(2);
    const many = await progressOf(page, 2);
    await expect(many).toHaveAttribute('data-state', 'done', {
      timeout: 120_000
    });
    await expect(many.locator('.jp-SparkK8s-progress-summary')).toHaveText(
      /^30 jobs · 30 stages · /
    );
    await page.notebook.save();
    const saved = await page.evaluate(async path => {
      const app = (window as any).jupyterapp;
      const model = await app.serviceManager.contents.get(path, {
        content: true
      });
      return model.content.cells.map((c: any) => c.outputs);
    }, `${tmpPath}/progress-cancel.ipynb`);
    expect(saved[2].length).toBe(1);
    expect(JSON.stringify(saved[2][0]).length).toBeLessThan(4000);
    expect(
      saved[0].filter(
        (o: any) => o.data?.['application/vnd.spark-k8s.progress+json']
      ).length
    ).toBe(1);
  });
});
