/**
 * A Databricks notebook that just runs: imported from a SOURCE export, its
 * widgets in the parameter bar, %run, %sql with parameters, a redacted secret.
 */
import { expect, test } from '@jupyterlab/galata';
import { join } from 'node:path';
import { clusterAdmin, ensureSecret } from './helpers/cluster';

test.use({ autoGoto: true });

test('an imported Databricks notebook runs, with its widgets as a parameter bar', async ({
  page,
  tmpPath
}) => {
  // The scope "demo" reads the Secret of that name: core resolves it (names and
  // keys from the cluster) and the kernel takes the value from the environment,
  // as a job does (the server's environment has SPARK_K8S_SECRET_DEMO_TOKEN).
  expect([201, 409]).toContain(
    await ensureSecret(await clusterAdmin(), 'demo', {
      token: 'only-in-the-cluster'
    })
  );
  const data = join(__dirname, 'data', 'databricks');
  await page.contents.uploadFile(
    join(data, 'report.py'),
    `${tmpPath}/report.py`
  );
  await page.contents.uploadFile(
    join(data, 'helpers.py'),
    `${tmpPath}/helpers.py`
  );
  await page.filebrowser.openDirectory(tmpPath);

  // Import from the file browser's context menu.
  await page
    .getByRole('listitem', { name: /report\.py/ })
    .click({ button: 'right' });
  await page
    .getByRole('menuitem', { name: 'Import Databricks Notebook' })
    .click();
  await expect(
    page.getByRole('main').getByRole('tab', { name: /report\.ipynb/ })
  ).toBeVisible({
    timeout: 30_000
  });
  await page.notebook.activate('report.ipynb');
  expect(await page.notebook.getCellCount()).toBe(6);
  expect(await page.notebook.getCellType(0)).toBe('markdown');

  await page.notebook.run();
  const bar = page.getByRole('form', { name: 'Notebook parameters' });
  await expect(bar.getByLabel('Region')).toHaveValue('north', {
    timeout: 60_000
  });
  await expect(bar.getByLabel('Minimum')).toHaveValue('10');

  const sql = await page.notebook.getCellOutputLocator(3);
  await expect(sql!.locator('table tbody tr')).toHaveText(['north1']);
  await expect(await page.notebook.getCellOutputLocator(4)).toContainText(
    'DONE!'
  );
  const secret = await page.notebook.getCellOutputLocator(5);
  await expect(secret!).toContainText('token: [REDACTED]');
  await expect(secret!).not.toContainText('galata-secret-value');

  // Change a parameter, run again: the %sql cell uses the new value.
  await bar.getByLabel('Region').selectOption('south');
  await page.notebook.run();
  await expect(
    (await page.notebook.getCellOutputLocator(3))!.locator('table tbody tr')
  ).toHaveText(['south2']);
  // The value is kept in the notebook's metadata.
  await page.notebook.save();
  const saved = await page.evaluate(async path => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.get(path);
    return model.content.metadata.spark_k8s.widgetValues;
  }, `${tmpPath}/report.ipynb`);
  expect(saved).toEqual({ region: 'south' });
});

test('opening a .dbc archive imports its notebooks, folders kept', async ({
  page,
  tmpPath
}) => {
  const data = join(__dirname, 'data', 'databricks');
  await page.contents.uploadFile(join(data, 'team.dbc'), `${tmpPath}/team.dbc`);
  await page.filebrowser.openDirectory(tmpPath);
  await page.getByRole('listitem', { name: /team\.dbc/ }).dblclick();
  const imported = page.getByRole('list', { name: 'Imported notebooks' });
  await expect(imported.getByRole('button')).toHaveText([
    `${tmpPath}/team/Team/etl.ipynb`,
    `${tmpPath}/team/Team/reports/daily.ipynb`
  ]);
  await imported.getByRole('button', { name: /daily\.ipynb/ }).click();
  await expect(
    page.getByRole('main').getByRole('tab', { name: /daily\.ipynb/ })
  ).toBeVisible();
  await page.notebook.activate('daily.ipynb');
  expect(await page.notebook.getCellTextInput(0)).toBe('%sql\nSELECT 1 AS one');
  await page.notebook.runCell(0);
  await expect(
    (await page.notebook.getCellOutputLocator(0))!.locator('table td')
  ).toHaveText(['1'], {
    timeout: 180_000
  });
});
