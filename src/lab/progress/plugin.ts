/**
 * Registers the renderer of a cell's Spark progress. The Cancel link
 * interrupts the notebook's kernel, exactly like its stop button: the runtime
 * then cancels that cell's Spark jobs, and only those.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMime, IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { PROGRESS_MIME } from '../../core';
import { Widget } from '@lumino/widgets';
import type { IWords } from './model';
import type { IProgressHost } from './renderer';

/** Loads the renderer's code on the first progress output, then renders in place. */
class LazyProgressRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(
    private _mimeType: string,
    private _words: IWords,
    private _host: IProgressHost
  ) {
    super();
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    if (!this._inner) {
      const { ProgressRenderer } = await import('./renderer');
      this._inner = new ProgressRenderer(
        this._mimeType,
        this._words,
        this._host
      );
      this.node.appendChild(this._inner.node);
    }
    return this._inner.renderModel(model);
  }

  dispose(): void {
    this._inner?.dispose();
    super.dispose();
  }

  private _inner: IRenderMime.IRenderer | null = null;
}

/** The notebook and cell that hold `node`. */
function locate(tracker: INotebookTracker, node: HTMLElement) {
  const panel: NotebookPanel | null =
    tracker.find(p => p.node.contains(node)) ?? null;
  const cell = panel?.content.widgets.find(c => c.node.contains(node)) ?? null;
  return { panel, cell };
}

/** Live Spark progress under each running cell. */
export const progressPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-spark-k8s:progress',
  description:
    "Shows each cell's Spark jobs, stages and tasks live under the cell, with Cancel.",
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    tracker: INotebookTracker,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_spark_k8s');
    // Cells whose run was asked to cancel: their model, until the run ends.
    const cancelling = new WeakSet<object>();
    const host: IProgressHost = {
      baseUrl: app.serviceManager.serverSettings.baseUrl,
      isRunning: node => {
        const { cell } = locate(tracker, node);
        // Rendering happens before the output is attached: then trust the data.
        if (!cell) {
          return true;
        }
        const running = (cell.model as any).executionState === 'running';
        if (!running) {
          cancelling.delete(cell.model);
        }
        return running;
      },
      isCancelling: node => {
        const { cell } = locate(tracker, node);
        return !!cell && cancelling.has(cell.model);
      },
      cancel: node => {
        const { panel, cell } = locate(tracker, node);
        if (cell) {
          cancelling.add(cell.model);
        }
        void panel?.sessionContext.session?.kernel?.interrupt();
      }
    };
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [PROGRESS_MIME],
        defaultRank: 40,
        createRenderer: options =>
          new LazyProgressRenderer(options.mimeType, trans, host)
      },
      40
    );
  }
};
