/**
 * The parameter bar a person can see (a size, readable), a reopened notebook's
 * first run using its saved values, and a change that re-runs the notebook;
 * the no-cluster line in full. Real JupyterLab, real local Spark.
 */
import { expect, galata, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { openFile } from './helpers/files';
import { SparkPanel } from './helpers/sparkPanel';

// Spark JVMs on a shared two-core machine: generous, never timed assertions.
test.describe.configure({ timeout: 600_000 });

test.use({
  autoGoto: true,
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyterlab-spark-k8s:parameters': { rerunOnChange: 'all' }
  }
});

/** Where screenshots go: docs/images with SPARK_K8S_DOCS_SCREENSHOTS=1. */
function shot(testInfo: { outputPath: (n: string) => string }, name: string) {
  return process.env.SPARK_K8S_DOCS_SCREENSHOTS
    ? `../docs/images/${name}`
    : testInfo.outputPath(name);
}

/** A person sees it: visible and with a size. */
async function seen(locator: Locator, minHeight = 1): Promise<void> {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(0);
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(minHeight);
}

const code = (id: string, source: string) => ({
  cell_type: 'code',
  id,
  metadata: {},
  source,
  outputs: [],
  execution_count: null
});

/** A notebook saved with a parameter value the user chose last time. */
const SAVED = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {
    kernelspec: {
      name: 'python3',
      display_name: 'Python 3 (ipykernel)',
      language: 'python'
    },
    spark_k8s: { widgetValues: { region: 'south' } }
  },
  cells: [
    code(
      'w',
      'dbutils.widgets.dropdown("region", "north", ["north", "south", "east"], "Region")\n' +
        'dbutils.widgets.text("note", "a longer default value", "Note")'
    ),
    code('r', 'print("region=" + dbutils.widgets.get("region"))')
  ]
});

test('the parameter bar is visible, a reopened notebook runs with its saved values, a change re-runs', async ({
  page,
  tmpPath
}, testInfo) => {
  await page.contents.uploadContent(SAVED, 'text', `${tmpPath}/params.ipynb`);
  await openFile(page, `${tmpPath}/params.ipynb`);
  await page.notebook.activate('params.ipynb');

  // The first run-all of the reopened notebook reads the saved value.
  await page.notebook.run();
  const output = (await page.notebook.getCellOutputLocator(1))!;
  await expect(output).toContainText('region=south', { timeout: 180_000 });
  await expect(output).not.toContainText('region=north');

  // The bar: visible, tall enough to read its inputs, above the cells.
  const bar = page.getByRole('form', { name: 'Notebook parameters' });
  await seen(bar, 16);
  const region = bar.getByLabel('Region');
  await seen(region, 10);
  await expect(region).toHaveValue('south');
  await seen(bar.getByLabel('Note'), 10);
  const barBox = (await bar.boundingBox())!;
  const cells = page.locator('.jp-NotebookPanel-notebook').first();
  const cellsBox = (await cells.boundingBox())!;
  expect(barBox.y + barBox.height).toBeLessThanOrEqual(cellsBox.y + 1);

  await page.locator('.jp-SparkK8s-parameterBar').screenshot({
    path: shot(testInfo, 'panel-parameters-light.png')
  });
  await page.theme.setDarkTheme();
  await page.locator('.jp-SparkK8s-parameterBar').screenshot({
    path: shot(testInfo, 'panel-parameters-dark.png')
  });
  await page.theme.setLightTheme();

  // A change re-runs the notebook (setting rerunOnChange: all) with no click.
  await region.selectOption('east');
  await expect((await page.notebook.getCellOutputLocator(1))!).toContainText(
    'region=east',
    { timeout: 60_000 }
  );
  await seen(bar, 16);
});

test('without a cluster the panel says why in full and what to do, and asks again', async ({
  page
}, testInfo) => {
  // The service is asked through the page; here it answers as a Jupyter
  // server without a kubeconfig does (the service's own words).
  let asked = 0;
  await page.route(/\/spark-k8s-api\/cluster(\?.*)?$/, route => {
    asked++;
    return route.fulfill({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        available: false,
        reason:
          'not running in a Kubernetes pod and no kubeconfig was found (set KUBECONFIG)'
      })
    });
  });
  await page.reload();
  await page.notebook.createNew('nocluster.ipynb');
  const panel = new SparkPanel(page);
  await panel.open();
  const note = panel.root.getByRole('note', { name: 'Kubernetes cluster' });
  await seen(note);
  await expect(note).toContainText(
    'No Kubernetes cluster: only local profiles can start.'
  );
  await expect(note).toContainText(
    'Why: This Jupyter server does not run in a Kubernetes pod and has no kubeconfig'
  );
  await expect(note).toContainText(
    'What to do: To run executors as pods, run JupyterLab in a pod of the cluster'
  );
  await expect(note).not.toContainText('…');
  // Every line is shown whole: nothing is cut at the panel's edge.
  const cut = await note.evaluate(node =>
    Array.from(node.querySelectorAll('*'))
      .concat([node])
      .some(
        e => (e as HTMLElement).scrollWidth > (e as HTMLElement).clientWidth + 1
      )
  );
  expect(cut).toBe(false);
  expect(await note.getAttribute('title')).toBeNull();

  await panel.root.screenshot({
    path: shot(testInfo, 'panel-no-cluster-light.png')
  });
  await page.theme.setDarkTheme();
  await panel.root.screenshot({
    path: shot(testInfo, 'panel-no-cluster-dark.png')
  });
  await page.theme.setLightTheme();

  const before = asked;
  await note.getByRole('button', { name: 'Check again' }).click();
  await expect.poll(() => asked).toBeGreaterThan(before);
  await expect(note).toContainText('Why:');
});
