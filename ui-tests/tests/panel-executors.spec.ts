/**
 * The live executor view in the Spark panel, in a real JupyterLab on real local
 * Spark: the driver's row (local mode) with its cores and completed tasks rising
 * while a job runs, visible with a size, and no request for the executor list
 * while the notebook is idle.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { join } from 'path';
import { SparkPanel } from './helpers/sparkPanel';

// Screenshots refresh the copies in docs/images with SPARK_K8S_DOCS_SCREENSHOTS=1.
const IMAGES = process.env.SPARK_K8S_DOCS_SCREENSHOTS
  ? join(__dirname, '..', '..', 'docs', 'images')
  : join(__dirname, '..', 'test-results', 'screenshots');

test.use({ autoGoto: true });

/** A job of `tasks` tasks that each sleep `seconds`, one cell. */
function slowJob(tasks: number, seconds: number): string {
  return `sc.parallelize(range(${tasks}), ${tasks}).map(lambda x: __import__('time').sleep(${seconds}) or x).count()`;
}

async function expectVisibleWithSize(locator: Locator): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box!.width).toBeGreaterThan(10);
  expect(box!.height).toBeGreaterThan(4);
}

/** The completed-tasks figure of the driver row. */
async function completed(row: Locator): Promise<number> {
  const text = await row.locator('[data-tasks="completed"]').textContent();
  return Number(text);
}

async function startCell(
  page: IJupyterLabPageFixture,
  index: number
): Promise<void> {
  await page.notebook.selectCells(index);
  await page.keyboard.press('Control+Enter');
}

test('the driver row shows cores and tasks live while a job runs, and nothing is fetched while idle', async ({
  page
}) => {
  test.setTimeout(300_000);
  const requests: number[] = [];
  page.on('request', request => {
    if (
      /\/sparkui\/\d+\/api\/v1\/applications\/[^/]+\/allexecutors/.test(
        request.url()
      )
    ) {
      requests.push(Date.now());
    }
  });
  await page.notebook.createNew('executors.ipynb');
  const panel = new SparkPanel(page);
  await panel.open();
  await panel.profile.selectOption('local-2');
  await panel.start.click();
  await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });

  const table = panel.root.getByRole('table', { name: 'Executors' });
  const driver = table.locator('tbody[data-executor="driver"]');
  await expectVisibleWithSize(driver);
  await expect(driver.locator('[data-column="cores"]')).toHaveText('2');
  await expect(driver.locator('[data-column="memory"]')).toContainText(
    /MiB|GiB/
  );
  await expect(panel.root.getByText('Driver (local mode)')).toBeVisible();
  await expectVisibleWithSize(driver.locator('[data-column="gc"]'));
  await expect(driver.locator('[data-column="shuffle"]')).toContainText('read');

  // 40 tasks of 0.5 s on 2 cores: about 10 s of tasks finishing a pair at a time.
  await page.notebook.setCell(0, 'code', slowJob(40, 0.5));
  const before = await completed(driver);
  await startCell(page, 0);
  await expect(driver.locator('[data-tasks="active"]')).toHaveText(/^[1-9]/, {
    timeout: 60_000
  });
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    seen.push(await completed(driver));
    await page.waitForTimeout(600);
  }
  // Rising while the job runs, not only at its end.
  const rising = seen.filter((n, i) => i > 0 && n > seen[i - 1]).length;
  expect(rising, `completed tasks seen: ${seen.join(', ')}`).toBeGreaterThan(1);
  expect(seen[0]).toBeLessThan(before + 40);

  const shot = (name: string) => join(IMAGES, name);
  const view = panel.root.locator('.jp-SparkK8s-executors');
  await view.screenshot({ path: shot('executors-light.png') });
  await page.theme.setDarkTheme();
  await view.screenshot({ path: shot('executors-dark.png') });
  await page.theme.setLightTheme();

  // The job's end: every task counted, then quiet.
  await expect(
    (await page.notebook.getCellOutputLocator(0))!.getByText('40', {
      exact: true
    })
  ).toBeVisible({ timeout: 60_000 });
  await expect(driver.locator('[data-tasks="completed"]')).toHaveText(
    String(before + 40)
  );
  await expect(driver.locator('[data-tasks="active"]')).toHaveText('0');
  expect(requests.length).toBeGreaterThan(3);
  // Let the one fetch at idle land, then count: none while the notebook is idle.
  await page.waitForTimeout(1500);
  const atIdle = requests.length;
  await page.waitForTimeout(5000);
  expect(requests.length).toBe(atIdle);

  await panel.stop.click();
  await expect(panel.state).toHaveText('Stopped', { timeout: 60_000 });
  await expect(table).toHaveCount(0);
});
