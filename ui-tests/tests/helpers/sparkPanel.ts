/**
 * Page object for the Spark panel: selects by role and label.
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/** The Spark panel in the left sidebar. */
export class SparkPanel {
  constructor(private page: IJupyterLabPageFixture) {}

  get root(): Locator {
    return this.page.locator('#jp-SparkK8s-sessionPanel');
  }

  async open(): Promise<void> {
    await this.page.sidebar.openTab('jp-SparkK8s-sessionPanel');
    await this.root.waitFor({ state: 'visible' });
  }

  get notebookLabel(): Locator {
    return this.root.getByText(/^Notebook:/);
  }

  get profile(): Locator {
    return this.root.getByLabel('Profile', { exact: true });
  }

  get start(): Locator {
    return this.root.getByRole('button', { name: 'Start', exact: true });
  }

  get stop(): Locator {
    return this.root.getByRole('button', { name: 'Stop', exact: true });
  }

  get state(): Locator {
    return this.root.getByRole('status', { name: 'Spark session state' });
  }

  get error(): Locator {
    return this.root.getByRole('alert');
  }

  get details(): Locator {
    return this.root.getByLabel('Spark session details');
  }

  get sparkUILink(): Locator {
    return this.root.getByRole('link', { name: 'Open Spark UI' });
  }

  /** The standalone master's web UI (standalone profiles). */
  get masterUILink(): Locator {
    return this.root.getByRole('link', { name: 'Open master UI' });
  }

  /** The executor table (none for Spark Connect sessions). */
  get executors(): Locator {
    return this.root.getByRole('table', { name: 'Executors' });
  }

  /** The operator's SparkConnect server of the session (sparkconnect profiles). */
  get sparkConnect(): Locator {
    return this.root.getByRole('note', { name: 'SparkConnect server' });
  }

  /** Migration notes about the selected profile. */
  get profileWarnings(): Locator {
    return this.root.getByRole('list', { name: 'Profile warnings' });
  }
}

/** Append a code cell with `source`, run it, and return its output area. */
export async function runNewCell(
  page: IJupyterLabPageFixture,
  source: string
): Promise<Locator> {
  await page.notebook.addCell('code', source);
  const index = (await page.notebook.getCellCount()) - 1;
  await page.notebook.runCell(index);
  return (await page.notebook.getCellOutputLocator(index))!;
}
