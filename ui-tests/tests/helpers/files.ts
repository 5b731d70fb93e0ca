/**
 * Opening files the way a user's command does.
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

/**
 * Open `path` with the document manager. The command resolves to the widget,
 * which cannot be sent back to the test, so nothing is returned.
 */
export async function openFile(
  page: IJupyterLabPageFixture,
  path: string
): Promise<void> {
  await page.evaluate(async p => {
    await (window as any).jupyterapp.commands.execute('docmanager:open', {
      path: p
    });
  }, path);
}
