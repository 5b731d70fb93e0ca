/**
 * The publish dialog as a test sees it, and the command line it must agree with.
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The publish dialog (a main-area tab) and its fields. */
export class PublishDialog {
  constructor(readonly page: IJupyterLabPageFixture) {
    this.root = page.locator('.jp-SparkK8s-publish');
  }

  readonly root: Locator;

  /** The text field labelled `label`. */
  field(label: string): Locator {
    return this.root.getByLabel(label, { exact: true });
  }

  button(name: string): Locator {
    return this.root.getByRole('button', { name, exact: true });
  }

  get preview(): Locator {
    return this.root.getByLabel('Schedule preview');
  }

  get nextRuns(): Locator {
    return this.root
      .getByRole('list', { name: 'Next runs' })
      .getByRole('listitem');
  }

  get yaml(): Locator {
    return this.root.getByLabel('Exported YAML');
  }
}

/**
 * Runs `spark-k8s manifest` (the installed wheel's CLI) on `notebook` as saved
 * at `path` under a fresh folder standing for the server's root, so the
 * notebook path it records is the one the dialog records.
 */
export function cliManifest(
  path: string,
  notebook: string,
  args: string[]
): string {
  const root = mkdtempSync(join(tmpdir(), 'spark-k8s-cli-'));
  mkdirSync(join(root, dirname(path)), { recursive: true });
  writeFileSync(join(root, path), notebook);
  const env = { ...process.env };
  delete env.JUPYTERHUB_USER;
  return execFileSync('spark-k8s', ['manifest', path, ...args], {
    cwd: root,
    env,
    encoding: 'utf8'
  });
}
