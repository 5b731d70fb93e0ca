/**
 * Opening a .dbc archive: its notebooks are imported beside it and listed, one
 * click from opening each (Databricks workspace folders kept).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget
} from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

/** The file type of Databricks archives. */
export const DBC_FILE_TYPE: Partial<DocumentRegistry.IFileType> = {
  name: 'databricks-dbc',
  displayName: 'Databricks archive',
  extensions: ['.dbc'],
  mimeTypes: ['application/zip'],
  fileFormat: 'base64',
  contentType: 'file'
};

/** The widget that shows what an opened archive became. */
class ArchiveView extends Widget {
  constructor(
    private _app: JupyterFrontEnd,
    private _trans: TranslationBundle,
    private _importCommand: string,
    path: string
  ) {
    super();
    this.addClass('jp-SparkK8s-archive');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', _trans.__('Databricks archive'));
    this.node.textContent = _trans.__('Importing %1…', path);
    void this._import(path);
  }

  private async _import(path: string): Promise<void> {
    const written = ((await this._app.commands.execute(this._importCommand, {
      path,
      open: false
    })) ?? []) as string[];
    const node = this.node;
    node.textContent = '';
    const heading = document.createElement('h2');
    heading.textContent = this._trans._n(
      '%1 notebook imported from %2',
      '%1 notebooks imported from %2',
      written.length,
      path
    );
    node.appendChild(heading);
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
    node.appendChild(list);
  }
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
