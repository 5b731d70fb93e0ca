/**
 * A Databricks notebook that just runs: imported from a SOURCE export, its
 * widgets in the parameter bar, %run, %sql with parameters, a redacted secret.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { clusterAdmin, ensureSecret } from './helpers/cluster';
import { resultTable } from './helpers/grid';

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
  await expect(sql!.getByRole('grid', { name: 'Result grid' })).toBeVisible();
  await expect
    .poll(async () => (await resultTable(page, 3))?.rows)
    .toEqual([['north', 1]]);
  await expect(await page.notebook.getCellOutputLocator(4)).toContainText(
    'DONE!'
  );
  const secret = await page.notebook.getCellOutputLocator(5);
  await expect(secret!).toContainText('token: [REDACTED]');
  await expect(secret!).not.toContainText('galata-secret-value');

  // Change a parameter, run again: the %sql cell uses the new value.
  await bar.getByLabel('Region').selectOption('south');
  await page.notebook.run();
  await expect
    .poll(async () => (await resultTable(page, 3))?.rows)
    .toEqual([['south', 2]]);
  // The value is kept in the notebook's metadata.
  await page.notebook.save();
  const saved = await page.evaluate(async path => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.get(path);
    return model.content.metadata.spark_k8s.widgetValues;
  }, `${tmpPath}/report.ipynb`);
  expect(saved).toEqual({ region: 'south' });
});

/** The names under a folder on the server (empty when it does not exist). */
async function listing(page: Page, path: string): Promise<string[]> {
  return page.evaluate(async folder => {
    const contents = (window as any).jupyterapp.serviceManager.contents;
    try {
      const model = await contents.get(folder, { content: true });
      return (model.content as Array<{ name: string }>)
        .map(item => item.name)
        .sort();
    } catch {
      return [];
    }
  }, path);
}

/** A file's text as the server has it. */
async function fileText(page: Page, path: string): Promise<string> {
  return page.evaluate(async file => {
    const contents = (window as any).jupyterapp.serviceManager.contents;
    const model = await contents.get(file, { format: 'text', type: 'file' });
    return model.content as string;
  }, path);
}

/** A .dbc (zip) with entries named exactly as given, built by Python's zipfile. */
function dbc(entries: Array<[string, unknown]>): string {
  return execFileSync('python3', [
    '-c',
    'import sys, zipfile, io, json, base64\n' +
      'buf = io.BytesIO()\n' +
      'with zipfile.ZipFile(buf, "w") as z:\n' +
      '    for name, body in json.loads(sys.argv[1]):\n' +
      '        z.writestr(zipfile.ZipInfo(name), json.dumps(body))\n' +
      'print(base64.b64encode(buf.getvalue()).decode())',
    JSON.stringify(entries)
  ])
    .toString()
    .trim();
}

const V1 = (name: string) => ({
  version: 'NotebookV1',
  name,
  language: 'python',
  commands: [{ command: `print("${name}")`, position: 1 }]
});

test('a .dbc archive is imported only when asked, and never over edited notebooks', async ({
  page,
  tmpPath
}) => {
  const data = join(__dirname, 'data', 'databricks');
  await page.contents.uploadFile(join(data, 'team.dbc'), `${tmpPath}/team.dbc`);
  await page.filebrowser.openDirectory(tmpPath);
  await page.getByRole('listitem', { name: /team\.dbc/ }).dblclick();

  // Opening lists what the archive holds and writes nothing.
  // The archive's tab (DocumentWidget names its content "main area content").
  const view = page.getByRole('tabpanel', { name: 'team.dbc' });
  await expect(
    view
      .getByRole('list', { name: 'Notebooks in the archive' })
      .getByRole('listitem')
  ).toHaveText(['Team/etl.ipynb', 'Team/reports/daily.ipynb']);
  const importButton = view.getByRole('button', { name: 'Import Notebooks' });
  await expect(importButton).toBeVisible();
  const box = await importButton.boundingBox();
  expect(box!.width).toBeGreaterThan(40);
  expect(box!.height).toBeGreaterThan(10);
  await view.screenshot({ path: test.info().outputPath('archive.png') });
  expect(await listing(page, tmpPath)).toEqual(['team.dbc']);

  await importButton.click();
  const imported = view.getByRole('list', { name: 'Imported notebooks' });
  await expect(imported.getByRole('button')).toHaveText([
    `${tmpPath}/team/Team/etl.ipynb`,
    `${tmpPath}/team/Team/reports/daily.ipynb`
  ]);

  // The user edits an imported notebook; JupyterLab restores its layout (the
  // archive's tab included) on reload: nothing is imported again.
  const etl = `${tmpPath}/team/Team/etl.ipynb`;
  await page.evaluate(async path => {
    const contents = (window as any).jupyterapp.serviceManager.contents;
    const model = await contents.get(path);
    model.content.cells[0].source = '# my edits';
    await contents.save(path, { type: 'notebook', content: model.content });
  }, etl);
  const edited = await fileText(page, etl);
  await page.reload({ waitForIsReady: false });
  await expect(
    page
      .getByRole('tabpanel', { name: 'team.dbc' })
      .getByRole('button', { name: 'Import Notebooks' })
  ).toBeVisible();
  expect(await fileText(page, etl)).toBe(edited);
  expect(await listing(page, `${tmpPath}/team/Team`)).toEqual([
    'etl.ipynb',
    'reports'
  ]);

  // Importing again keeps the edited notebook and writes beside it.
  await page
    .getByRole('tabpanel', { name: 'team.dbc' })
    .getByRole('button', { name: 'Import Notebooks' })
    .click();
  await expect(
    page.getByRole('list', { name: 'Imported notebooks' }).getByRole('button')
  ).toHaveText([
    `${tmpPath}/team/Team/etl (1).ipynb`,
    `${tmpPath}/team/Team/reports/daily (1).ipynb`
  ]);
  expect(await fileText(page, etl)).toBe(edited);

  // An imported notebook opens, with its cells.
  await page
    .getByRole('list', { name: 'Imported notebooks' })
    .getByRole('button', { name: /daily \(1\)\.ipynb/ })
    .click();
  await expect(
    page.getByRole('main').getByRole('tab', { name: /daily \(1\)\.ipynb/ })
  ).toBeVisible();
  await page.notebook.activate('daily (1).ipynb');
  expect(await page.notebook.getCellTextInput(0)).toBe('%sql\nSELECT 1 AS one');
});

test('imports that would lose work are refused and leave nothing behind', async ({
  page,
  tmpPath
}) => {
  // A zip slip: an entry that climbs out of the archive's folder.
  await page.contents.uploadContent(
    dbc([
      ['Team/ok.python', V1('ok')],
      ['../../x/y.python', V1('y')]
    ]),
    'base64',
    `${tmpPath}/deep/evil.dbc`
  );
  await page.filebrowser.openDirectory(`${tmpPath}/deep`);
  await page.getByRole('listitem', { name: /evil\.dbc/ }).dblclick();
  const view = page.getByRole('tabpanel', { name: 'evil.dbc' });
  await expect(view.getByRole('alert')).toContainText(
    'entry named "../../x/y.python" that points outside the archive\'s folder'
  );
  await expect(
    view.getByRole('button', { name: 'Import Notebooks' })
  ).toHaveCount(0);
  // The command (context menu) refuses it too, and writes nothing anywhere.
  await page
    .getByRole('listitem', { name: /evil\.dbc/ })
    .click({ button: 'right' });
  await page
    .getByRole('menuitem', { name: 'Import Databricks Notebook' })
    .click();
  await expect(
    page
      .locator('.Toastify__toast')
      .filter({ hasText: 'evil.dbc could not be imported' })
  ).toBeVisible();
  expect(await listing(page, `${tmpPath}/deep`)).toEqual(['evil.dbc']);
  expect(await listing(page, tmpPath)).toEqual(['deep']);

  // An ordinary notebook is not rewritten "as an import".
  const mine = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      }
    },
    cells: [
      {
        cell_type: 'code',
        id: 'kept',
        metadata: { tags: ['keep-me'] },
        source: 'print(1)',
        outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n' }],
        execution_count: 1
      }
    ]
  };
  await page.contents.uploadContent(
    JSON.stringify(mine),
    'text',
    `${tmpPath}/mine/mine.ipynb`
  );
  const before = await fileText(page, `${tmpPath}/mine/mine.ipynb`);
  await page.filebrowser.openDirectory(`${tmpPath}/mine`);
  await page
    .getByRole('listitem', { name: /mine\.ipynb/ })
    .click({ button: 'right' });
  await page
    .getByRole('menuitem', { name: 'Import Databricks Notebook' })
    .click();
  await expect(
    page
      .locator('.Toastify__toast')
      .filter({ hasText: 'ordinary Jupyter notebook, not a Databricks export' })
  ).toBeVisible();
  expect(await fileText(page, `${tmpPath}/mine/mine.ipynb`)).toBe(before);
  expect(await listing(page, `${tmpPath}/mine`)).toEqual(['mine.ipynb']);

  // An import failing half-way (the second notebook's folder is taken by a
  // file) removes the notebook it had already written: all or nothing.
  await page.contents.uploadContent(
    dbc([
      ['Team/a.python', V1('a')],
      ['Team/sub/b.python', V1('b')]
    ]),
    'base64',
    `${tmpPath}/half/half.dbc`
  );
  await page.contents.uploadContent(
    'in the way',
    'text',
    `${tmpPath}/half/half/Team/sub`
  );
  const ok = await page.evaluate(async path => {
    const app = (window as any).jupyterapp;
    return app.commands.execute('spark-k8s:import-databricks', {
      path,
      open: false
    });
  }, `${tmpPath}/half/half.dbc`);
  expect(ok).toEqual([]);
  await expect(
    page
      .locator('.Toastify__toast')
      .filter({ hasText: 'half.dbc could not be imported' })
  ).toBeVisible();
  expect(await listing(page, `${tmpPath}/half/half/Team`)).toEqual(['sub']);
});
