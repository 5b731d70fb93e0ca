/**
 * "Import Databricks notebook": a Databricks export in the file browser (SOURCE
 * .py/.sql/.scala/.r, .dbc, .html, Databricks .ipynb) becomes .ipynb beside it.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { freePath, importExport } from '../../core';
import { ArchiveFactory, base64Bytes, DBC_FILE_TYPE } from './archive';

/** The import command's id. */
export const IMPORT_COMMAND = 'spark-k8s:import-databricks';

/** Import Databricks exports from the file browser or the command palette. */
export const importPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-spark-k8s:import',
  description: 'Imports Databricks notebook exports as Jupyter notebooks.',
  autoStart: true,
  optional: [IDefaultFileBrowser, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    browser: IDefaultFileBrowser | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_spark_k8s');
    const contents = app.serviceManager.contents;

    const exists = async (path: string): Promise<boolean> => {
      try {
        await contents.get(path, { content: false });
        return true;
      } catch {
        return false;
      }
    };

    /**
     * Import one export beside it. Never overwrites (an existing name gets
     * "name (1).ipynb") and is all or nothing: on a failure, the files and
     * folders this import created are deleted again.
     */
    const importPath = async (path: string): Promise<string[]> => {
      const model = await contents.get(path, {
        type: 'file',
        format: 'base64',
        content: true
      });
      const name = PathExt.basename(path);
      // Refuses ordinary notebooks and archive entries leaving the archive's folder.
      const notebooks = await importExport(
        name,
        base64Bytes(model.content as string)
      );
      const dir = PathExt.dirname(path);
      const isDbc = PathExt.extname(path).toLowerCase() === '.dbc';
      const root = isDbc
        ? PathExt.join(dir, PathExt.basename(path, '.dbc'))
        : dir;
      const written: string[] = [];
      const created: string[] = [];
      const chosen = new Set<string>();
      try {
        for (const [rel, nb] of notebooks) {
          const target = await freePath(
            PathExt.join(root, rel),
            async candidate =>
              chosen.has(candidate) || (await exists(candidate))
          );
          if (root && !target.startsWith(`${root}/`)) {
            throw new Error(
              trans.__('%1 would be written outside %2.', target, root)
            );
          }
          chosen.add(target);
          // Create the folders of a .dbc tree one level at a time.
          const parts = PathExt.dirname(target).split('/').filter(Boolean);
          for (let i = 1; i <= parts.length; i++) {
            const folder = parts.slice(0, i).join('/');
            if (!(await exists(folder))) {
              await contents.save(folder, { type: 'directory' });
              created.push(folder);
            }
          }
          await contents.save(target, {
            type: 'notebook',
            format: 'json',
            content: nb as any
          });
          created.push(target);
          written.push(target);
        }
      } catch (e) {
        // All or nothing: remove what this import created, newest first.
        for (const item of created.reverse()) {
          await contents.delete(item).catch(() => undefined);
        }
        throw e;
      }
      return written;
    };

    app.commands.addCommand(IMPORT_COMMAND, {
      label: trans.__('Import Databricks Notebook'),
      caption: trans.__(
        'Convert a Databricks export (.py/.sql/.scala/.r SOURCE, .dbc, .html, .ipynb) into Jupyter notebooks'
      ),
      isEnabled: args =>
        !!args.path || !!browser?.selectedItems().next()?.value,
      execute: async args => {
        const path =
          (args.path as string | undefined) ??
          browser?.selectedItems().next()?.value?.path;
        if (!path) {
          return;
        }
        try {
          const written = await importPath(path);
          Notification.success(
            trans._n(
              'Imported %1 notebook from %2',
              'Imported %1 notebooks from %2',
              written.length,
              PathExt.basename(path)
            ),
            { autoClose: 5000 }
          );
          if (written.length === 1 && args.open !== false) {
            await app.commands.execute('docmanager:open', { path: written[0] });
          }
          return written;
        } catch (e) {
          Notification.error(
            trans.__(
              '%1 could not be imported: %2',
              PathExt.basename(path),
              (e as Error).message
            ),
            { autoClose: false }
          );
          return [];
        }
      }
    });
    palette?.addItem({ command: IMPORT_COMMAND, category: trans.__('Spark') });

    // Opening a .dbc lists its notebooks; they are imported only when asked.
    app.docRegistry.addFileType(DBC_FILE_TYPE);
    app.docRegistry.addWidgetFactory(
      new ArchiveFactory(
        {
          name: 'Databricks Archive',
          label: trans.__('Databricks Archive'),
          fileTypes: ['databricks-dbc'],
          defaultFor: ['databricks-dbc'],
          modelName: 'base64',
          readOnly: true
        },
        app,
        trans,
        IMPORT_COMMAND
      )
    );
  }
};
