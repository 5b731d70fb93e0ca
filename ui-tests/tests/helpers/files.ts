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

/** A notebook of code cells (one per source), as saved on disk. */
export function notebookJson(sources: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3 (ipykernel)',
        language: 'python'
      }
    },
    cells: sources.map((source, i) => ({
      cell_type: 'code',
      id: `c${i}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null
    }))
  });
}
