/**
 * The result grid plugin: renders the runtime's table MIME type (display(df), %sql) with
 * a grid and charts. Only this small renderer shell is in the extension's initial
 * JavaScript; the grid, @lumino/datagrid and the chart tab load on the first result.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMime, IRenderMimeRegistry } from '@jupyterlab/rendermime';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Panel } from '@lumino/widgets';
import type { IChartHost } from './chart';
import { isTable, TABLE_MIME } from './mime';

/** Before JupyterLab's HTML (50): a rich result prefers the grid over its HTML fallback. */
const RANK = 40;

/** The renderer shell: loads the grid on first use, then shows the table in it. */
class LazyTableRenderer extends Panel implements IRenderMime.IRenderer {
  constructor(
    private _host: IChartHost,
    private _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-SparkK8s-gridOutput');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const table = model.data[TABLE_MIME];
    if (!isTable(table)) {
      this.node.textContent = this._trans.__(
        'This result table is malformed and cannot be shown.'
      );
      return;
    }
    const { TableView } = await import('./view');
    for (const old of [...this.widgets]) {
      old.dispose();
    }
    this.addWidget(new TableView(table, this._host, this._trans));
  }
}

/** Finds the notebook cell an output node belongs to and appends an output to it. */
function notebookHost(
  rendermime: IRenderMimeRegistry,
  tracker: INotebookTracker | null
): IChartHost {
  return {
    createRenderer(mimeType: string) {
      return rendermime.getFactory(mimeType)
        ? rendermime.createRenderer(mimeType)
        : null;
    },
    saveOutput(node: HTMLElement, output: Record<string, unknown>) {
      let saved = false;
      tracker?.forEach(panel => {
        for (const cell of panel.content.widgets) {
          if (
            !saved &&
            cell.model.type === 'code' &&
            cell.node.contains(node)
          ) {
            (cell.model as ICodeCellModel).outputs.add(output as any);
            saved = true;
          }
        }
      });
      return saved;
    }
  };
}

/** The result grid and charts for display() and %sql results. */
export const gridPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-spark-k8s:grid',
  description:
    'Shows display() and %sql results in a grid with types, sorting, filters and charts.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [INotebookTracker, ITranslator],
  activate: (
    _app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_spark_k8s');
    const host = notebookHost(rendermime, tracker);
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [TABLE_MIME],
        defaultRank: RANK,
        createRenderer: () => new LazyTableRenderer(host, trans)
      },
      RANK
    );
  }
};
