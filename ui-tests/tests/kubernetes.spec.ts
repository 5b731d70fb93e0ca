/**
 * A kubernetes profile against the real test API server: Spark's own backend
 * creates executor pods, kwok runs them, the panel shows them live, Stop and a
 * dead kernel remove them.
 */
import { expect, test } from '@jupyterlab/galata';
import { APIRequestContext } from '@playwright/test';
import { clusterAdmin, ensureSecret } from './helpers/cluster';
import { SparkPanel } from './helpers/sparkPanel';

test.use({ autoGoto: true });

async function executorPods(admin: APIRequestContext): Promise<any[]> {
  const res = await admin.get(
    '/api/v1/namespaces/lab/pods?labelSelector=spark-role%3Dexecutor'
  );
  expect(res.ok()).toBeTruthy();
  return (await res.json()).items;
}

test('executor pods of a kubernetes session show live and go with Stop and with the kernel', async ({
  page
}) => {
  const admin = await clusterAdmin();
  // A Secret that the settings map the Databricks scope "prod-db" to.
  expect([201, 409]).toContain(
    await ensureSecret(admin, 'warehouse', {
      password: 'never-in-the-browser',
      user: 'etl'
    })
  );
  await page.notebook.createNew('k8s.ipynb');
  const panel = new SparkPanel(page);
  await panel.open();
  await expect(
    panel.root.getByText(/Cluster: namespace lab, Kubernetes v1\.33/)
  ).toBeVisible();
  await panel.profile.selectOption('k8s');
  await panel.start.click();
  await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });
  await expect(panel.details).toContainText('k8s://https://127.0.0.1');

  const pods = panel.root
    .getByRole('table', { name: 'Executors' })
    .locator('tbody');
  await expect(pods).toHaveCount(2, { timeout: 60_000 });
  await expect(pods.filter({ hasText: 'Running' })).toHaveCount(2, {
    timeout: 60_000
  });
  await expect(panel.root.getByText('Executors (2)')).toBeVisible();
  if (process.env.SPARK_K8S_DOCS_SCREENSHOTS) {
    await panel.root.screenshot({ path: '../docs/panel-executors.png' });
  }
  // Secrets: names and keys in the panel, references (never values) in executor pods.
  const secrets = panel.root.getByRole('list', { name: 'Kubernetes Secrets' });
  await expect(
    secrets.getByRole('listitem').filter({ hasText: 'warehouse' })
  ).toContainText('password, user');
  await expect(
    panel.root.getByRole('list', { name: 'Secret scopes' })
  ).toContainText('scope prod-db \u2192 warehouse');
  await expect(panel.root).not.toContainText('never-in-the-browser');
  const env = (await executorPods(admin))[0].spec.containers[0].env;
  expect(env).toContainEqual({
    name: 'SPARK_K8S_SECRET_PROD_DB_PASSWORD',
    valueFrom: { secretKeyRef: { name: 'warehouse', key: 'password' } }
  });
  expect(JSON.stringify(env)).not.toContain('never-in-the-browser');
  const names = (await executorPods(admin)).map(p => p.metadata.name).sort();
  expect(names).toHaveLength(2);
  for (const name of names) {
    await expect(pods.filter({ hasText: name })).toHaveCount(1);
  }

  await panel.stop.click();
  await expect(panel.state).toHaveText('Stopped');
  await expect
    .poll(async () => (await executorPods(admin)).length, { timeout: 60_000 })
    .toBe(0);

  // Start again, then kill the kernel and its JVM outright: nothing may be left running.
  await panel.start.click();
  await expect(panel.state).toHaveText('Ready', { timeout: 180_000 });
  await expect(pods.filter({ hasText: 'Running' })).toHaveCount(2, {
    timeout: 60_000
  });
  await page.notebook.setCell(
    0,
    'code',
    'import os, signal\nos.kill(sc._gateway.proc.pid, signal.SIGKILL)\nos.kill(os.getpid(), signal.SIGKILL)'
  );
  // The cell never finishes (its kernel dies): do not wait for it.
  const running = page.notebook.runCell(0).catch(() => undefined);
  await expect(panel.state).not.toHaveText('Ready', { timeout: 60_000 });
  await expect
    .poll(async () => (await executorPods(admin)).length, { timeout: 90_000 })
    .toBe(0);
  await admin.dispose();
  void running;
});
