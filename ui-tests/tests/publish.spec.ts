/**
 * Publishing a notebook on a schedule from its toolbar, against the real test
 * API server with the Spark operator's CRDs: the unsaved edit is saved and
 * published, the schedule is previewed in words with its next runs, Export
 * YAML is byte for byte what `spark-k8s manifest` writes for the same inputs,
 * and the ScheduledSparkApplication is in the cluster with its parameter and
 * time zone.
 */
import { expect, test } from '@jupyterlab/galata';
import { clusterAdmin, ensureSecret } from './helpers/cluster';
import { cliManifest, PublishDialog } from './helpers/publish';

test.use({ autoGoto: true });

const NAME = 'galata-publish';
const SSA = `/apis/sparkoperator.k8s.io/v1beta2/namespaces/lab/scheduledsparkapplications/${NAME}`;

function notebook(): string {
  const cell = (cell_type: string, source: string) => ({
    cell_type,
    source,
    metadata: {},
    ...(cell_type === 'code' ? { outputs: [], execution_count: null } : {})
  });
  return JSON.stringify({
    cells: [
      cell('markdown', '# Daily trips'),
      cell(
        'code',
        "dbutils.widgets.text('day', 'mon')\nday = dbutils.widgets.get('day')"
      ),
      cell('code', "password = dbutils.secrets.get('prod-db', 'password')")
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

test('a notebook published on a schedule: preview, Export YAML = CLI, the application in the cluster', async ({
  page,
  tmpPath
}) => {
  const admin = await clusterAdmin();
  expect([201, 409]).toContain(
    await ensureSecret(admin, 'warehouse', {
      password: 'never-in-the-browser',
      user: 'etl'
    })
  );
  // A previous run against the same cluster would make this an update.
  await admin.delete(SSA);

  const path = `${tmpPath}/trips.ipynb`;
  await page.contents.uploadContent(notebook(), 'text', path);
  await page.notebook.openByPath(path);
  await page.notebook.activate('trips.ipynb');
  // An edit that is not saved: publishing must not leave it out.
  await page.notebook.setCell(
    0,
    'markdown',
    '# Daily trips (edited before publishing)'
  );
  await expect(
    page.getByRole('main').getByRole('tab', { name: /trips\.ipynb/ })
  ).toHaveClass(/jp-mod-dirty/);

  await page
    .locator('.jp-NotebookPanel-toolbar')
    .getByRole('button', { name: 'Publish' })
    .click();
  const dialog = new PublishDialog(page);
  await expect(dialog.field('Name')).toBeVisible({ timeout: 30_000 });
  await expect(dialog.root).toContainText(
    'Unsaved changes will be saved before publishing'
  );
  await expect(dialog.root).toContainText('namespace lab');
  // Secrets by name and key only.
  await expect(
    dialog.root.getByRole('list', { name: 'Secret references' })
  ).toContainText('prod-db/password \u2192 Secret warehouse, key password');

  await dialog.field('Name').fill('Bad_Name');
  await expect(dialog.root.getByRole('alert').first()).toContainText(
    'Bad_Name'
  );
  await dialog.field('Name').fill(NAME);
  await dialog.field('Parameter day').fill('fri');

  await dialog.root.getByRole('radio', { name: 'On a schedule' }).check();
  await dialog.field('Cron schedule').fill('0 6 * * 1-5');
  await dialog.field('Time zone').fill('Europe/Paris');
  await expect(dialog.preview).toContainText(
    'At 06:00, Monday through Friday (Europe/Paris)'
  );
  await expect(dialog.nextRuns).toHaveCount(5);
  await expect(dialog.nextRuns.first()).toContainText(/06:00/);
  await page.screenshot({ path: 'test-results/publish-dialog.png' });

  // Export YAML saves the notebook first, then shows what Publish applies.
  await dialog.button('Export YAML').click();
  await expect(dialog.yaml).toBeVisible({ timeout: 30_000 });
  const exported = (await dialog.yaml.textContent()) ?? '';
  expect(exported).toContain('kind: ScheduledSparkApplication');
  expect(exported).toContain('timeZone: Europe/Paris');
  await expect(dialog.root).not.toContainText('Unsaved changes will be saved');
  const saved = await page.request.get(`/api/contents/${path}?content=1`);
  const savedModel = await saved.json();
  expect(JSON.stringify(savedModel.content)).toContain(
    'edited before publishing'
  );
  await dialog.yaml.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/publish-yaml.png' });

  // The command line, given the same inputs, writes the same bytes.
  const cli = cliManifest(path, JSON.stringify(savedModel.content), [
    '--name',
    NAME,
    '--namespace',
    'lab',
    '--schedule',
    '0 6 * * 1-5',
    '--tz',
    'Europe/Paris',
    '--param',
    'day=fri',
    '--secret-scope',
    'prod-db=warehouse'
  ]);
  expect(exported).toBe(cli);

  await dialog.button('Publish').click();
  await expect(
    page.locator('.Toastify__toast').filter({
      hasText: `Created ScheduledSparkApplication ${NAME} in namespace lab`
    })
  ).toBeVisible({ timeout: 60_000 });

  const res = await admin.get(SSA);
  expect(res.ok()).toBeTruthy();
  const ssa = await res.json();
  expect(ssa.spec.schedule).toBe('0 6 * * 1-5');
  expect(ssa.spec.timeZone).toBe('Europe/Paris');
  expect(ssa.spec.template.arguments).toEqual(['--day', 'fri']);
  expect(ssa.metadata.managedFields.map((f: any) => f.manager)).toContain(
    'jupyterlab-spark-k8s'
  );
  expect(JSON.stringify(ssa)).not.toContain('never-in-the-browser');
  await expect(page.locator('body')).not.toContainText('never-in-the-browser');

  // Publishing again updates the one application (the first toast dismissed).
  await page.getByRole('button', { name: 'Hide notification' }).first().click();
  await dialog.button('Publish').click();
  await expect(
    page.locator('.Toastify__toast').filter({
      hasText: `Updated ScheduledSparkApplication ${NAME} in namespace lab`
    })
  ).toBeVisible({ timeout: 60_000 });
});
