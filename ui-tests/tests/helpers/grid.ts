/**
 * The result grid of a cell: what the grid was given (its canvas has no DOM text).
 */
import type { IJupyterLabPageFixture } from '@jupyterlab/galata';

/** The table MIME bundle a result grid renders. */
export interface IResultTable {
  schema: { fields: { name: string; type: string }[] };
  rows: unknown[][];
  more: boolean;
}

/** The table bundle in the outputs of cell `cell` of the notebook shown, or null. */
export async function resultTable(
  page: IJupyterLabPageFixture,
  cell: number
): Promise<IResultTable | null> {
  return page.evaluate(i => {
    const shell = (window as any).jupyterapp.shell;
    const outputs = shell.currentWidget.content.widgets[i].model.outputs;
    for (let k = 0; k < outputs.length; k++) {
      const data = outputs.get(k).data['application/vnd.spark-k8s.table+json'];
      if (data) {
        return data;
      }
    }
    return null;
  }, cell);
}
