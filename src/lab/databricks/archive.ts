/**
 * Opening a .dbc archive: its notebooks are listed, and imported beside it
 * (Databricks workspace folders kept) only when the user clicks Import.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget
} from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { importDbc } from '../../core';

/** The file type of Databricks archives. */
export const DBC_FILE_TYPE: Partial<DocumentRegistry.IFileType> = {
  name: 'databricks-dbc',
  displayName: 'Databricks archive',
  extensions: ['.dbc'],
  mimeTypes: ['application/zip'],
  fileFormat: 'base64',
  contentType: 'file'
};

/**
 * The widget of an opened archive: its notebooks and an Import button. Opening
 * (or JupyterLab restoring its layout) imports nothing; an import never
 * overwrites a notebook (see the import command).
 */
class ArchiveView extends Widget {
  constructor(
    private _app: JupyterFrontEnd,
    private _trans: TranslationBundle,
    private _importCommand: string,
    private _path: string
  ) {
    super();
    this.addClass('jp-SparkK8s-archive');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', _trans.__('Databricks archive'));
    this.node.textContent = _trans.__('Reading %1…', _path);
    void this._describe();
  }

  /** List what the archive holds, without writing anything. */
  private async _describe(): Promise<void> {
    const trans = this._trans;
    const node = this.node;
    let names: string[] = [];
    let problem: string | null = null;
    try {
      const model = await this._app.serviceManager.contents.get(this._path, {
        type: 'file',
        format: 'base64',
        content: true
      });
      names = [
        ...(await importDbc(base64Bytes(model.content as string))).keys()
      ];
    } catch (e) {
      problem = (e as Error).message;
    }
    node.textContent = '';
    const heading = document.createElement('h2');
    heading.textContent = problem
      ? trans.__('%1 cannot be imported', this._path)
      : trans._n(
          '%2 holds %1 notebook',
          '%2 holds %1 notebooks',
          names.length,
          this._path
        );
    node.appendChild(heading);
    if (problem) {
      const p = document.createElement('p');
      p.setAttribute('role', 'alert');
      p.textContent = problem;
      node.appendChild(p);
      return;
    }
    const list = document.createElement('ul');
    list.setAttribute('aria-label', trans.__('Notebooks in the archive'));
    for (const name of names) {
      const item = document.createElement('li');
      item.textContent = name;
      list.appendChild(item);
    }
    node.appendChild(list);
    const note = document.createElement('p');
    note.textContent = trans.__(
      'Importing writes them as Jupyter notebooks into the folder %1; a notebook that already exists is kept, and the import gets a new name.',
      this._path.replace(/\.dbc$/i, '')
    );
    node.appendChild(note);
    const button = document.createElement('button');
    button.className = 'jp-mod-styled jp-mod-accept';
    button.textContent = trans.__('Import Notebooks');
    button.onclick = () => {
      button.disabled = true;
      void this._import().finally(() => (button.disabled = false));
    };
    node.appendChild(button);
  }

  private async _import(): Promise<void> {
    const written = ((await this._app.commands.execute(this._importCommand, {
      path: this._path,
      open: false
    })) ?? []) as string[];
    if (!written.length) {
      return;
    }
    this._results?.remove();
    const results = document.createElement('section');
    this._results = results;
    const heading = document.createElement('h3');
    heading.textContent = this._trans._n(
      '%1 notebook imported from %2',
      '%1 notebooks imported from %2',
      written.length,
      this._path
    );
    results.appendChild(heading);
    const list = document.createElement('ul');
    list.setAttribute('aria-label', this._trans.__('Imported notebooks'));
    for (const target of written) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.className = 'jp-mod-styled jp-SparkK8s-link';
      button.textContent = target;
      button.onclick = () =>
        void this._app.commands.execute('docmanager:open', { path: target });
      item.appendChild(button);
      list.appendChild(item);
    }
    results.appendChild(list);
    this.node.appendChild(results);
  }

  private _results: HTMLElement | null = null;
}

/** Bytes of base64 text (the Contents API's binary format). */
export function base64Bytes(data: string): Uint8Array {
  const binary = atob(data.replace(/\s/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

/** Opens .dbc files as an import of their notebooks. */
export class ArchiveFactory extends ABCWidgetFactory<DocumentWidget> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions,
    private _app: JupyterFrontEnd,
    private _trans: TranslationBundle,
    private _importCommand: string
  ) {
    super(options);
  }

  protected createNewWidget(context: DocumentRegistry.Context): DocumentWidget {
    const content = new ArchiveView(
      this._app,
      this._trans,
      this._importCommand,
      context.path
    );
    const widget = new DocumentWidget({ content, context });
    widget.title.label = context.path.split('/').pop() ?? context.path;
    return widget;
  }
}
