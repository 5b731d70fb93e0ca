/**
 * The result grid of a %sql cell on real local Spark in a real JupyterLab: a
 * 1,000-row result scrolls inside a fixed-height grid, sorts, filters, shows
 * NULL apart from the string "null", copies and downloads; a chart is drawn by
 * JupyterLab's Vega-Lite renderer and saved into the notebook file.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { openFile } from './helpers/files';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

test.use({ autoGoto: true });

// Screenshots refresh the copies in docs/images with SPARK_K8S_DOCS_SCREENSHOTS=1.
const IMAGES = process.env.SPARK_K8S_DOCS_SCREENSHOTS
  ? join(__dirname, '..', '..', 'docs', 'images')
  : join(__dirname, '..', 'test-results', 'screenshots');
const VEGALITE = 'application/vnd.vegalite.v5+json';
const TABLE = 'application/vnd.spark-k8s.table+json';

// 1,500 rows: the grid shows the first 1,000 and says more exist. Every 7th name
// is NULL; row 3's label is the string "null".
const SQL = `%sql
SELECT id,
       IF(id % 7 = 0, NULL, CONCAT('item-', id)) AS name,
       IF(id = 3, 'null', 'ok') AS label,
       CAST(id / 3 AS DECIMAL(10, 2)) AS amount,
       CONCAT('group-', id % 4) AS grp,
       named_struct('city', 'Oslo', 'zip', id) AS place
FROM range(1500)`;

// The grid's geometry (see src/lab/grid/view.ts): the row header and the two
// header rows (name, type) come before the body.
const ROW_HEADER = 56;
const HEADER_ROW = 22;
const ROW = 24;

/** A person sees it: visible and with a size. */
async function seen(locator: Locator, least = 50): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(least);
  expect(box?.height ?? 0).toBeGreaterThan(least);
}

/** Clicks inside the grid at a point relative to its top-left corner. */
async function clickGrid(
  page: IJupyterLabPageFixture,
  grid: Locator,
  x: number,
  y: number
): Promise<void> {
  const box = (await grid.boundingBox())!;
  await page.mouse.click(box.x + x, box.y + y);
}

/** The saved notebook file, as the server has it. */
async function savedOutputs(
  page: IJupyterLabPageFixture,
  path: string
): Promise<any[]> {
  return page.evaluate(async p => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.get(p);
    return model.content.cells[0].outputs;
  }, path);
}

test('a 1,000-row %sql result in a grid: scrolls, sorts, filters, charts', async ({
  page,
  tmpPath
}) => {
  // Spark starts in the kernel first: on a busy machine that alone takes minutes.
  test.setTimeout(480_000);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.notebook.createNew('grid.ipynb');
  await page.notebook.setCell(0, 'code', SQL);
  await page.notebook.runCell(0);
  const output = (await page.notebook.getCellOutputLocator(0))!;
  const grid = output.getByRole('grid', { name: 'Result grid' });
  await expect(grid).toBeVisible({ timeout: 180_000 });
  await seen(grid);
  await expect(output.getByRole('status').first()).toHaveText(
    '1,000 rows shown, more exist'
  );

  // A fixed height: the 1,000 rows scroll inside, the output is not 24,000 px tall.
  const gridBox = (await grid.boundingBox())!;
  expect(gridBox.height).toBeGreaterThan(200);
  expect(gridBox.height).toBeLessThanOrEqual(400);
  const outputBox = (await output.boundingBox())!;
  expect(outputBox.height).toBeLessThan(600);
  const thumb = grid.locator(
    '.lm-ScrollBar[data-orientation="vertical"] .lm-ScrollBar-thumb'
  );
  await seen(grid.locator('canvas').first());
  const before = (await thumb.boundingBox())!;
  await page.mouse.move(gridBox.x + gridBox.width / 2, gridBox.y + 150);
  await page.mouse.wheel(0, 6000);
  await expect
    .poll(async () => (await thumb.boundingBox())!.y)
    .toBeGreaterThan(before.y + 20);
  expect((await grid.boundingBox())!.height).toBe(gridBox.height);

  await page.screenshot({
    path: join(IMAGES, 'grid-light.png'),
    clip: { ...outputBox, height: Math.min(outputBox.height + 10, 480) }
  });

  // Sort: click the "id" header twice (descending); the first row is then id 999.
  const firstColumn = ROW_HEADER + 30;
  await clickGrid(page, grid, firstColumn, HEADER_ROW / 2);
  await clickGrid(page, grid, firstColumn, HEADER_ROW / 2);
  const details = output.getByLabel('Value details');
  await clickGrid(page, grid, firstColumn, 2 * HEADER_ROW + ROW / 2);
  await expect(details).toBeVisible();
  await expect(details).toContainText('id: bigint');
  await expect(details.locator('pre')).toHaveText('999');

  // Copy the selected cell.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.keyboard.press('Control+c');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('999');

  // Filter the names: NULL finds the 143 NULLs (every 7th id), not the string "null".
  await output.getByRole('button', { name: 'Filter', exact: true }).click();
  const nameFilter = output.getByLabel('Filter name');
  await seen(nameFilter, 16);
  await nameFilter.fill('NULL');
  await expect(output.getByRole('status').first()).toHaveText(
    '1,000 rows shown, more exist · 143 match the filters'
  );
  const nameColumn = ROW_HEADER + 70 + 40;
  await clickGrid(page, grid, nameColumn, 2 * HEADER_ROW + ROW / 2);
  await expect(details).toContainText('name: string');
  const nullValue = details.locator('pre');
  await expect(nullValue).toHaveText('NULL');
  await expect(nullValue).toHaveClass(/jp-mod-null/);
  await expect(nullValue).toHaveCSS('font-style', 'italic');
  await nameFilter.fill('');
  await output.getByLabel('Filter label').fill('null');
  await expect(output.getByRole('status').first()).toHaveText(
    '1,000 rows shown, more exist · 1 match the filters'
  );
  await clickGrid(
    page,
    grid,
    ROW_HEADER + 65 + 80 + 36,
    2 * HEADER_ROW + ROW / 2
  );
  await expect(details).toContainText('label: string');
  await expect(details.locator('pre')).toHaveText('null');
  await expect(details.locator('pre')).not.toHaveClass(/jp-mod-null/);
  await output.getByLabel('Filter label').fill('');

  // The struct column's value expands into its fields (columns are fitted to their
  // content: id 65, name 80, label 72, amount 117, grp 72 px, then place).
  await clickGrid(page, grid, ROW_HEADER + 406 + 60, 2 * HEADER_ROW + ROW / 2);
  await expect(details).toContainText('place: struct<city:string,zip:bigint>');
  await seen(details.locator('details summary'), 10);
  await expect(details.locator('details li')).toHaveText([
    'city: "Oslo"',
    'zip: 999'
  ]);

  // Download CSV: the rows shown, in the order shown.
  const download = page.waitForEvent('download');
  await output.getByRole('button', { name: 'Download CSV' }).click();
  const csv = readFileSync((await (await download).path())!, 'utf-8');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toBe('id,name,label,amount,grp,place');
  expect(lines).toHaveLength(1001);
  expect(lines[1]).toMatch(/^999,item-999,ok,333\.00,group-3,/);

  // A chart: sum of amount by group, drawn by JupyterLab's Vega-Lite renderer.
  await output.getByRole('tab', { name: 'Chart' }).click();
  await expect(grid).toBeHidden();
  await output.getByLabel('X', { exact: true }).selectOption('grp');
  await output.getByLabel('Y', { exact: true }).selectOption('amount');
  await output.getByLabel('Aggregation').selectOption('sum');
  const chart = output.locator(
    '.jp-SparkK8s-chartCanvas canvas, .jp-SparkK8s-chartCanvas svg.marks'
  );
  await seen(chart.first());
  const chartBox = (await output.boundingBox())!;
  await page.screenshot({
    path: join(IMAGES, 'chart-light.png'),
    clip: { ...chartBox, height: Math.min(chartBox.height + 10, 700) }
  });

  // Dark theme: the same grid and chart.
  await page.theme.setDarkTheme();
  await expect(output.locator('.jp-SparkK8s-chartCanvas')).toHaveAttribute(
    'data-theme',
    'dark'
  );
  await seen(chart.first());
  await page.screenshot({
    path: join(IMAGES, 'chart-dark.png'),
    clip: {
      ...(await output.boundingBox())!,
      height: Math.min(chartBox.height + 10, 700)
    }
  });
  await output.getByRole('tab', { name: 'Table' }).click();
  await seen(grid);
  const darkBox = (await output.boundingBox())!;
  await page.screenshot({
    path: join(IMAGES, 'grid-dark.png'),
    clip: { ...darkBox, height: Math.min(darkBox.height + 10, 480) }
  });
  await page.theme.setLightTheme();

  // Save the chart into the notebook: a Vega-Lite output any viewer renders.
  await output.getByRole('tab', { name: 'Chart' }).click();
  await seen(chart.first());
  await output.getByRole('button', { name: 'Save to notebook' }).click();
  await expect(output.getByRole('status').last()).toContainText(
    'Chart added below the result'
  );
  await page.notebook.save();
  const path = `${tmpPath}/grid.ipynb`;
  // The Vega-Lite output comes after the table (other outputs, e.g. progress, may be there).
  await expect
    .poll(async () =>
      (await savedOutputs(page, path)).findIndex(o => o.data?.[VEGALITE])
    )
    .toBeGreaterThan(0);
  const outputs = await savedOutputs(page, path);
  const tableIndex = outputs.findIndex(o => o.data?.[TABLE]);
  const saved = outputs.find(o => o.data?.[VEGALITE]);
  expect(tableIndex).toBeGreaterThanOrEqual(0);
  expect(outputs.indexOf(saved)).toBeGreaterThan(tableIndex);
  expect(Object.keys(outputs[tableIndex].data)).toEqual(
    expect.arrayContaining([TABLE, 'text/html', 'text/plain'])
  );
  const spec = saved.data[VEGALITE];
  expect(spec.mark.type).toBe('bar');
  expect(spec.encoding.x.field).toBe('grp');
  expect(spec.encoding.y).toMatchObject({ field: 'amount', aggregate: 'sum' });
  expect(spec.data.values).toHaveLength(1000);

  // After a reload the saved chart is drawn from the file, under the grid.
  // The restored workspace shows the notebook, not the Launcher Galata waits for.
  await page.reload({ waitForIsReady: false } as any);
  await page.waitForCondition(() =>
    page
      .locator('#jupyterlab-splash')
      .count()
      .then(n => n === 0)
  );
  await openFile(page, path);
  await expect(
    page.getByRole('main').getByRole('tab', { name: 'grid.ipynb' })
  ).toBeVisible();
  await page.notebook.activate('grid.ipynb');
  const reloaded = (await page.notebook.getCellOutputLocator(0))!;
  await seen(reloaded.getByRole('grid', { name: 'Result grid' }));
  await seen(
    reloaded
      .locator(
        '.jp-RenderedVegaCommon5 canvas, .jp-RenderedVegaCommon5 svg.marks'
      )
      .first()
  );
});
