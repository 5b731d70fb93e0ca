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
import { importExport } from '../../core';
import { ArchiveFactory, DBC_FILE_TYPE } from './archive';

/** The import command's id. */
export const IMPORT_COMMAND = 'spark-k8s:import-databricks';

function base64Bytes(data: string): Uint8Array {
  const binary = atob(data.replace(/\s/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

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

    const importPath = async (path: string): Promise<string[]> => {
      const model = await contents.get(path, {
        type: 'file',
        format: 'base64',
        content: true
      });
      const name = PathExt.basename(path);
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
      for (const [rel, nb] of notebooks) {
        const target = PathExt.join(root, rel);
        // Create the folders of a .dbc tree one level at a time.
        const parts = PathExt.dirname(target).split('/').filter(Boolean);
        for (let i = 1; i <= parts.length; i++) {
          const folder = parts.slice(0, i).join('/');
          try {
            await contents.get(folder, { content: false });
          } catch {
            await contents.save(folder, { type: 'directory' });
          }
        }
        await contents.save(target, {
          type: 'notebook',
          format: 'json',
          content: nb as any
        });
        written.push(target);
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

    // Opening a .dbc imports it and lists its notebooks.
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
