/**
 * The operator's SparkConnect as a profile, on the test cluster's real API
 * server and spark-operator: the panel creates it through the service, shows
 * its state live (why it is Pending), and deletes it on Stop. (kwok runs no
 * server: the kernel's connection itself is covered by connect.spec.ts.)
 */
import { expect, test } from '@jupyterlab/galata';
import type { APIRequestContext } from '@playwright/test';
import { clusterAdmin } from './helpers/cluster';
import { SparkPanel } from './helpers/sparkPanel';

test.use({ autoGoto: true });

const SPARKCONNECTS =
  '/apis/sparkoperator.k8s.io/v1alpha1/namespaces/lab/sparkconnects';

/** The names of the SparkConnects in the lab namespace. */
async function sparkConnects(admin: APIRequestContext): Promise<string[]> {
  const response = await admin.get(SPARKCONNECTS);
  expect(response.status()).toBe(200);
  const list = await response.json();
  return (list.items as Array<{ metadata: { name: string } }>).map(
    item => item.metadata.name
  );
}

test('a sparkconnect server that cannot be scheduled says why, and Stop deletes it', async ({
  page
}, testInfo) => {
  const admin = await clusterAdmin();
  const before = await sparkConnects(admin);
  await page.notebook.createNew('sparkconnect-pending.ipynb');
  const panel = new SparkPanel(page);
  await panel.open();
  await expect(
    panel.profile.locator('option', { hasText: 'sparkconnect-pending' })
  ).toHaveText('sparkconnect-pending (SparkConnect on Kubernetes)');
  await panel.profile.selectOption('sparkconnect-pending');
  await panel.start.click();
  await expect(panel.state).toContainText('Starting');

  const note = panel.sparkConnect;
  await expect(note).toBeVisible({ timeout: 60_000 });
  await expect(note).toContainText(/SparkConnect [a-z0-9-]+: pending/, {
    timeout: 120_000
  });
  // The same why-Pending diagnosis as executor pods, in words.
  await expect(note.locator('.jp-SparkK8s-podReason')).toContainText(/node/i, {
    timeout: 120_000
  });
  await expect(note).toContainText(
    'Deleted after 60 idle minutes (the operator has no idle culling'
  );
  const name = /SparkConnect ([a-z0-9-]+):/.exec(
    (await note.textContent())!
  )![1];
  expect(await sparkConnects(admin)).toEqual([...before, name].sort());
  await panel.root.screenshot({
    path: testInfo.outputPath('sparkconnect-pending.png')
  });

  // Stop cancels the wait and deletes the server.
  await expect(panel.stop).toBeEnabled();
  await panel.stop.click();
  await expect(panel.state).toHaveText('Stopped', { timeout: 60_000 });
  await expect(panel.error).toHaveCount(0);
  await expect
    .poll(() => sparkConnects(admin), { timeout: 60_000 })
    .not.toContain(name);
});

test('a ready sparkconnect server the kernel cannot reach is a clear failure, and is deleted', async ({
  page
}, testInfo) => {
  const admin = await clusterAdmin();
  await page.notebook.createNew('sparkconnect.ipynb');
  const panel = new SparkPanel(page);
  await panel.open();
  await panel.profile.selectOption('sparkconnect');
  await expect(panel.profileWarnings).toHaveCount(0);
  await panel.start.click();
  const note = panel.sparkConnect;
  await expect(note).toContainText('Deleted after 30 idle minutes', {
    timeout: 60_000
  });
  const name = /SparkConnect ([a-z0-9-]+):/.exec(
    (await note.textContent())!
  )![1];
  await expect(panel.state).toHaveText('Failed', { timeout: 240_000 });
  await panel.root.screenshot({
    path: testInfo.outputPath('sparkconnect-failed.png')
  });
  await expect(panel.error).toContainText(`${name}-server.lab.svc`);
  await expect
    .poll(() => sparkConnects(admin), { timeout: 60_000 })
    .not.toContain(name);
});
