/**
 * The Spark panel and %sql cells in a real JupyterLab, on real local Spark.
 */
import { expect, test } from '@jupyterlab/galata';
import { notebookJson, openFile } from './helpers/files';
import { resultTable } from './helpers/grid';
import { runNewCell, SparkPanel } from './helpers/sparkPanel';

test.use({ autoGoto: true });

test.describe('Spark session panel', () => {
  test('starts local Spark, runs %sql, opens the Spark UI, stops', async ({
    page
  }, testInfo) => {
    await page.notebook.createNew('session.ipynb');
    const panel = new SparkPanel(page);
    await panel.open();
    await expect(panel.notebookLabel).toContainText('.ipynb');
    await expect(panel.state).toHaveText('Stopped');

    await panel.profile.selectOption('local-2');
    await panel.start.click();
    await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });
    await expect(panel.details).toContainText('local[2]');
    await expect(panel.details).toContainText(/4\.\d+\.\d+/);
    await expect(page.locator('.jp-SparkK8s-statusItem')).toContainText(
      'Spark: Ready'
    );

    // Screenshots of the ready panel in both themes; with
    // SPARK_K8S_DOCS_SCREENSHOTS=1 they refresh the copies kept in docs/.
    const shot = (name: string) =>
      process.env.SPARK_K8S_DOCS_SCREENSHOTS
        ? `../docs/${name}`
        : testInfo.outputPath(name);
    await panel.root.screenshot({ path: shot('panel-light.png') });
    await page.theme.setDarkTheme();
    await panel.root.screenshot({ path: shot('panel-dark.png') });
    await page.theme.setLightTheme();

    await page.notebook.setCell(0, 'code', '%sql SELECT 1 AS x');
    await page.notebook.runCell(0);
    const output = await page.notebook.getCellOutputLocator(0);
    const grid = output!.getByRole('grid', { name: 'Result grid' });
    await expect(grid).toBeVisible();
    expect((await grid.boundingBox())!.height).toBeGreaterThan(20);
    await expect(output!).toContainText('1 row');
    const one = await resultTable(page, 0);
    expect(one!.schema.fields.map(f => f.name)).toEqual(['x']);
    expect(one!.rows).toEqual([[1]]);

    // _sqldf holds the last result, as on Databricks.
    const last = await runNewCell(page, 'print(_sqldf.collect()[0].x + 41)');
    await expect(last).toContainText('42');

    const [ui] = await Promise.all([
      page.context().waitForEvent('page'),
      panel.sparkUILink.click()
    ]);
    await ui.waitForLoadState();
    expect(new URL(ui.url()).pathname).toMatch(/\/sparkui\/\d+\/jobs\/$/);
    await ui.getByRole('link', { name: 'Executors' }).click();
    expect(new URL(ui.url()).pathname).toMatch(/\/sparkui\/\d+\/executors\/$/);
    await expect(ui.locator('#active-executors-table')).toContainText(
      'driver',
      {
        timeout: 60_000
      }
    );
    await ui.close();

    await panel.stop.click();
    await expect(panel.state).toHaveText('Stopped');
    await expect(page.locator('.jp-SparkK8s-statusItem')).toContainText(
      'Spark: Stopped'
    );
  });

  test('a profile with a bad memory size fails with the reason, without hanging', async ({
    page
  }) => {
    await page.notebook.createNew('broken.ipynb');
    const panel = new SparkPanel(page);
    await panel.open();
    await panel.profile.selectOption('broken');
    await panel.start.click();
    await expect(panel.state).toHaveText('Failed');
    await expect(panel.error).toContainText(
      'driver memory "lots" is not a size'
    );
    await expect(panel.start).toBeEnabled();
  });

  test('a %sql cell starts the session itself and shows bounded, multi-statement results', async ({
    page
  }) => {
    await page.notebook.createNew('sql.ipynb');
    const panel = new SparkPanel(page);
    await panel.open();
    await page.notebook.setCell(
      0,
      'code',
      [
        '%%sql',
        "CREATE OR REPLACE TEMP VIEW v AS SELECT id, 'a;b' AS s FROM range(1500); -- a ; in a comment",
        '/* a ; in a block comment */',
        'SELECT * FROM v ORDER BY id'
      ].join('\n')
    );
    await page.notebook.runCell(0);
    await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });
    const output = await page.notebook.getCellOutputLocator(0);
    await expect(
      output!.getByRole('grid', { name: 'Result grid' })
    ).toBeVisible();
    await expect(output!).toContainText('1,000 rows shown, more exist');
    const rows = await resultTable(page, 0);
    expect(rows!.rows).toHaveLength(1000);
    expect(rows!.rows[0]).toContain('a;b');
    expect(rows!.more).toBe(true);

    // Plain Python cells run exactly as before.
    const plain = await runNewCell(page, 'print("plain", 6 * 7)');
    await expect(plain).toContainText('plain 42');
  });

  test('with two notebooks open, the panel and status bar follow the one shown', async ({
    page,
    tmpPath
  }, testInfo) => {
    // Both notebooks exist before they open (a second File > New reuses the
    // first one's kernel without the dialog Galata's createNew waits for).
    const empty = notebookJson(['']);
    const open = async (name: string) => {
      await openFile(page, `${tmpPath}/${name}`);
      await expect(
        page.getByRole('main').getByRole('tab', { name })
      ).toBeVisible();
      await page.notebook.activate(name);
    };
    for (const name of ['first.ipynb', 'second.ipynb']) {
      await page.contents.uploadContent(empty, 'text', `${tmpPath}/${name}`);
    }
    await open('first.ipynb');
    const panel = new SparkPanel(page);
    await panel.open();
    await expect(panel.notebookLabel).toContainText('first.ipynb');
    await expect(panel.state).toHaveText('Stopped');

    await open('second.ipynb');
    // The panel first showed first.ipynb; the session now starts in second.ipynb.
    await expect(panel.notebookLabel).toContainText('second.ipynb');
    await page.notebook.setCell(0, 'code', '%sql SELECT 2 AS y');
    await page.notebook.runCell(0);
    await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });
    await expect(panel.state).toBeVisible();
    const box = await panel.state.boundingBox();
    expect(box!.width).toBeGreaterThan(0);
    expect(box!.height).toBeGreaterThan(0);
    await expect(panel.start).toBeDisabled();
    await expect(panel.stop).toBeEnabled();
    const status = page.locator('.jp-SparkK8s-statusItem');
    await expect(status).toContainText('Spark: Ready');
    await panel.root.screenshot({
      path: testInfo.outputPath('panel-second-ready.png')
    });

    await page.notebook.activate('first.ipynb');
    await expect(panel.notebookLabel).toContainText('first.ipynb');
    await expect(panel.state).toHaveText('Stopped');
    await expect(panel.start).toBeEnabled();
    await expect(status).toContainText('Spark: Stopped');

    await page.notebook.activate('second.ipynb');
    await expect(panel.state).toHaveText('Ready');
    await expect(status).toContainText('Spark: Ready');
    await panel.stop.click();
    await expect(panel.state).toHaveText('Stopped');
  });
});
