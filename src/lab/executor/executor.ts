/**
 * The notebook cell executor: Spark magics are translated by the core before
 * they reach the kernel; every other cell runs through JupyterLab's own path.
 */
import { ISessionContext } from '@jupyterlab/apputils';
import { ICodeCellModel } from '@jupyterlab/cells';
import {
  INotebookCellExecutor,
  KernelError,
  runCell
} from '@jupyterlab/notebook';
import { OutputArea } from '@jupyterlab/outputarea';
import { KernelMessage } from '@jupyterlab/services';
import {
  DEFAULTS,
  failCell,
  FileLoader,
  ITranslateOptions,
  ITranslation,
  translateCellAsync
} from '../../core';
import { ISparkSessionManager } from '../tokens';

/** Settings the executor reads. */
export interface IExecutorSettings extends ITranslateOptions {
  /** Start the selected profile's session when a Spark cell runs without one. */
  autoStart: boolean;
}

/** Runs cells, translating `%sql` and friends into Python for the kernel. */
export class SparkCellExecutor implements INotebookCellExecutor {
  constructor(
    private _sessions: ISparkSessionManager,
    private _load: FileLoader
  ) {}

  private _submitted = new WeakMap<object, Promise<void>>();

  settings: IExecutorSettings = {
    autoStart: DEFAULTS.autoStart,
    rowLimit: DEFAULTS.rowLimit
  };

  /**
   * JupyterLab submits every cell of a "run all" at once and lets the kernel
   * queue them; a cell that first waits (for Spark to start, a %run to load)
   * must not let later cells overtake it. Each cell is submitted only after the
   * previous one of the same notebook was.
   */
  async runCell(
    options: INotebookCellExecutor.IRunCellOptions
  ): Promise<boolean> {
    const { cell, sessionContext } = options;
    if (cell.model.type !== 'code' || !sessionContext) {
      return runCell(options);
    }
    const previous = this._submitted.get(sessionContext) ?? Promise.resolve();
    let markSubmitted: () => void = () => undefined;
    const submitted = new Promise<void>(resolve => (markSubmitted = resolve));
    this._submitted.set(sessionContext, submitted);
    await previous;
    let running: { done: Promise<boolean> };
    try {
      running = await this._submit(options);
    } finally {
      markSubmitted();
    }
    return running.done;
  }

  /** Prepare a cell and send it; resolves (once sent) with its completion. */
  private async _submit(
    options: INotebookCellExecutor.IRunCellOptions
  ): Promise<{ done: Promise<boolean> }> {
    const { cell } = options;
    const sessionContext = options.sessionContext!;
    const model = cell.model as ICodeCellModel;
    if (
      sessionContext.isTerminating ||
      sessionContext.pendingInput ||
      sessionContext.hasNoKernel
    ) {
      // JupyterLab's path shows its own dialogs for these kernel states.
      return { done: runCell(options) };
    }
    let translation: ITranslation;
    try {
      translation = await translateCellAsync(model.sharedModel.getSource(), {
        ...this.settings,
        path: sessionContext.path,
        load: this._load
      });
    } catch (reason) {
      // A %run that cannot be resolved: the kernel raises it, so a "run all" stops here.
      return { done: this._execute(options, failingCell('RunError', reason)) };
    }
    const startFirst = translation.needsSpark && this.settings.autoStart;
    if (!translation.magic && !startFirst && !translation.prelude) {
      return { done: runCell(options) };
    }
    const session = this._sessions.sessionFor(sessionContext);
    try {
      if (startFirst && session.state !== 'ready') {
        model.executionState = 'running';
        await session.start();
      } else if (translation.magic || translation.prelude) {
        // %md, %sh, %pip need the runtime in the kernel, not a Spark session.
        await session.ensureRuntime();
      }
      if (translation.prelude) {
        // The notebooks this cell runs (%run, dbutils.notebook.run), translated.
        await runSilently(sessionContext, translation.prelude);
      }
    } catch (reason) {
      return {
        done: this._execute(options, failingCell('SparkSessionError', reason))
      };
    }
    if (!translation.magic) {
      // Plain Python that uses spark/dbutils: now that the session runs, run it as is.
      return { done: runCell(options) };
    }
    return { done: this._execute(options, translation.code) };
  }

  /** What CodeCell.execute does, with the translated code in place of the source. */
  private _execute(
    options: INotebookCellExecutor.IRunCellOptions,
    code: string
  ): Promise<boolean> {
    options.onCellExecutionScheduled({ cell: options.cell });
    return this._run(options, code);
  }

  private async _run(
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

/** A cell that raises `reason` in the kernel, so a "run all" stops there. */
function failingCell(kind: string, reason: unknown): string {
  return failCell(
    kind,
    reason instanceof Error ? reason.message : String(reason)
  );
}

/** Run contract code in the notebook's kernel outside any cell; rejects if it fails. */
async function runSilently(
  sessionContext: ISessionContext,
  code: string
): Promise<void> {
  const kernel = sessionContext.session?.kernel;
  if (!kernel) {
    throw new Error('The notebook has no kernel.');
  }
  const reply = await kernel.requestExecute({
    code,
    silent: true,
    store_history: false
  }).done;
  if (reply.content.status !== 'ok') {
    const content = reply.content as { ename?: string; evalue?: string };
    throw new Error(`${content.ename ?? 'Error'}: ${content.evalue ?? ''}`);
  }
}
