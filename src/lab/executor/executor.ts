/**
 * The notebook cell executor: Spark magics are translated by the core before
 * they reach the kernel; every other cell runs through JupyterLab's own path.
 */
import { ICodeCellModel } from '@jupyterlab/cells';
import {
  INotebookCellExecutor,
  KernelError,
  runCell
} from '@jupyterlab/notebook';
import { OutputArea } from '@jupyterlab/outputarea';
import { KernelMessage } from '@jupyterlab/services';
import { ITranslateOptions, translateCell } from '../../core';
import { ISparkSessionManager } from '../tokens';

/** Settings the executor reads. */
export interface IExecutorSettings extends ITranslateOptions {
  /** Start the selected profile's session when a Spark cell runs without one. */
  autoStart: boolean;
}

/** Runs cells, translating `%sql` and friends into Python for the kernel. */
export class SparkCellExecutor implements INotebookCellExecutor {
  constructor(private _sessions: ISparkSessionManager) {}

  settings: IExecutorSettings = { autoStart: true, rowLimit: 1000 };

  async runCell(
    options: INotebookCellExecutor.IRunCellOptions
  ): Promise<boolean> {
    const { cell, sessionContext } = options;
    if (cell.model.type !== 'code' || !sessionContext) {
      return runCell(options);
    }
    const translation = translateCell(
      cell.model.sharedModel.getSource(),
      this.settings
    );
    if (
      !translation.magic ||
      sessionContext.isTerminating ||
      sessionContext.pendingInput ||
      sessionContext.hasNoKernel
    ) {
      // JupyterLab's path shows its own dialogs for these kernel states.
      return runCell(options);
    }
    const model = cell.model as ICodeCellModel;
    options.onCellExecutionScheduled({ cell });
    if (translation.needsSpark && this.settings.autoStart) {
      const session = this._sessions.sessionFor(sessionContext);
      if (session.state !== 'ready') {
        model.sharedModel.transact(() => model.clearExecution(), false);
        model.executionState = 'running';
        try {
          await session.start();
        } catch (reason) {
          const message =
            reason instanceof Error ? reason.message : String(reason);
          model.executionState = 'idle';
          model.outputs.add({
            output_type: 'error',
            ename: 'SparkSessionError',
            evalue: message,
            traceback: [message]
          });
          options.onCellExecuted({ cell, success: false });
          return false;
        }
      }
    }
    return this._execute(options, translation.code);
  }

  /** What CodeCell.execute does, with the translated code in place of the source. */
  private async _execute(
    options: INotebookCellExecutor.IRunCellOptions,
    code: string
  ): Promise<boolean> {
    const { cell, sessionContext, notebook } = options;
    const model = cell.model as ICodeCellModel;
    const metadata = {
      ...model.metadata,
      cellId: model.sharedModel.getId(),
      deletedCells: [...notebook.deletedCells]
    };
    notebook.deletedCells.splice(0, notebook.deletedCells.length);
    model.sharedModel.transact(() => model.clearExecution(), false);
    model.executionState = 'running';
    model.trusted = true;
    let reply: KernelMessage.IExecuteReplyMsg | undefined;
    try {
      reply = await OutputArea.execute(
        code,
        (cell as any).outputArea,
        sessionContext!,
        metadata
      );
    } catch (reason) {
      if (!cell.isDisposed) {
        model.executionState = 'idle';
      }
      if (
        cell.isDisposed ||
        (reason as Error).message?.startsWith('Canceled')
      ) {
        return false;
      }
      options.onCellExecuted({
        cell,
        success: false,
        error: reason as KernelError
      });
      throw reason;
    }
    if (cell.isDisposed) {
      return false;
    }
    if (!reply) {
      return true;
    }
    model.executionCount = reply.content.execution_count;
    if (reply.content.status === 'ok') {
      options.onCellExecuted({ cell, success: true });
      return true;
    }
    const error = new KernelError(reply.content);
    options.onCellExecuted({ cell, success: false, error });
    throw error;
  }
}
